import { useState } from 'react';
import type { ApplicationOut } from '@herald/wire';
import { href, navigate } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { AppForm, type AppBody } from './AppForm';
import { ConfirmButton, ErrorMessage, Notice } from './common';

/**
 * #/apps/{app}/settings (admin tokens that may write): change the application's settings, or delete it with
 * everything it holds (endpoints, messages, attempts).
 */
export function AppSettings({ app, onSaved }: { app: ApplicationOut; onSaved: () => void }) {
  const { api } = useSession();
  const params = { app_id: app.id };
  const [saved, setSaved] = useState(false);
  // The form starts over from what is stored: once a save comes back (a new updatedAt), and on Cancel.
  const [revision, setRevision] = useState(0);
  const save = useAction((body: AppBody) => api.call('PATCH /api/v1/app/:app_id', { params, body }));
  const remove = useAction(async () => {
    await api.call('DELETE /api/v1/app/:app_id', { params });
    return true;
  });

  async function submit(body: AppBody) {
    setSaved(false);
    if (!(await save.run(body))) return;
    setSaved(true);
    onSaved();
  }

  async function doDelete() {
    if (await remove.run()) navigate(href('apps', { deleted: app.name }));
  }

  return (
    <div className="stack">
      {saved && <Notice tone="success">Settings saved.</Notice>}
      <AppForm
        key={`${app.updatedAt}:${revision}`}
        initial={app}
        title="Settings"
        submitLabel="Save settings"
        busyLabel="Saving…"
        busy={save.busy}
        error={save.error}
        onSubmit={(body) => void submit(body)}
        onCancel={() => {
          save.clearError();
          setRevision((n) => n + 1);
        }}
      />
      <section className="card" aria-label="Delete application">
        <h3>Delete this application</h3>
        <p className="muted small">Its endpoints, messages and attempt log go with it. This cannot be undone.</p>
        {remove.error && <ErrorMessage error={remove.error} />}
        <ConfirmButton label="Delete application…" confirmLabel={`Delete ${app.name}`} onConfirm={() => void doDelete()} busy={remove.busy} danger />
      </section>
    </div>
  );
}
