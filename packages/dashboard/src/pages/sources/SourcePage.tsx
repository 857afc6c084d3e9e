import type { SourceOut } from '@herald/wire';
import { useState, type ReactNode } from 'react';
import { ConfirmButton, CopyButton, ErrorMessage, Fields, Mono, Notice, Spinner } from '../../components/common';
import { formatSeconds, formatTime } from '../../lib/format';
import { href, navigate, withQueryValues, type Route } from '../../lib/router';
import { canWrite, useSession } from '../../lib/session-context';
import { useAction, useApi } from '../../lib/useApi';
import { ReplayRange } from './ReplayRange';
import { SourceForm } from './SourceForm';
import { Requests } from './SourceRequests';

/**
 * #/sources/{src}[?status=&created=1]: a source's settings (secrets masked by the API) and the requests it captured;
 * with a writing token also edit, delete and range replay.
 */
export function SourcePage({ sourceId, route }: { sourceId: string; route: Route }) {
  const { api, me } = useSession();
  const source = useApi(`source:${sourceId}`, (signal) => api.call('GET /api/v1/source/:source_id', { params: { source_id: sourceId }, signal }));
  const remove = useAction(async (id: string) => {
    await api.call('DELETE /api/v1/source/:source_id', { params: { source_id: id } });
    return true;
  });
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);

  if (source.error) return <ErrorMessage error={source.error} onRetry={source.reload} />;
  if (!source.data) return <Spinner />;
  const s = source.data;
  const ingestUrl = window.location.origin + s.ingestPath;
  const writable = canWrite(me);
  const crumb = (
    <a className="crumb" href="#/sources">
      Inbound sources
    </a>
  );

  if (editing) {
    return (
      <section className="stack">
        {crumb}
        <SourceForm
          source={s}
          onCancel={() => setEditing(false)}
          onSaved={(updated) => {
            setEditing(false);
            setSaved(true);
            // A new uid no longer finds it under the old one in the address.
            if (sourceId !== updated.id && sourceId !== updated.uid) navigate(href('sources', updated.id), true);
            else source.reload();
          }}
        />
      </section>
    );
  }

  return (
    <section className="stack">
      <div>
        {crumb}
        <div className="page-head">
          <h1 className="grow">{s.name}</h1>
          {s.inspect ? <span className="badge badge-wait">Inspect mode</span> : <span className="badge badge-ok">Forwarding</span>}
          {writable && (
            <button
              type="button"
              className="button"
              onClick={() => {
                setSaved(false);
                setEditing(true);
                // "Source created" has been read by now: it would otherwise still greet the edited source.
                if (route.query.get('created')) navigate(withQueryValues(route, { created: null }), true);
              }}
            >
              Edit
            </button>
          )}
          {writable && (
            <ConfirmButton
              label="Delete…"
              confirmLabel="Delete source, its destinations and stored requests"
              onConfirm={async () => (await remove.run(s.id)) && navigate(href('sources', { deleted: s.name }))}
              busy={remove.busy}
              danger
            />
          )}
        </div>
        {remove.error && <ErrorMessage error={remove.error} />}
        {route.query.get('created') && (
          <Notice tone="success">Source created. Give the provider the ingest URL below, and add a destination for what it sends.</Notice>
        )}
        {saved && <Notice tone="success">Source saved.</Notice>}
      </div>
      <div className="card">
        <div>
          <div className="muted small">Ingest URL</div>
          <div className="row ingest-url">
            <code className="secret grow" data-testid="ingest-url">
              {ingestUrl}
            </code>
            <CopyButton text={ingestUrl} />
          </div>
          <p className="hint">Give this URL to the provider. Requests to it are verified, stored, and forwarded to the destinations.</p>
        </div>
        <h3>Settings</h3>
        <Fields
          rows={[
            ['ID', <Mono>{s.id}</Mono>],
            ['UID', s.uid ? <Mono>{s.uid}</Mono> : null],
            ['Verification', <Verification value={s.verification} />],
            ['Response', <ResponseText response={s.response} />],
            ['Mode', s.inspect ? 'Inspect: requests are stored, nothing is forwarded' : 'Forward verified requests'],
            ['De-duplication window', s.dedupeWindow ? formatSeconds(s.dedupeWindow) : 'Off'],
            ['Signs forwarded requests', s.signForwarded ? 'Yes (Standard Webhooks headers)' : 'No'],
            ['Created', formatTime(s.createdAt)],
            ['Updated', formatTime(s.updatedAt)],
          ]}
        />
        <div className="row">
          <a className="button button-small" href={href('apps', s.appId, 'endpoints')} data-testid="destinations-link">
            Destinations (endpoints of its application) →
          </a>
          {writable && (
            <a className="button button-small" href={href('apps', s.appId, 'endpoints', 'new')}>
              Add a destination
            </a>
          )}
          <a className="button button-small" href={href('apps', s.appId, 'messages')}>
            Forwarded messages →
          </a>
        </div>
      </div>
      {writable && <ReplayRange source={s} />}
      <Requests source={s} route={route} />
    </section>
  );
}

/** The scheme and its settings; the API has already replaced secrets with "[redacted]". */
function Verification({ value }: { value: SourceOut['verification'] }) {
  const rest = Object.entries(value).filter(([k]) => k !== 'type');
  return (
    <span data-testid="verification">
      <span className="chip">{value.type}</span>
      {rest.map(([k, v]) => (
        <span key={k} className="small muted verification-field">
          {k}: <Mono>{typeof v === 'string' ? v : JSON.stringify(v)}</Mono>
        </span>
      ))}
    </span>
  );
}

function ResponseText({ response }: { response: SourceOut['response'] }): ReactNode {
  return (
    <>
      <Mono>{response.status}</Mono>
      {response.contentType && <span className="muted"> · {response.contentType}</span>}
      {response.body && <div className="small mono wrap">{response.body.length > 120 ? `${response.body.slice(0, 120)}…` : response.body}</div>}
    </>
  );
}
