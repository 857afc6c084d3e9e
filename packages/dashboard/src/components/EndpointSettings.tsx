import { useState, type ReactNode } from 'react';
import type { EndpointOut } from '@herald/wire';
import { EventTypePicker } from './EventTypePicker';

const list = (text: string): string[] | null => {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : null;
};

/** The settings an endpoint's create and edit forms share, as form state, starting from an endpoint's (or empty). */
export function useEndpointSettings(from?: EndpointOut) {
  const [description, setDescription] = useState(from?.description ?? '');
  const [eventTypes, setEventTypes] = useState<string[]>(from?.eventTypes ?? []);
  const [channels, setChannels] = useState((from?.channels ?? []).join(', '));
  const [throttle, setThrottle] = useState(from?.throttleRate ? String(from.throttleRate) : '');
  const [concurrency, setConcurrency] = useState(from?.concurrency ? String(from.concurrency) : '');
  const [ordered, setOrdered] = useState(from?.ordered ?? false);
  return {
    description, setDescription, eventTypes, setEventTypes, channels, setChannels, throttle, setThrottle,
    concurrency, setConcurrency, ordered, setOrdered,
    /** As the API takes them. */
    body: () => ({
      description: description.trim(),
      eventTypes: eventTypes.length > 0 ? eventTypes : null,
      channels: list(channels),
      throttleRate: throttle.trim() ? Number(throttle) : null,
      concurrency: concurrency.trim() ? Number(concurrency) : null,
      ordered,
    }),
  };
}

export type EndpointSettings = ReturnType<typeof useEndpointSettings>;

/** Description, event types, and (folded away under Advanced when `fold`) channels, rate limit, concurrency and ordering. */
export function EndpointSettingsFields({ settings: s, pickerId, fold, descriptionPlaceholder }: {
  settings: EndpointSettings;
  pickerId: string;
  fold: boolean;
  descriptionPlaceholder?: string;
}) {
  const advanced: ReactNode = (
    <>
      <label className="form-field">
        <span>Channels</span>
        <input name="channels" placeholder="Comma-separated; empty: every channel" value={s.channels} onChange={(e) => s.setChannels(e.target.value)} />
      </label>
      <label className="form-field">
        <span>Rate limit (messages per second)</span>
        <input name="throttleRate" type="number" min={1} placeholder="No limit" value={s.throttle} onChange={(e) => s.setThrottle(e.target.value)} />
      </label>
      <label className="form-field">
        <span>Concurrency (requests in flight at once)</span>
        <input name="concurrency" type="number" min={1} max={1000} placeholder="Server default" value={s.concurrency} onChange={(e) => s.setConcurrency(e.target.value)} />
      </label>
      <label className={fold ? 'check' : 'check form-field-check'}>
        <input type="checkbox" checked={s.ordered} onChange={(e) => s.setOrdered(e.target.checked)} /> Deliver in order (one message at a time)
      </label>
    </>
  );
  return (
    <>
      <label className="form-field">
        <span>Description</span>
        <input name="description" placeholder={descriptionPlaceholder} value={s.description} onChange={(e) => s.setDescription(e.target.value)} />
      </label>
      <div className="form-field">
        <label htmlFor={pickerId}>Event types</label>
        <EventTypePicker id={pickerId} value={s.eventTypes} onChange={s.setEventTypes} />
        <span className="hint">Leave empty to receive every event type.</span>
      </div>
      {fold ? (
        <details className="advanced">
          <summary>Advanced</summary>
          {advanced}
        </details>
      ) : advanced}
    </>
  );
}
