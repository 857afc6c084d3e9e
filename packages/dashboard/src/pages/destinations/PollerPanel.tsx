import { useState } from 'react';
import { routeTarget, type PollingEndpointOut } from '@herald/wire';
import { apiRoot } from '../../api/client';
import { CopyButton, ErrorMessage } from '../../components/common';
import { JsonView } from '../../components/JsonView';
import { formatTime, relativeTime } from '../../lib/format';
import { href } from '../../lib/router';
import { useSession } from '../../lib/session-context';
import { useAction } from '../../lib/useApi';

const PEEK_LIMIT = 10;

function Copyable({ label, text, testId }: { label: string; text: string; testId: string }) {
  return (
    <div>
      <div className="muted small">{label}</div>
      <div className="row ingest-url">
        <code className="secret grow" data-testid={testId}>
          {text}
        </code>
        <CopyButton text={text} />
      </div>
    </div>
  );
}

/**
 * How a consumer reads a poller (a pollingEndpoint destination): its URLs, the CLI and the Svix client. Herald
 * sends it nothing; readers fetch the application's messages that it takes, oldest first, by iterator.
 */
export function PollerPanel({ appId, pollerId }: { appId: string; pollerId: string }) {
  const pollUrl = apiRoot() + routeTarget('GET /api/v1/app/:app_id/poller/:sink_id', { app_id: appId, sink_id: pollerId }).path;
  const cli = `herald poll ${pollerId} --app ${appId} --consumer my-service --follow`;
  const svix = [
    "import { Svix } from 'svix';",
    '',
    `const svix = new Svix(process.env.HERALD_TOKEN, { serverUrl: '${apiRoot()}' });`,
    '// Keep the iterator between reads: the next one goes on after it.',
    'let iterator;',
    `const page = await svix.message.poller.poll('${appId}', '${pollerId}', { iterator });`,
    'for (const message of page.data) console.log(message.eventType, message.payload);',
    'iterator = page.iterator;',
  ].join('\n');

  return (
    <>
      <section className="card" aria-label="How to read it">
        <h3>How to read it</h3>
        <p className="muted small">
          Nothing is sent to a poller: its consumers read this application's messages that it takes (its event types
          and channels), oldest first, with an API token. Each answer's <code>iterator</code> is where the next read
          starts; a named consumer's position is kept by Herald, so it goes on where it left off.
        </p>
        <div className="stack">
          <Copyable label="Poll URL (GET; ?iterator=…&limit=…)" text={pollUrl} testId="poll-url" />
          <Copyable label="A named consumer's URL (GET; its position moves with each read)" text={`${pollUrl}/consumer/{consumer}`} testId="consumer-url" />
          <div>
            <div className="muted small">Command line (one JSON message a line; --follow keeps reading)</div>
            <pre className="code-block" aria-label="herald poll">{cli}</pre>
          </div>
          <div>
            <div className="muted small">Svix client (JavaScript)</div>
            <pre className="code-block" aria-label="Svix client">{svix}</pre>
          </div>
        </div>
      </section>
      <PollerPeek appId={appId} pollerId={pollerId} />
    </>
  );
}

/** The first messages a new reader would get, a page at a time; no consumer's position moves. */
function PollerPeek({ appId, pollerId }: { appId: string; pollerId: string }) {
  const { api } = useSession();
  const [page, setPage] = useState<PollingEndpointOut | null>(null);
  const peek = useAction((iterator?: string) =>
    api.call('GET /api/v1/app/:app_id/poller/:sink_id', { params: { app_id: appId, sink_id: pollerId }, query: { limit: PEEK_LIMIT, iterator } }));
  const read = async (iterator?: string) => {
    const next = await peek.run(iterator);
    if (next) setPage(next);
  };

  return (
    <section className="card" aria-label="Peek">
      <div className="section-head">
        <h3>Peek</h3>
        <button type="button" className="button button-small" disabled={peek.busy} onClick={() => read()}>
          {page ? 'From the start' : 'Peek'}
        </button>
        {page && !page.done && (
          <button type="button" className="button button-small" disabled={peek.busy} onClick={() => read(page.iterator)}>
            Next {PEEK_LIMIT}
          </button>
        )}
      </div>
      <p className="muted small">
        The first {PEEK_LIMIT} messages a new reader of this poller would get. A message shows here about a second after it is sent.
      </p>
      {peek.error && <ErrorMessage error={peek.error} />}
      {page && page.data.length === 0 && <p className="muted">No messages {page.done ? 'yet' : 'here'}.</p>}
      {page && page.data.length > 0 && (
        <div className="table-wrap">
          <table className="list" data-testid="peek-list">
            <thead>
              <tr>
                <th>Message</th>
                <th>Event type</th>
                <th>Time</th>
                <th>Payload</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((m) => (
                <tr key={m.id} data-msg-id={m.id}>
                  <td>
                    <a href={href('apps', appId, 'messages', m.id)} className="mono">
                      {m.id}
                    </a>
                  </td>
                  <td className="mono">{m.eventType}</td>
                  <td className="nowrap" title={formatTime(m.timestamp)}>
                    {relativeTime(m.timestamp)}
                  </td>
                  <td className="wrap">{m.payload === null ? <span className="muted">Expunged</span> : <JsonView value={m.payload} label={`Payload of ${m.id}`} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
