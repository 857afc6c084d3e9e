import { useState, type FormEvent } from 'react';
import type { EndpointIn } from '@herald/wire';
import { ErrorMessage } from '../components/common';
import { EndpointSettingsFields, useEndpointSettings } from '../components/EndpointSettings';
import { href, navigate } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';

/** A new endpoint; once created, its page shows it (with its secret one click away). */
export function EndpointCreate({ appId }: { appId: string }) {
  const { api } = useSession();
  const [url, setUrl] = useState('');
  const settings = useEndpointSettings();
  const create = useAction((body: EndpointIn) => api.call('POST /api/v1/app/:app_id/endpoint', { params: { app_id: appId }, body }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const created = await create.run({ url: url.trim(), ...settings.body() });
    if (created) navigate(href('apps', appId, 'endpoints', created.id, { created: '1' }));
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="New endpoint">
      <h2>Add an endpoint</h2>
      <label className="form-field">
        <span>Endpoint URL</span>
        <input name="url" type="url" required placeholder="https://example.com/webhooks" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <EndpointSettingsFields settings={settings} pickerId="event-types" fold descriptionPlaceholder="What receives these webhooks" />
      {create.error && <ErrorMessage error={create.error} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.busy}>
          {create.busy ? 'Creating…' : 'Create endpoint'}
        </button>
        <a className="button" href={href('apps', appId, 'endpoints')}>
          Cancel
        </a>
      </div>
    </form>
  );
}
