import { seg } from '../api/client';
import type { Endpoint } from '../api/types';
import { Chips, ErrorMessage, Notice, Spinner } from '../components/common';
import { Pager } from '../components/Pager';
import { relativeTime } from '../lib/format';
import { href, type Route } from '../lib/router';
import { canWrite, useSession } from '../lib/session-context';
import { usePage } from '../lib/usePage';

export function EndpointList({ appId, route }: { appId: string; route: Route }) {
  const { me } = useSession();
  const page = usePage<Endpoint>(`/api/v1/app/${seg(appId)}/endpoint`, route);

  return (
    <>
      <div className="page-head">
        <h2>Endpoints</h2>
        {canWrite(me) && (
          <a className="button button-primary" href={href('apps', appId, 'endpoints', 'new')}>
            Add endpoint
          </a>
        )}
      </div>
      {route.query.get('deleted') && <Notice tone="success">Endpoint {route.query.get('deleted')} deleted.</Notice>}
      {page.error && <ErrorMessage error={page.error} onRetry={page.reload} />}
      {!page.data && !page.error && <Spinner />}
      {page.data && page.data.data.length === 0 && (
        <div className="empty-state">
          <p>No endpoints yet.</p>
          <p className="muted">An endpoint is a URL that receives this application's webhooks.</p>
        </div>
      )}
      {page.data && page.data.data.length > 0 && (
        <div className="table-wrap">
          <table className="list" data-testid="endpoint-list">
            <thead>
              <tr>
                <th>URL</th>
                <th>Event types</th>
                <th>State</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.data.map((ep) => (
                <tr key={ep.id}>
                  <td className="wrap">
                    <a href={href('apps', appId, 'endpoints', ep.id)} className="mono">
                      {ep.url}
                    </a>
                    {ep.description && <div className="muted small">{ep.description}</div>}
                  </td>
                  <td>
                    <Chips items={ep.eventTypes} empty="All" />
                  </td>
                  <td>{ep.disabled ? <span className="badge badge-bad">Disabled</span> : <span className="badge badge-ok">Enabled</span>}</td>
                  <td className="nowrap">{relativeTime(ep.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.data && <Pager route={route} page={page.data} />}
    </>
  );
}
