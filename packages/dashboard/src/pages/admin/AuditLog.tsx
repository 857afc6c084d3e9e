import { useEffect, useState, type FormEvent } from 'react';
import { CodeBadge, Mono } from '../../components/common';
import { PagedTable } from '../../components/PagedTable';
import { formatTime, relativeTime } from '../../lib/format';
import { fromLocalInput, toLocalInput } from '../../lib/local-time';
import { href, navigate, withQueryValues, type Route } from '../../lib/router';
import { usePage } from '../../lib/usePage';

/** #/audit[?app_id=…&token_id=…&since=…&until=…]: the changes made through the API, newest first. Admin tokens only. */
export function AuditLog({ route }: { route: Route }) {
  const filter: AuditFilterValues = {
    appId: route.query.get('app_id') ?? '', tokenId: route.query.get('token_id') ?? '',
    since: route.query.get('since') ?? '', until: route.query.get('until') ?? '',
  };
  const filtered = Object.values(filter).some(Boolean);
  const page = usePage('GET /api/v1/audit-log', {}, route, {
    app_id: filter.appId || undefined, token_id: filter.tokenId || undefined, since: filter.since || undefined, until: filter.until || undefined,
  });

  return (
    <section>
      <div className="page-head">
        <h1>Audit log</h1>
        <span className="spacer" />
        <button type="button" className="button button-small" onClick={page.reload} disabled={page.loading}>
          Refresh
        </button>
      </div>
      <AuditFilter route={route} values={filter} />
      <PagedTable
        page={page}
        route={route}
        testId="audit-list"
        firstLabel="Newest"
        headers={['Time', 'Who', 'From', 'What', 'Status', 'Resource', 'Request ID']}
        empty={
          <>
            <p>{filtered ? 'No changes match these filters.' : 'No changes recorded yet.'}</p>
            <p className="muted">Every change made through the API (a create, update or delete that succeeded) is recorded here.</p>
          </>
        }
        row={(e) => (
          <tr key={e.id}>
            <td className="nowrap" title={formatTime(e.timestamp)}>
              {relativeTime(e.timestamp)}
            </td>
            <td data-testid="audit-who">
              {e.actorId ? (
                <>
                  <a href={withQueryValues(route, { token_id: e.actorId, iterator: null })} title="Only this token's changes">{e.actorName}</a>
                  <div>
                    <span className="badge badge-muted">{e.actorScope} token</span>
                  </div>
                </>
              ) : (
                // The one token without an id: the server's own, from HERALD_ADMIN_TOKEN or made at first start.
                <span title="The server's admin token (HERALD_ADMIN_TOKEN)">Admin token</span>
              )}
            </td>
            <td>{e.ip ? <Mono>{e.ip}</Mono> : <span className="muted">—</span>}</td>
            <td className="wrap">
              <Mono>
                {e.method} {e.path}
              </Mono>
            </td>
            <td>
              <CodeBadge code={e.statusCode} />
            </td>
            <td>
              {e.resourceId ? <Mono>{e.resourceId}</Mono> : <span className="muted">—</span>}
              {e.appId && e.appId !== e.resourceId && (
                <div className="small">
                  <a href={href('apps', e.appId, 'endpoints')}>{e.appId}</a>
                </div>
              )}
            </td>
            <td>{e.requestId ? <Mono>{e.requestId}</Mono> : <span className="muted">—</span>}</td>
          </tr>
        )}
      />
    </section>
  );
}

interface AuditFilterValues {
  appId: string;
  tokenId: string;
  /** ISO times, as the API takes them. */
  since: string;
  until: string;
}

const CLEARED = { app_id: null, token_id: null, since: null, until: null, iterator: null };

/** The application (id or uid), the token id and a time window; applying starts again from the newest page. */
function AuditFilter({ route, values }: { route: Route; values: AuditFilterValues }) {
  const [draft, setDraft] = useState(values);
  const key = Object.values(values).join('\n');
  // Back to what the address says whenever it changes (a token's link, Clear, the browser's back button).
  useEffect(() => setDraft(values), [key]);
  const set = (k: keyof AuditFilterValues) => (value: string) => setDraft((d) => ({ ...d, [k]: value }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQueryValues(route, {
      ...CLEARED, app_id: draft.appId.trim() || null, token_id: draft.tokenId.trim() || null, since: draft.since || null, until: draft.until || null,
    }));
  };
  return (
    <form className="filter filter-bar" role="search" aria-label="Filter the audit log" onSubmit={apply}>
      <input aria-label="Application" placeholder="Application ID or UID" value={draft.appId} onChange={(e) => set('appId')(e.target.value)} />
      <input aria-label="Token ID" placeholder="Token ID (tok_…)" value={draft.tokenId} onChange={(e) => set('tokenId')(e.target.value)} />
      <label className="filter-time">
        From
        <input type="datetime-local" aria-label="Changes from" value={toLocalInput(draft.since)} onChange={(e) => set('since')(fromLocalInput(e.target.value) ?? '')} />
      </label>
      <label className="filter-time">
        to
        <input type="datetime-local" aria-label="Changes until" value={toLocalInput(draft.until)} onChange={(e) => set('until')(fromLocalInput(e.target.value) ?? '')} />
      </label>
      <button type="submit" className="button button-small">
        Filter
      </button>
      {Object.values(values).some(Boolean) && (
        <a className="button button-small" href={withQueryValues(route, CLEARED)}>
          Clear
        </a>
      )}
    </form>
  );
}
