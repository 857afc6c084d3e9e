import { formatSeconds } from '../lib/format';
import { FormField } from './FormField';

/** What the retry schedule field holds for an endpoint that is never retried (an empty schedule, not the server's). */
const NO_RETRIES = 'none';

/** A retry schedule as the form shows it: seconds separated by commas, "none", or empty for the server's. */
export const scheduleText = (schedule: number[] | null | undefined): string =>
  schedule == null ? '' : schedule.length === 0 ? NO_RETRIES : schedule.join(', ');

/** The form's text as the API takes it (null: the server's schedule), or why it cannot be one. */
export function parseSchedule(text: string): { value: number[] | null } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { value: null };
  if (trimmed.toLowerCase() === NO_RETRIES) return { value: [] };
  const parts = trimmed.split(/[\s,]+/).filter(Boolean);
  const value = parts.map(Number);
  if (value.some((n) => !Number.isFinite(n) || n < 0)) return { error: 'must be numbers of seconds separated by commas (5, 300, 1800), or "none"' };
  return { value };
}

/** The endpoint page's words for its schedule. */
export function scheduleSummary(schedule: number[] | null): string {
  if (schedule === null) return 'Server default';
  if (schedule.length === 0) return 'No retries';
  return `${schedule.map(formatSeconds).join(', ')} (${schedule.length} ${schedule.length === 1 ? 'retry' : 'retries'})`;
}

export const timeoutSummary = (seconds: number | null): string => (seconds === null ? 'Server default' : formatSeconds(seconds));

/** The two values with their setters, as useEndpointSettings keeps them. */
export interface DeliveryOverrides {
  retrySchedule: string;
  setRetrySchedule: (v: string) => void;
  requestTimeout: string;
  setRequestTimeout: (v: string) => void;
}

/**
 * The endpoint's own retry schedule and request timeout. Empty is the server's (HERALD_RETRY_SCHEDULE,
 * HERALD_REQUEST_TIMEOUT); "Use server default" empties a field, so saving goes back to the server's.
 */
export function DeliveryOverrideFields({ values: v, scheduleErrors, timeoutErrors }: {
  values: DeliveryOverrides;
  scheduleErrors: string[];
  timeoutErrors: string[];
}) {
  return (
    <>
      <FormField
        label="Retry schedule (seconds)"
        hint='Seconds to wait before each retry, such as 5, 300, 1800; "none" for no retries. Empty: the server default.'
        errors={scheduleErrors}
        control={(p) => (
          <span className="input-with-action">
            <input {...p} name="retrySchedule" className="mono" placeholder="Server default" value={v.retrySchedule} onChange={(e) => v.setRetrySchedule(e.target.value)} />
            {v.retrySchedule && <ResetButton what="retry schedule" onClick={() => v.setRetrySchedule('')} />}
          </span>
        )}
      />
      <FormField
        label="Request timeout (seconds)"
        hint="How long one attempt may take; at most the server's HERALD_REQUEST_TIMEOUT. Empty: the server default."
        errors={timeoutErrors}
        control={(p) => (
          <span className="input-with-action">
            {/* No max: the server's limit is its own setting, and its 422 says what it is. */}
            <input {...p} name="requestTimeout" type="number" min={0} step="any" placeholder="Server default" value={v.requestTimeout} onChange={(e) => v.setRequestTimeout(e.target.value)} />
            {v.requestTimeout && <ResetButton what="request timeout" onClick={() => v.setRequestTimeout('')} />}
          </span>
        )}
      />
    </>
  );
}

function ResetButton({ what, onClick }: { what: string; onClick: () => void }) {
  return (
    <button type="button" className="button button-small" aria-label={`Use the server default ${what}`} onClick={onClick}>
      Use server default
    </button>
  );
}
