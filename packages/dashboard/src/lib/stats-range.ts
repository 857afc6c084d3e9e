/**
 * Which time range the charts open on, and the percentile series they draw: pure functions with no imports, so the
 * server's test runner can load them too (packages/server/test/dashboard/dashboard-stats-range.unit.test.ts).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The ranges offered, shortest first; minute buckets up to an hour, so a few minutes of data are a few wide bars. */
export const RANGES = {
  '15m': { label: '15 minutes', ms: 15 * MINUTE, bucket: 'minute' },
  '1h': { label: 'Last hour', ms: HOUR, bucket: 'minute' },
  '24h': { label: '24 hours', ms: DAY, bucket: 'hour' },
  '7d': { label: '7 days', ms: 7 * DAY, bucket: 'hour' },
} as const satisfies Record<string, { label: string; ms: number; bucket: 'minute' | 'hour' }>;
export type Range = keyof typeof RANGES;
const SHORTEST_FIRST = Object.keys(RANGES) as Range[];
/** With no attempts at all there is nothing to fit: the last hour, where the first ones will show. */
export const EMPTY_RANGE: Range = '1h';
/** How far back the charts look for the oldest attempt when choosing a range (the longest range). */
export const PROBE_MS = RANGES['7d'].ms;

/**
 * The shortest range that still shows the oldest attempt made at `firstAt` (null: none at all), so that minutes of
 * data fill the chart instead of one bar at its right edge; the longest range when even that does not reach.
 */
export function rangeForData(firstAt: number | null, now: number): Range {
  if (firstAt === null) return EMPTY_RANGE;
  const span = Math.max(0, now - firstAt);
  return SHORTEST_FIRST.find((r) => span <= RANGES[r].ms) ?? '7d';
}

/** The start (epoch ms) of the oldest bucket with attempts, or null when there are none. */
export function firstActiveBucket(series: readonly { start: string; attempts: number }[]): number | null {
  let first: number | null = null;
  for (const p of series) {
    if (p.attempts === 0) continue;
    const t = Date.parse(p.start);
    if (first === null || t < first) first = t;
  }
  return first;
}

/**
 * The part of a series from `since` on, as the API would answer for that range with the same bucket (it widens
 * `since` down to a whole bucket): the range probe's week by the hour also holds the last 24 hours by the hour.
 */
export function seriesSince<S extends { since: string; series: { start: string }[] }>(data: S, since: number, bucketMs: number): S {
  const from = Math.floor(since / bucketMs) * bucketMs;
  if (from <= Date.parse(data.since)) return data;
  return { ...data, since: new Date(from).toISOString(), series: data.series.filter((p) => Date.parse(p.start) >= from) };
}

interface Percentiles {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * The buckets in time order, each with p50 <= p95 <= p99 (a missing percentile takes the one below it): lines drawn
 * from them never run back in time, and the p99 line never dips under the p95 one.
 */
export function orderedPercentiles<P extends Percentiles & { t: number }>(points: readonly P[]): P[] {
  return [...points]
    .sort((a, b) => a.t - b.t)
    .map((p) => {
      const p50 = p.p50Ms;
      const p95 = maxOf(p.p95Ms, p50);
      const p99 = maxOf(p.p99Ms, p95);
      return { ...p, p50Ms: p50, p95Ms: p95, p99Ms: p99 };
    });
}

const maxOf = (v: number | null, floor: number | null) => (v === null ? floor : floor === null ? v : Math.max(v, floor));
