import { useEffect } from 'react';
import { AttemptTable } from '../components/AttemptTable';
import { ErrorMessage, Spinner } from '../components/common';
import { Pager } from '../components/Pager';
import { formatTime } from '../lib/format';
import { navigate, withQueryValues, type Route } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useApi } from '../lib/useApi';
import { usePage } from '../lib/usePage';

const STATUSES = [
  ['', 'Any status'],
  ['0', 'Success'],
  ['1', 'Pending'],
  ['2', 'Failed'],
  ['3', 'Sending'],
] as const;

/** An endpoint's attempts, newest first (the API lists attempts per endpoint or per message). */
export function AttemptList({ appId, route }: { appId: string; route: Route }) {
  const { api } = useSession();
  // The endpoint picker offers the first 100 endpoints; more are reached from an endpoint's page.
  const endpoints = useApi(`endpoints-pick:${appId}`, (signal) => api.call('GET /api/v1/app/:app_id/endpoint', { params: { app_id: appId }, query: { limit: 100 }, signal }));
  const chosen = route.query.get('endpoint');
  const status = route.query.get('status') ?? '';
  // A time window comes with links such as the live view's gap rows (the API's after/before, exclusive).
  const after = route.query.get('after');
  const before = route.query.get('before');
  const first = endpoints.data?.data[0]?.id;
  useEffect(() => {
    if (!chosen && first) navigate(withQueryValues(route, { endpoint: first, iterator: null }), true);
  }, [chosen, first, route]);

  // Not with_msg: it would bring each message's payload along (with_content also governs the response bodies).
  const page = usePage('GET /api/v1/app/:app_id/attempt/endpoint/:endpoint_id', chosen ? { app_id: appId, endpoint_id: chosen } : null, route, { status: status || undefined, after: after ?? undefined, before: before ?? undefined }, 3000);
  const known = endpoints.data?.data ?? [];

  return (
    <>
      <div className="page-head">
        <h2>Attempts</h2>
        <div className="filter">
          <select aria-label="Endpoint" value={chosen ?? ''} onChange={(e) => navigate(withQueryValues(route, { endpoint: e.target.value, iterator: null }))}>
            {chosen && !known.some((e) => e.id === chosen) && <option value={chosen}>{chosen}</option>}
            {known.map((e) => (
              <option key={e.id} value={e.id}>
                {e.url}
              </option>
            ))}
          </select>
          <select aria-label="Status" value={status} onChange={(e) => navigate(withQueryValues(route, { status: e.target.value || null, iterator: null }))}>
            {STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button button-small" onClick={page.reload} disabled={!chosen}>
          Refresh
        </button>
      </div>
      {(after || before) && (
        <p className="muted" data-testid="attempt-window">
          Attempts{after ? ` after ${formatTime(after)}` : ''}{before ? ` before ${formatTime(before)}` : ''}.{' '}
          <a href={withQueryValues(route, { after: null, before: null, iterator: null })}>Show all</a>
        </p>
      )}
      {endpoints.error && <ErrorMessage error={endpoints.error} onRetry={endpoints.reload} />}
      {endpoints.data && known.length === 0 && !chosen && (
        <div className="empty-state">
          <p>No endpoints yet, so no attempts.</p>
        </div>
      )}
      {page.error && <ErrorMessage error={page.error} onRetry={page.reload} />}
      {chosen && !page.data && !page.error && <Spinner />}
      {page.data && page.data.data.length === 0 && <p className="muted">No attempts {status ? 'with this status ' : ''}yet.</p>}
      {page.data && page.data.data.length > 0 && <AttemptTable appId={appId} attempts={page.data.data} showMessage />}
      {page.data && <Pager route={route} page={page.data} firstLabel="Newest" />}
    </>
  );
}
