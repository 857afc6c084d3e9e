import type { FormEvent } from 'react';
import type { EndpointIn } from '@herald/wire';
import { ApiError } from '../api/client';
import { ErrorMessage } from '../components/common';
import { EndpointSettingsFields, SETTINGS_SHOWN, useEndpointSettings } from '../components/EndpointSettings';
import { EndpointTargetFields, TARGET_SHOWN, useEndpointTarget } from '../components/EndpointTargetFields';
import { href, navigate } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';

/** A new endpoint; once created, its page shows it (with its secret one click away). */
export function EndpointCreate({ appId }: { appId: string }) {
  const { api } = useSession();
  const target = useEndpointTarget();
  const settings = useEndpointSettings();
  const create = useAction((body: EndpointIn) => api.call('POST /api/v1/app/:app_id/endpoint', { params: { app_id: appId }, body }));

  const apiError = create.error instanceof ApiError ? create.error : null;
  const shownHere = [...TARGET_SHOWN, ...SETTINGS_SHOWN];
  const shownByField = apiError !== null && apiError.fields.length > 0 && apiError.fields.every((f) => shownHere.includes(f.loc[1] ?? ''));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (settings.scheduleError) return;
    const created = await create.run({ ...target.body(), ...settings.body() });
    if (created) navigate(href('apps', appId, 'endpoints', created.id, { created: '1' }));
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="New endpoint">
      <h2>Add an endpoint</h2>
      <EndpointTargetFields target={target} apiError={apiError} />
      <EndpointSettingsFields settings={settings} pickerId="event-types" fold descriptionPlaceholder="What receives these webhooks" apiError={apiError} />
      {create.error && !shownByField && <ErrorMessage error={create.error} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.busy || settings.scheduleError !== null}>
          {create.busy ? 'Creating…' : 'Create endpoint'}
        </button>
        <a className="button" href={href('apps', appId, 'endpoints')}>
          Cancel
        </a>
      </div>
    </form>
  );
}
