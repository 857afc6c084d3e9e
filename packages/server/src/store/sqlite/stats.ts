import { HeraldError } from '../../lib/errors.ts';
import type { StatsStore } from '../slices/stats.ts';
import { SERIES_PERCENTILES, emptySeries, percentileRank } from '../stats-types.ts';
import { Status } from '../types.ts';
import type { SqliteConnection } from './connection.ts';

/**
 * At most this many attempts are read for one series: SQLite reads block the process (delivery included), and this
 * many take a few hundred milliseconds. A range with more is refused (422), asking for a shorter one.
 */
const SQLITE_SERIES_MAX_ATTEMPTS = 1_000_000;

/**
 * SQLite has no percentile function, and ranking rows with window functions costs several sorts. Instead each attempt
 * comes back as one number, bucket * 2^32 + duration * 2 + (succeeded ? 1 : 0), read from the index alone
 * (attempt_by_endpoint_time): sorted, the numbers of a bucket are adjacent and in order of duration, so counts and
 * nearest-rank percentiles are one walk over a Float64Array. Exact below 2^53: buckets < 2^21, durations < 2^31.
 */
const BUCKET_UNIT = 2 ** 32;
const MAX_BUCKETS = 2 ** 20;
const MAX_DURATION = 2 ** 31 - 1;

const seriesSql = (scope: string) => `
  SELECT CAST((created_at - @since) / @bucket AS INTEGER) * ${BUCKET_UNIT} + min(duration_ms, ${MAX_DURATION}) * 2 + (status = ${Status.Success})
  FROM attempt WHERE ${scope} AND created_at >= @since AND created_at < @until
  LIMIT ${SQLITE_SERIES_MAX_ATTEMPTS + 1}`;

// An application's attempts are its endpoints' (deleting an endpoint deletes its attempts): one index range per endpoint.
const APP_SERIES = seriesSql('endpoint_id IN (SELECT id FROM endpoint WHERE app_id = @appId)');
// The endpoint must be the application's; checked once, not per attempt, so the index alone answers.
const ENDPOINT_SERIES = seriesSql('endpoint_id = @endpointId AND EXISTS (SELECT 1 FROM endpoint WHERE id = @endpointId AND app_id = @appId)');

/** Statistics over the attempt log. */
export function sqliteStats(c: SqliteConnection): StatsStore {
  return {
    async endpointStats(endpointId, since, until) {
      const rows = c.stmt(
        `SELECT d.status AS status, COUNT(*) AS n FROM delivery d JOIN message m ON m.id = d.message_id
         WHERE d.endpoint_id = ? AND m.created_at >= ? AND m.created_at < ? GROUP BY d.status`,
      ).all(endpointId, since ?? 0, until ?? Number.MAX_SAFE_INTEGER) as { status: number; n: number }[];
      const count = (s: number) => rows.find((r) => r.status === s)?.n ?? 0;
      return { success: count(Status.Success), pending: count(Status.Pending), sending: count(Status.Sending), fail: count(Status.Fail), canceled: count(Status.Canceled) };
    },

    async attemptSeries(q) {
      const series = emptySeries(q);
      if (series.length === 0) return series;
      if (series.length > MAX_BUCKETS) throw new Error(`at most ${MAX_BUCKETS} buckets`);
      const params = { appId: q.appId, since: q.since, until: q.until, bucket: q.bucketMs, ...(q.endpointId === null ? {} : { endpointId: q.endpointId }) };
      const packed = c.stmt(q.endpointId === null ? APP_SERIES : ENDPOINT_SERIES).pluck().all(params) as number[];
      if (packed.length > SQLITE_SERIES_MAX_ATTEMPTS) {
        throw HeraldError.validation(['query', 'since'], `more than ${SQLITE_SERIES_MAX_ATTEMPTS} attempts in this range: choose a shorter one`);
      }
      const sorted = Float64Array.from(packed).sort();
      for (let start = 0; start < sorted.length;) {
        const b = Math.floor(sorted[start]! / BUCKET_UNIT);
        let end = start;
        let succeeded = 0;
        for (; end < sorted.length && sorted[end]! < (b + 1) * BUCKET_UNIT; end++) succeeded += sorted[end]! % 2;
        const point = series[b];
        if (point) {
          const n = end - start;
          const at = (p: number) => Math.floor((sorted[start + percentileRank(p, n) - 1]! % BUCKET_UNIT) / 2);
          const [p50, p95, p99] = SERIES_PERCENTILES.map(at);
          Object.assign(point, { attempts: n, succeeded, failed: n - succeeded, p50Ms: p50, p95Ms: p95, p99Ms: p99 });
        }
        start = end;
      }
      return series;
    },
  };
}
