import { useState, type FormEvent } from 'react';
import { seg } from '../api/client';
import type { Endpoint } from '../api/types';
import { ErrorMessage } from '../components/common';
import { EventTypePicker } from '../components/EventTypePicker';
import { href, navigate } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';

const list = (text: string): string[] | null => {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : null;
};

/** A new endpoint; once created, its page shows it (with its secret one click away). */
export function EndpointCreate({ appId }: { appId: string }) {
  const { api } = useSession();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const [channels, setChannels] = useState('');
  const [throttle, setThrottle] = useState('');
  const [ordered, setOrdered] = useState(false);
  const create = useAction((body: object) => api.post<Endpoint>(`/api/v1/app/${seg(appId)}/endpoint`, body));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const created = await create.run({
      url: url.trim(),
      description: description.trim(),
      eventTypes: eventTypes.length > 0 ? eventTypes : null,
      channels: list(channels),
      throttleRate: throttle.trim() ? Number(throttle) : null,
      ordered,
    });
    if (created) navigate(href('apps', appId, 'endpoints', created.id, { created: '1' }));
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="New endpoint">
      <h2>Add an endpoint</h2>
      <label className="form-field">
        <span>Endpoint URL</span>
        <input name="url" type="url" required placeholder="https://example.com/webhooks" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <label className="form-field">
        <span>Description</span>
        <input name="description" placeholder="What receives these webhooks" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <div className="form-field">
        <label htmlFor="event-types">Event types</label>
        <EventTypePicker id="event-types" value={eventTypes} onChange={setEventTypes} />
        <span className="hint">Leave empty to receive every event type.</span>
      </div>
      <details className="advanced">
        <summary>Advanced</summary>
        <label className="form-field">
          <span>Channels</span>
          <input name="channels" placeholder="Comma-separated; empty: every channel" value={channels} onChange={(e) => setChannels(e.target.value)} />
        </label>
        <label className="form-field">
          <span>Rate limit (messages per second)</span>
          <input name="throttleRate" type="number" min={1} placeholder="No limit" value={throttle} onChange={(e) => setThrottle(e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={ordered} onChange={(e) => setOrdered(e.target.checked)} /> Deliver in order (one message at a time)
        </label>
      </details>
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
