import { useState } from 'react';
import { AppForm, type AppBody } from '../components/AppForm';
import { PagedTable } from '../components/PagedTable';
import { Mono, Notice } from '../components/common';
import { formatTime } from '../lib/format';
import { href, navigate, type Route } from '../lib/router';
import { canWrite, isAdmin, useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { usePage } from '../lib/usePage';

/** #/apps: every application, and (for admin tokens that may write) a new one. */
export function AppList({ route }: { route: Route }) {
  const { api, me } = useSession();
  const page = usePage('GET /api/v1/app', {}, route);
  const [creating, setCreating] = useState(false);
  const create = useAction((body: AppBody) => api.call('POST /api/v1/app', { body }));
  const mayCreate = isAdmin(me) && canWrite(me);

  async function submit(body: AppBody) {
    const made = await create.run(body);
    if (made) navigate(href('apps', made.id, 'endpoints'));
  }

  return (
    <section>
      <div className="page-head">
        <h1>Applications</h1>
        <button type="button" className="button button-small" onClick={page.reload} disabled={page.loading}>
          Refresh
        </button>
        {mayCreate && !creating && (
          <button type="button" className="button button-primary button-small" onClick={() => setCreating(true)}>
            New application
          </button>
        )}
      </div>
      {route.query.get('deleted') && <Notice tone="success">Application {route.query.get('deleted')} deleted.</Notice>}
      {creating && (
        <AppForm
          title="New application"
          submitLabel="Create application"
          busyLabel="Creating…"
          busy={create.busy}
          error={create.error}
          onSubmit={(body) => void submit(body)}
          onCancel={() => {
            setCreating(false);
            create.clearError();
          }}
        />
      )}
      <PagedTable
        page={page}
        route={route}
        headers={['Name', 'UID', 'ID', 'Created']}
        empty={
          <>
            <p>No applications yet.</p>
            <p className="muted">
              An application is one customer (or team) that receives webhooks. Create one {mayCreate ? 'with New application, ' : ''}with{' '}
              <Mono>herald app create</Mono>, <Mono>POST /api/v1/app</Mono> or any Svix SDK.
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
