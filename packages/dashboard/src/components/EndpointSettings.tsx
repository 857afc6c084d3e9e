import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { EndpointOut } from '@herald/wire';
import type { ApiError } from '../api/client';
import { DeliveryOverrideFields, parseSchedule, scheduleText } from './DeliveryOverrides';
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
  const [retrySchedule, setRetrySchedule] = useState(scheduleText(from?.retrySchedule));
  const [requestTimeout, setRequestTimeout] = useState(from?.requestTimeout != null ? String(from.requestTimeout) : '');
  const schedule = parseSchedule(retrySchedule);
  return {
    description, setDescription, eventTypes, setEventTypes, channels, setChannels, throttle, setThrottle,
    concurrency, setConcurrency, ordered, setOrdered, retrySchedule, setRetrySchedule, requestTimeout, setRequestTimeout,
    /** What is wrong with the retry schedule as typed (checked here: the API would only say "expected a number"). */
    scheduleError: 'error' in schedule ? `Retry schedule ${schedule.error}` : null,
    /** As the API takes them. */
    body: () => ({
      description: description.trim(),
      eventTypes: eventTypes.length > 0 ? eventTypes : null,
      channels: list(channels),
      throttleRate: throttle.trim() ? Number(throttle) : null,
      concurrency: concurrency.trim() ? Number(concurrency) : null,
      ordered,
      retrySchedule: 'value' in schedule ? schedule.value : null,
      requestTimeout: requestTimeout.trim() ? Number(requestTimeout) : null,
    }),
  };
}

export type EndpointSettings = ReturnType<typeof useEndpointSettings>;

/** The body fields whose 422 messages EndpointSettingsFields shows beside them. */
export const SETTINGS_SHOWN = ['retrySchedule', 'requestTimeout'];

/**
 * Description, event types, and (folded away under Advanced when `fold`) channels, rate limit, concurrency, ordering,
 * retry schedule and request timeout. The fold opens by itself when one of its fields is in error, so the message
 * is not hidden.
 */
export function EndpointSettingsFields({ settings: s, pickerId, fold, descriptionPlaceholder, apiError }: {
  settings: EndpointSettings;
  pickerId: string;
  fold: boolean;
  descriptionPlaceholder?: string;
  apiError: ApiError | null;
}) {
  const scheduleErrors = [...(s.scheduleError ? [s.scheduleError] : []), ...(apiError?.about('retrySchedule') ?? [])];
  const timeoutErrors = apiError?.about('requestTimeout') ?? [];
  const inError = scheduleErrors.length + timeoutErrors.length > 0;
  const details = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (inError && details.current) details.current.open = true;
  }, [inError]);
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
      <label className="check form-field-check">
        <input type="checkbox" checked={s.ordered} onChange={(e) => s.setOrdered(e.target.checked)} /> Deliver in order (one message at a time)
      </label>
      <DeliveryOverrideFields values={s} scheduleErrors={scheduleErrors} timeoutErrors={timeoutErrors} />
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
        <details className="advanced" ref={details}>
          <summary>Advanced</summary>
          {advanced}
        </details>
      ) : advanced}
    </>
  );
}
