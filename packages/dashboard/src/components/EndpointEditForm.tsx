import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { Endpoint } from '../api/types';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage } from './common';
import { EventTypePicker } from './EventTypePicker';

const list = (text: string): string[] | null => {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : null;
};

const FILTER_HINT = '{"body": {"invoice.currency": "EUR", "amount": {"$exists": true}}}';

/** The filter as typed: empty is no filter; otherwise a JSON object, or the reason it is not one. */
export function parseFilter(text: string): { value: unknown } | { error: string } {
  if (!text.trim()) return { value: null };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'must be a JSON object, like {"body": {…}}' };
    return { value };
  } catch (e) {
    return { error: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Changes an endpoint's settings with PATCH; a 422 about a field is shown next to it. */
export function EndpointEditForm({ path, endpoint, onSaved, onCancel }: {
  path: string;
  endpoint: Endpoint;
  onSaved: (ep: Endpoint) => void;
  onCancel: () => void;
}) {
  const { api } = useSession();
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description);
  const [eventTypes, setEventTypes] = useState<string[]>(endpoint.eventTypes ?? []);
  const [channels, setChannels] = useState((endpoint.channels ?? []).join(', '));
  const [throttle, setThrottle] = useState(endpoint.throttleRate ? String(endpoint.throttleRate) : '');
  const [ordered, setOrdered] = useState(endpoint.ordered);
  const [filter, setFilter] = useState(endpoint.filter ? JSON.stringify(endpoint.filter, null, 2) : '');
  const save = useAction((body: object) => api.patch<Endpoint>(path, body));

  const parsed = parseFilter(filter);
  const filterLocal = 'error' in parsed ? parsed.error : null;
  const apiError = save.error instanceof ApiError ? save.error : null;
  const about = (field: string) => apiError?.about(field) ?? [];
  const filterApi = about('filter');
  const otherError = save.error && !(apiError && apiError.fields.length > 0 && apiError.fields.every((f) => f.loc[1] === 'filter' || f.loc[1] === 'url'));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if ('error' in parsed) return;
    const saved = await save.run({
      url: url.trim(),
      description: description.trim(),
      eventTypes: eventTypes.length > 0 ? eventTypes : null,
      channels: list(channels),
      throttleRate: throttle.trim() ? Number(throttle) : null,
      ordered,
      filter: parsed.value,
    });
    if (saved) onSaved(saved);
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="Edit endpoint">
      <h2>Edit endpoint</h2>
      <label className="form-field">
        <span>Endpoint URL</span>
        <input name="url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        {about('url').map((m) => (
          <span key={m} className="field-error">{m}</span>
        ))}
      </label>
      <label className="form-field">
        <span>Description</span>
        <input name="description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <div className="form-field">
        <label htmlFor="edit-event-types">Event types</label>
        <EventTypePicker id="edit-event-types" value={eventTypes} onChange={setEventTypes} />
        <span className="hint">Leave empty to receive every event type.</span>
      </div>
      <label className="form-field">
        <span>Channels</span>
        <input name="channels" placeholder="Comma-separated; empty: every channel" value={channels} onChange={(e) => setChannels(e.target.value)} />
      </label>
      <label className="form-field">
        <span>Rate limit (messages per second)</span>
        <input name="throttleRate" type="number" min={1} placeholder="No limit" value={throttle} onChange={(e) => setThrottle(e.target.value)} />
      </label>
      <label className="check form-field-check">
        <input type="checkbox" checked={ordered} onChange={(e) => setOrdered(e.target.checked)} /> Deliver in order (one message at a time)
      </label>
      <label className="form-field">
        <span>Filter (JSON)</span>
        <textarea
          name="filter"
          className="mono"
          rows={5}
          spellCheck={false}
          placeholder={FILTER_HINT}
          aria-invalid={filterLocal !== null || filterApi.length > 0}
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            save.clearError();
          }}
        />
        <span className="hint">Deliver only messages whose body fields (dot paths) match. Empty: no filter.</span>
        {filterLocal && <span className="field-error" data-testid="filter-error">Filter {filterLocal}</span>}
        {filterApi.map((m) => (
          <span key={m} className="field-error" data-testid="filter-error">
            Filter {m}
          </span>
        ))}
      </label>
      {otherError && <ErrorMessage error={save.error} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.busy || filterLocal !== null}>
          {save.busy ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
