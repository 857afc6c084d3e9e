import type { Application } from '../api/types';
import { PagedTable } from '../components/PagedTable';
import { Mono } from '../components/common';
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
      <PagedTable
        page={page}
        route={route}
        headers={['Name', 'UID', 'ID', 'Created']}
        empty={
          <>
            <p>No applications yet.</p>
            <p className="muted">
              Create one with <Mono>POST /api/v1/app</Mono> or any Svix SDK.
            </p>
          </>
        }
        row={(app) => (
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
        )}
      />
    </section>
  );
}
