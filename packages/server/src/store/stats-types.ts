/** Time series of delivery attempts (the dashboard's charts), as the store computes them. Times are epoch milliseconds. */

/** Which attempts, in which buckets: [since, until) cut into buckets of bucketMs starting at since (the last may be short). */
export interface AttemptSeriesQuery {
  appId: string;
  /** One endpoint of the application; null: the whole application. */
  endpointId: string | null;
  since: number;
  until: number;
  bucketMs: number;
}

/** One bucket. Percentiles are of the attempts' durations, null when the bucket has no attempt. */
export interface AttemptSeriesPoint {
  start: number;
  attempts: number;
  succeeded: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * The percentiles reported, nearest rank (PostgreSQL's percentile_disc): of n durations in ascending order, the p-th
 * percentile is the one at 1-based rank ceil(p * n), at least 1. Always a duration that was measured.
 */
export const SERIES_PERCENTILES = [0.5, 0.95, 0.99] as const;

export const percentileRank = (p: number, n: number): number => Math.max(1, Math.ceil(p * n));

export const bucketCount = (since: number, until: number, bucketMs: number): number => Math.max(0, Math.ceil((until - since) / bucketMs));

/** Every bucket of the range, empty; the stores fill in the ones that had attempts. */
export function emptySeries(q: AttemptSeriesQuery): AttemptSeriesPoint[] {
  const series: AttemptSeriesPoint[] = [];
  for (let i = 0, n = bucketCount(q.since, q.until, q.bucketMs); i < n; i++) {
    series.push({ start: q.since + i * q.bucketMs, attempts: 0, succeeded: 0, failed: 0, p50Ms: null, p95Ms: null, p99Ms: null });
  }
  return series;
}
