import { useState } from 'react';
import { routeTarget } from '@herald/wire';
import { ErrorMessage, Fields, Mono, Notice, Spinner } from '../../components/common';
import { HeaderTable } from '../../components/HeaderTable';
import { InboundStatusBadge } from '../../components/InboundStatus';
import { JsonView } from '../../components/JsonView';
import { formatTime } from '../../lib/format';
import { href } from '../../lib/router';
import { canWrite, useSession } from '../../lib/session-context';
import { useAction, useApi } from '../../lib/useApi';

/** #/sources/{src}/requests/{req}: a captured request as it came, what became of it, and Replay. */
export function InboundRequestDetail({ sourceId, requestId }: { sourceId: string; requestId: string }) {
  const { api, me } = useSession();
  const params = { source_id: sourceId, request_id: requestId };
  const path = routeTarget('GET /api/v1/source/:source_id/request/:request_id', params).path;
  const request = useApi(`inreq:${path}`, (signal) => api.call('GET /api/v1/source/:source_id/request/:request_id', { params, signal }));
  const source = useApi(`source:${sourceId}`, (signal) => api.call('GET /api/v1/source/:source_id', { params: { source_id: sourceId }, signal }));
  const replay = useAction(() => api.call('POST /api/v1/source/:source_id/request/:request_id/replay', { params, body: {} }));
  const [replayed, setReplayed] = useState<string | null>(null);
  const appId = source.data?.appId;
  const messageLink = (id: string) => (appId ? <a className="mono" href={href('apps', appId, 'messages', id)}>{id}</a> : <Mono>{id}</Mono>);

  if (request.error) return <ErrorMessage error={request.error} onRetry={request.reload} />;
  if (!request.data) return <Spinner />;
  const q = request.data;
  const doReplay = async () => {
    setReplayed(null);
    const done = await replay.run();
    if (done) {
      setReplayed(done.messageId);
      request.reload();
    }
  };

  return (
    <section className="stack">
      <a className="crumb" href={href('sources', sourceId)}>
        ← {source.data?.name ?? 'Source'}
      </a>
      <div className="card" data-testid="inbound-request">
        <div className="page-head">
          <h2 className="mono wrap">
            {q.method} {q.path}
          </h2>
          <InboundStatusBadge status={q.status} />
          {canWrite(me) && (
            <button type="button" className="button button-primary" onClick={doReplay} disabled={replay.busy}>
              {replay.busy ? 'Replaying…' : 'Replay'}
            </button>
          )}
        </div>
        {replayed && (
          <Notice tone="success">
            <span data-testid="replayed">Replayed as message {messageLink(replayed)}.</span>
          </Notice>
        )}
        {replay.error && <ErrorMessage error={replay.error} />}
        <Fields
          rows={[
            ['ID', <Mono>{q.id}</Mono>],
            ['Received', formatTime(q.receivedAt)],
            ['From', q.ip ? <Mono>{q.ip}</Mono> : null],
            ['Query', q.query ? <Mono>?{q.query}</Mono> : 'None'],
            ['Reason', q.reason],
            ['Provider ID', q.providerId ? <Mono>{q.providerId}</Mono> : null],
            ['Event type', q.eventType ? <Mono>{q.eventType}</Mono> : null],
            ['Message', q.messageId ? messageLink(q.messageId) : null],
          ]}
        />
      </div>
      <div className="card">
        <h3>Headers</h3>
        <HeaderTable headers={q.headers} testId="request-headers" />
      </div>
      <div className="card">
        <h3>Body</h3>
        {q.bodyEncoding === 'base64' ? (
          <>
            <p className="muted small">The body is not UTF-8 text: it is shown base64-encoded.</p>
            <pre className="code-block" aria-label="Body">
              {q.body}
            </pre>
          </>
        ) : (
          <JsonView text={q.body} label="Body" />
        )}
      </div>
    </section>
  );
}
