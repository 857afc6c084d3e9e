/**
 * When to try a failed delivery again. Pure: everything it depends on comes in as arguments.
 *
 * - The wait after the n-th failed attempt is schedule[n-1] seconds; past the end of the schedule we give up.
 * - 410 Gone, or a receiver that answers `webhook-delivery: abort-message`, ends the retries at once.
 * - Overload (429, 502, 503, 504, or a timeout) waits at least 60 s.
 * - ±20 % jitter spreads retries of many deliveries that failed together.
 * - A Retry-After header is honoured as given (no jitter: the receiver named a time), clamped to
 *   [scheduled, 2 × scheduled] so a receiver can neither hurry retries nor stall them for long.
 */
export const OVERLOAD_PENALTY_SECONDS = 60;
export const JITTER = 0.2;
const OVERLOAD_STATUSES = new Set([429, 502, 503, 504]);

export interface FailedAttempt {
  /** How many attempts have now failed, this one included (1 after the first). */
  failedAttempts: number;
  /** HTTP status, or null when no response arrived. */
  statusCode: number | null;
  timedOut: boolean;
  /** The raw Retry-After header, if any. */
  retryAfter: string | null;
  /** The receiver asked to stop retrying this message (`webhook-delivery: abort-message`). */
  abortRequested: boolean;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date always names its day or month; without letters Date.parse would read "-5" as a year.
  if (!/[A-Za-z]/.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, (date - nowMs) / 1000);
}

export function nextRetry(
  attempt: FailedAttempt,
  schedule: readonly number[],
  nowMs: number,
  random: () => number = Math.random,
): RetryDecision {
  if (attempt.statusCode === 410 || attempt.abortRequested) return { retry: false };
  const scheduled = schedule[attempt.failedAttempts - 1];
  if (scheduled === undefined) return { retry: false };
  let base = scheduled;
  if (attempt.timedOut || (attempt.statusCode !== null && OVERLOAD_STATUSES.has(attempt.statusCode))) {
    base = Math.max(base, OVERLOAD_PENALTY_SECONDS);
  }
  const retryAfter = parseRetryAfter(attempt.retryAfter, nowMs);
  if (retryAfter !== null) {
    return { retry: true, delayMs: Math.round(Math.min(Math.max(retryAfter, base), 2 * base) * 1000) };
  }
  const jitter = 1 + JITTER * (2 * random() - 1);
  return { retry: true, delayMs: Math.round(base * 1000 * jitter) };
}
