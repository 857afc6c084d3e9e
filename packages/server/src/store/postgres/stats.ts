import type pg from 'pg';
import type { StatsStore } from '../slices/stats.ts';
import { SERIES_PERCENTILES, emptySeries } from '../stats-types.ts';
import { Status } from '../types.ts';

/** Per bucket: counts and the nearest-rank percentiles of the durations (percentile_disc), in one aggregation. */
const seriesSql = (scope: string) => `
  SELECT (created_at - $2::bigint) / $3::bigint AS b, count(*)::int AS n, (count(*) FILTER (WHERE status = ${Status.Success}))::int AS ok,
    percentile_disc(ARRAY[${SERIES_PERCENTILES.join(', ')}]::float8[]) WITHIN GROUP (ORDER BY duration_ms) AS p
  FROM attempt
  WHERE ${scope} AND created_at >= $2::bigint AND created_at < $4::bigint
  GROUP BY 1`;

// An application's attempts are its endpoints' (deleting an endpoint deletes its attempts): one index range per endpoint.
const APP_SERIES = seriesSql('endpoint_id IN (SELECT id FROM endpoint WHERE app_id = $1)');
// The endpoint must be the application's; checked once, not per attempt, so the index alone answers.
const ENDPOINT_SERIES = seriesSql('endpoint_id = $5 AND EXISTS (SELECT 1 FROM endpoint WHERE id = $5 AND app_id = $1)');

/** Statistics over deliveries and the attempt log. */
export function postgresStats(pool: pg.Pool): StatsStore {
  return {
    async endpointStats(endpointId, since, until) {
      const { rows } = await pool.query(
        `SELECT d.status, count(*) AS n FROM delivery d JOIN message m ON m.id = d.message_id
         WHERE d.endpoint_id = $1 AND m.created_at >= $2 AND m.created_at < $3 GROUP BY d.status`,
        [endpointId, since ?? 0, until ?? Number.MAX_SAFE_INTEGER],
      );
      const count = (s: number): number => rows.find((r) => r.status === s)?.n ?? 0;
      return { success: count(Status.Success), pending: count(Status.Pending), sending: count(Status.Sending), fail: count(Status.Fail), canceled: count(Status.Canceled) };
    },

    async attemptSeries(q) {
      const series = emptySeries(q);
      if (series.length === 0) return series;
      const values: unknown[] = [q.appId, q.since, q.bucketMs, q.until];
      if (q.endpointId !== null) values.push(q.endpointId);
      const { rows } = await pool.query({
        name: q.endpointId === null ? 'herald_app_series' : 'herald_endpoint_series',
        text: q.endpointId === null ? APP_SERIES : ENDPOINT_SERIES,
        values,
      });
      for (const row of rows) {
        const point = series[Number(row.b)];
        if (!point) continue;
        const [p50, p95, p99] = row.p as (number | null)[];
        point.attempts = row.n;
        point.succeeded = row.ok;
        point.failed = row.n - row.ok;
        point.p50Ms = p50 ?? null;
        point.p95Ms = p95 ?? null;
        point.p99Ms = p99 ?? null;
      }
      return series;
    },
  };
}
