import { useEffect, useState, type FormEvent } from 'react';
import type { AuditEntry } from '../../api/types';
import { CodeBadge, Mono } from '../../components/common';
import { PagedTable } from '../../components/PagedTable';
import { formatTime, relativeTime } from '../../lib/format';
import { href, navigate, withQueryValues, type Route } from '../../lib/router';
import { usePage } from '../../lib/usePage';

/** #/audit[?app_id=…&token_id=…]: the changes made through the API, newest first. Admin tokens only. */
export function AuditLog({ route }: { route: Route }) {
  const appId = route.query.get('app_id') ?? '';
  const tokenId = route.query.get('token_id') ?? '';
  const page = usePage<AuditEntry>('/api/v1/audit-log', route, { app_id: appId || undefined, token_id: tokenId || undefined });

  return (
    <section>
      <div className="page-head">
        <h1>Audit log</h1>
        <span className="spacer" />
        <button type="button" className="button button-small" onClick={page.reload} disabled={page.loading}>
          Refresh
        </button>
      </div>
      <AuditFilter route={route} appId={appId} tokenId={tokenId} />
      <PagedTable
        page={page}
        route={route}
        testId="audit-list"
        firstLabel="Newest"
        headers={['Time', 'Who', 'From', 'What', 'Status', 'Resource', 'Request ID']}
        empty={
          <>
            <p>{appId || tokenId ? 'No changes match these filters.' : 'No changes recorded yet.'}</p>
            <p className="muted">Every change made through the API (a create, update or delete that succeeded) is recorded here.</p>
          </>
        }
        row={(e) => (
          <tr key={e.id}>
            <td className="nowrap" title={formatTime(e.timestamp)}>
              {relativeTime(e.timestamp)}
            </td>
            <td>
              {e.actorId ? <a href={withQueryValues(route, { token_id: e.actorId, iterator: null })} title="Only this token's changes">{e.actorName}</a> : e.actorName}
              <div>
                <span className="badge badge-muted">{e.actorScope}</span>
              </div>
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

/** The application (id or uid) and the token id; applying starts again from the newest page. */
function AuditFilter({ route, appId, tokenId }: { route: Route; appId: string; tokenId: string }) {
  const [app, setApp] = useState(appId);
  const [token, setToken] = useState(tokenId);
  useEffect(() => setApp(appId), [appId]);
  useEffect(() => setToken(tokenId), [tokenId]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQueryValues(route, { app_id: app.trim() || null, token_id: token.trim() || null, iterator: null }));
  };
  return (
    <form className="filter filter-bar" role="search" aria-label="Filter the audit log" onSubmit={apply}>
      <input aria-label="Application" placeholder="Application ID or UID" value={app} onChange={(e) => setApp(e.target.value)} />
      <input aria-label="Token ID" placeholder="Token ID (tok_…)" value={token} onChange={(e) => setToken(e.target.value)} />
      <button type="submit" className="button button-small">
        Filter
      </button>
      {(appId || tokenId) && (
        <a className="button button-small" href={withQueryValues(route, { app_id: null, token_id: null, iterator: null })}>
          Clear
        </a>
      )}
    </form>
  );
}
