import type { SourceOut } from '@herald/wire';
import { Mono } from '../../components/common';
import { INBOUND_STATUSES, InboundStatusBadge } from '../../components/InboundStatus';
import { PagedTable } from '../../components/PagedTable';
import { formatTime, relativeTime } from '../../lib/format';
import { href, navigate, withQueryValues, type Route } from '../../lib/router';
import { usePage } from '../../lib/usePage';

/** The requests a source captured, newest first, refreshed every 3 s, narrowed by status (kept in the URL). */
export function Requests({ source, route }: { source: SourceOut; route: Route }) {
  const status = route.query.get('status') ?? '';
  const page = usePage('GET /api/v1/source/:source_id/request', { source_id: source.id }, route, { status: status || undefined }, 3000);
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
