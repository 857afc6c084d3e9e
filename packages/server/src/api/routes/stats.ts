import { HeraldError } from '../../lib/errors.ts';
import { iso } from '../../lib/time.ts';
import { bucketCount, type AttemptSeriesPoint } from '../../store/stats-types.ts';
import type { App } from '../../store/types.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireApp, requireEndpoint } from '../lookup.ts';
import { parseTime } from '../paging.ts';
import { AppParams, EndpointParams, SeriesOut, SeriesQuery, type SeriesPointOut } from '@herald/wire';

/** Attempt statistics over time (the dashboard's charts): success, failures, latency percentiles, volume per bucket. */

const tags = ['Statistics'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const BUCKET_MS = { minute: MINUTE, hour: HOUR, day: DAY } as const;
type Bucket = keyof typeof BUCKET_MS;
/** Without ?since: the day before ?until (or now). */
const DEFAULT_RANGE_MS = DAY;
export const MAX_RANGE_MS = 90 * DAY;
/** Without ?bucket: the finest bucket giving at most this many. */
const TARGET_BUCKETS = 300;
/** With ?bucket: refused above this many. */
export const MAX_BUCKETS = 1000;

const description =
  'Attempts made in [since, until), in buckets aligned to UTC minutes, hours or days: counts (succeeded: a 2xx answer) and ' +
  'the nearest-rank 50th, 95th and 99th percentiles of their durations (null in a bucket without attempts). Empty buckets ' +
  'are included. `since` is rounded down and `until` up to whole buckets; the answer gives the range it covers. Defaults: ' +
  `until now, since a day before until, the finest bucket giving at most ${TARGET_BUCKETS}. At most 90 days and ${MAX_BUCKETS} buckets.`;

const alignedCount = (since: number, until: number, ms: number) => bucketCount(Math.floor(since / ms) * ms, Math.ceil(until / ms) * ms, ms);

/** The range and bucket a query asks for, aligned to whole buckets; 422 when it is too long or too fine. */
export function seriesRange(q: SeriesQuery, now: number): { bucket: Bucket; since: number; until: number } {
  const until = parseTime(q.until, 'until') ?? now;
  const since = parseTime(q.since, 'since') ?? until - DEFAULT_RANGE_MS;
  if (since >= until) throw HeraldError.validation(['query', 'since'], 'since must be before until');
  if (until - since > MAX_RANGE_MS) throw HeraldError.validation(['query', 'since'], 'the range must not be longer than 90 days');
  const bucket = q.bucket ?? (['minute', 'hour', 'day'] as const).find((b) => alignedCount(since, until, BUCKET_MS[b]) <= TARGET_BUCKETS) ?? 'day';
  const ms = BUCKET_MS[bucket];
  const count = alignedCount(since, until, ms);
  if (count > MAX_BUCKETS) {
    throw HeraldError.validation(['query', 'bucket'], `this range has ${count} buckets of a ${bucket}; at most ${MAX_BUCKETS}: choose a longer bucket or a shorter range`);
  }
  return { bucket, since: Math.floor(since / ms) * ms, until: Math.ceil(until / ms) * ms };
}

const pointOut = (p: AttemptSeriesPoint): SeriesPointOut => ({
  start: iso(p.start), attempts: p.attempts, succeeded: p.succeeded, failed: p.failed, p50Ms: p.p50Ms, p95Ms: p.p95Ms, p99Ms: p.p99Ms,
});

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'catalog' | 'stats' | 'endpoints'>;

export function registerStatsRoutes(api: Api, ctx: RouteContext): void {
  async function series(app: App, endpointId: string | null, q: SeriesQuery): Promise<SeriesOut> {
    const range = seriesRange(q, Date.now());
    const points = await ctx.stats.attemptSeries({
      appId: app.id, endpointId, since: range.since, until: range.until, bucketMs: BUCKET_MS[range.bucket],
    });
    return { bucket: range.bucket, since: iso(range.since), until: iso(range.until), series: points.map(pointOut) };
  }

  api.get('/api/v1/app/:app_id/stats/series', {
    schema: {
      tags, summary: "The application's attempts over time", description,
      params: AppParams, querystring: SeriesQuery, response: { 200: SeriesOut },
    },
  }, async (req) => series(await requireApp(ctx, req.params.app_id), null, req.query));

  api.get('/api/v1/app/:app_id/endpoint/:endpoint_id/stats/series', {
    schema: {
      tags, summary: "An endpoint's attempts over time", description,
      params: EndpointParams, querystring: SeriesQuery, response: { 200: SeriesOut },
    },
  }, async (req) => {
    const { app, endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    return series(app, endpoint.id, req.query);
  });
}
