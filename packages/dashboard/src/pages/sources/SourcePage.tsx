import type { ReactNode } from 'react';
import { PagedTable } from '../../components/PagedTable';
import { seg } from '../../api/client';
import type { InboundRequest, Source } from '../../api/types';
import { CopyButton, ErrorMessage, Fields, Mono, Spinner } from '../../components/common';
import { INBOUND_STATUSES, InboundStatusBadge } from '../../components/InboundStatus';
import { formatTime, relativeTime } from '../../lib/format';
import { href, navigate, withQueryValues, type Route } from '../../lib/router';
import { useSession } from '../../lib/session-context';
import { useApi } from '../../lib/useApi';
import { usePage } from '../../lib/usePage';

export const sourcePath = (id: string) => `/api/v1/source/${seg(id)}`;

/** #/sources/{src}[?status=]: a source's settings (secrets masked by the API) and the requests it captured. */
export function SourcePage({ sourceId, route }: { sourceId: string; route: Route }) {
  const { api } = useSession();
  const source = useApi(`source:${sourceId}`, (signal) => api.get<Source>(sourcePath(sourceId), {}, signal));

  if (source.error) return <ErrorMessage error={source.error} onRetry={source.reload} />;
  if (!source.data) return <Spinner />;
  const s = source.data;
  const ingestUrl = window.location.origin + s.ingestPath;

  return (
    <section className="stack">
      <div>
        <a className="crumb" href="#/sources">
          Inbound sources
        </a>
        <div className="page-head">
          <h1>{s.name}</h1>
          {s.inspect ? <span className="badge badge-wait">Inspect mode</span> : <span className="badge badge-ok">Forwarding</span>}
        </div>
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
            ['De-duplication window', s.dedupeWindow ? seconds(s.dedupeWindow) : 'Off'],
            ['Signs forwarded requests', s.signForwarded ? 'Yes (Standard Webhooks headers)' : 'No'],
            ['Created', formatTime(s.createdAt)],
            ['Updated', formatTime(s.updatedAt)],
          ]}
        />
        <div className="row">
          <a className="button button-small" href={href('apps', s.appId, 'endpoints')} data-testid="destinations-link">
            Destinations (endpoints of its application) →
          </a>
          <a className="button button-small" href={href('apps', s.appId, 'messages')}>
            Forwarded messages →
          </a>
        </div>
      </div>
      <Requests source={s} route={route} />
    </section>
  );
}

function Requests({ source, route }: { source: Source; route: Route }) {
  const status = route.query.get('status') ?? '';
  const page = usePage<InboundRequest>(`${sourcePath(source.id)}/request`, route, { status: status || undefined }, 3000);
  return (
    <section>
      <div className="page-head">
        <h2>Captured requests</h2>
        <div className="filter">
          <select aria-label="Status" value={status} onChange={(e) => navigate(withQueryValues(route, { status: e.target.value || null, iterator: null }))}>
            <option value="">Any status</option>
            {INBOUND_STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button button-small" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <PagedTable
        page={page}
        route={route}
        testId="request-list"
        firstLabel="Newest"
        headers={['Received', 'Request', 'Status', 'Event type', 'Provider ID', 'Message']}
        empty={
          <>
            <p>{status ? `No ${status} requests.` : 'No requests yet.'}</p>
            <p className="muted">Requests to the ingest URL appear here as they arrive.</p>
          </>
        }
        row={(q) => (
          <tr key={q.id} data-request-id={q.id}>
            <td className="nowrap">
              <a href={href('sources', source.id, 'requests', q.id)} title={formatTime(q.receivedAt)}>
                {relativeTime(q.receivedAt)}
              </a>
            </td>
            <td className="mono wrap">
              {q.method} {q.path}
              {q.query && `?${q.query}`}
            </td>
            <td title={q.reason ?? undefined}>
              <InboundStatusBadge status={q.status} />
            </td>
            <td>{q.eventType ? <Mono>{q.eventType}</Mono> : <span className="muted">—</span>}</td>
            <td>{q.providerId ? <Mono>{q.providerId}</Mono> : <span className="muted">—</span>}</td>
            <td>
              {q.messageId ? (
                <a className="mono" href={href('apps', source.appId, 'messages', q.messageId)}>
                  {q.messageId}
                </a>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
          </tr>
        )}
      />
    </section>
  );
}

/** The scheme and its settings; the API has already replaced secrets with "[redacted]". */
function Verification({ value }: { value: Source['verification'] }) {
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

function ResponseText({ response }: { response: Source['response'] }): ReactNode {
  return (
    <>
      <Mono>{response.status}</Mono>
      {response.contentType && <span className="muted"> · {response.contentType}</span>}
      {response.body && <div className="small mono wrap">{response.body.length > 120 ? `${response.body.slice(0, 120)}…` : response.body}</div>}
    </>
  );
}

function seconds(s: number): string {
  if (s % 86_400 === 0) return `${s / 86_400} day${s === 86_400 ? '' : 's'}`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}
