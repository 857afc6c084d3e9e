import type { Application } from '../api/types';
import { ErrorMessage, Mono, Spinner } from '../components/common';
import { Pager } from '../components/Pager';
import { formatTime } from '../lib/format';
import { href, type Route } from '../lib/router';
import { usePage } from '../lib/usePage';

export function AppList({ route }: { route: Route }) {
  const page = usePage<Application>('/api/v1/app', route);

  return (
    <section>
      <div className="page-head">
        <h1>Applications</h1>
        <button type="button" className="button button-small" onClick={page.reload} disabled={page.loading}>
          Refresh
        </button>
      </div>
      {page.error && <ErrorMessage error={page.error} onRetry={page.reload} />}
      {!page.data && !page.error && <Spinner />}
      {page.data && page.data.data.length === 0 && (
        <div className="empty-state">
          <p>No applications yet.</p>
          <p className="muted">
            Create one with <Mono>POST /api/v1/app</Mono> or any Svix SDK.
          </p>
        </div>
      )}
      {page.data && page.data.data.length > 0 && (
        <div className="table-wrap">
          <table className="list">
            <thead>
              <tr>
                <th>Name</th>
                <th>UID</th>
                <th>ID</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.data.map((app) => (
                <tr key={app.id}>
                  <td>
                    <a href={href('apps', app.id, 'endpoints')}>{app.name}</a>
                  </td>
                  <td>{app.uid ? <Mono>{app.uid}</Mono> : <span className="muted">—</span>}</td>
                  <td>
                    <Mono>{app.id}</Mono>
                  </td>
                  <td className="nowrap">{formatTime(app.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.data && <Pager route={route} page={page.data} />}
    </section>
  );
}
