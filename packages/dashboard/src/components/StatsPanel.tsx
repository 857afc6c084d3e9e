import { useRef, useState } from 'react';
import type { SeriesOut, StatsBucket } from '@herald/wire';
import type { ApiClient, EndpointRef } from '../api/client';
import { BUCKET_MS } from '../lib/chart';
import { formatDuration } from '../lib/format';
import { useSession } from '../lib/session-context';
import { firstActiveBucket, orderedPercentiles, PROBE_MS, RANGES, rangeForData, seriesSince, type Range } from '../lib/stats-range';
import { useApi } from '../lib/useApi';
import { LatencyChart, SuccessRateChart, VolumeChart, type Point } from './charts/StatsCharts';
import { ErrorMessage, Spinner } from './common';

/** The charts follow new attempts this often while shown. */
const REFRESH_MS = 30_000;
/** An oldest attempt this recent is looked up again by the minute: hours alone cannot tell 15 minutes from an hour. */
const REFINE_MS = 2 * 3_600_000;

interface Fitted {
  range: Range;
  /** The week by the hour it was chosen from: the first answer for a range by the hour, with no second query. */
  probe: SeriesOut;
}

/** Whose attempts: an application's, or one of its endpoints'. */
export type StatsOf = { app_id: string; endpoint_id?: undefined } | EndpointRef;

function seriesOf(api: ApiClient, of: StatsOf, since: number, bucket: StatsBucket, signal: AbortSignal): Promise<SeriesOut> {
  const query = { since: new Date(since).toISOString(), bucket };
  return of.endpoint_id === undefined
    ? api.call('GET /api/v1/app/:app_id/stats/series', { params: { app_id: of.app_id }, query, signal })
    : api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/stats/series', { params: of, query, signal });
}

/** The range that fits the attempts made so far: the oldest within a week, by the hour, then by the minute if recent. */
async function fittingRange(api: ApiClient, of: StatsOf, signal: AbortSignal): Promise<Fitted> {
  const now = Date.now();
  const series = (since: number, bucket: 'hour' | 'minute') => seriesOf(api, of, since, bucket, signal);
  const probe = await series(now - PROBE_MS, 'hour');
  let first = firstActiveBucket(probe.series);
  if (first !== null && now - first <= REFINE_MS) first = firstActiveBucket((await series(now - REFINE_MS, 'minute')).series) ?? first;
  return { range: rangeForData(first, now), probe };
}

/**
 * Volume, success rate and latency percentiles over a range, from the stats series of an application or an endpoint.
 * It opens on the shortest range that holds every attempt of the last week; the user picks another.
 */
export function StatsPanel({ of, title = 'Delivery stats' }: { of: StatsOf; title?: string }) {
  const { api } = useSession();
  const base = of.endpoint_id === undefined ? of.app_id : `${of.app_id}/${of.endpoint_id}`;
  const [picked, setPicked] = useState<Range | null>(null);
  const fitting = useApi(picked === null ? `stats-range:${base}` : null, (signal) => fittingRange(api, of, signal));
  const range = picked ?? fitting.data?.range ?? null;
  const r = range === null ? null : RANGES[range];
  // On a busy application the probe is the costly query: its answer serves once for a range by the hour.
  const probeUsed = useRef<SeriesOut | null>(null);
  // The range ends now at each fetch: the key stays the same, so polling moves the window along.
  const stats = useApi(
    r === null ? null : `stats:${base}:${range}`,
    (signal) => {
      const since = Date.now() - r!.ms;
      const probe = fitting.data?.probe;
      if (probe && probeUsed.current !== probe && r!.bucket === 'hour') {
        probeUsed.current = probe;
        return Promise.resolve(seriesSince(probe, since, BUCKET_MS.hour));
      }
      return seriesOf(api, of, since, r!.bucket, signal);
    },
    { pollMs: REFRESH_MS, keep: true },
  );
  const error = stats.error ?? (picked === null ? fitting.error : undefined);

  return (
    <section className="card stats" aria-label={title} data-testid="stats">
      <div className="page-head">
        <h2>{title}</h2>
        <div className="segmented" role="group" aria-label="Time range">
          {(Object.keys(RANGES) as Range[]).map((key) => (
            <button key={key} type="button" className={key === range ? 'segment segment-active' : 'segment'} aria-pressed={key === range} onClick={() => setPicked(key)}>
              {RANGES[key].label}
            </button>
          ))}
        </div>
        <button type="button" className="button button-small" onClick={stats.reload} disabled={stats.loading || r === null}>
          Refresh
        </button>
      </div>
      {error && <ErrorMessage error={error} onRetry={picked === null && fitting.error ? fitting.reload : stats.reload} />}
      {!stats.data && !error && <Spinner />}
      {stats.data && <Charts data={stats.data} />}
    </section>
  );
}

function Charts({ data }: { data: SeriesOut }) {
  const points: Point[] = orderedPercentiles(data.series.map((p) => ({ ...p, t: Date.parse(p.start), rate: p.attempts ? (100 * p.succeeded) / p.attempts : null })));
  const range = { points, since: Date.parse(data.since), until: Date.parse(data.until), bucketMs: BUCKET_MS[data.bucket] };
  const total = points.reduce((n, p) => n + p.attempts, 0);
  const ok = points.reduce((n, p) => n + p.succeeded, 0);
  const worstP95 = Math.max(-1, ...points.map((p) => p.p95Ms ?? -1));
  return (
    <>
      <dl className="stat-tiles" data-testid="stats-summary">
        <Tile label="Attempts" value={total.toLocaleString()} />
        <Tile label="Succeeded" value={ok.toLocaleString()} tone="ok" />
        <Tile label="Failed" value={(total - ok).toLocaleString()} tone={total > ok ? 'bad' : undefined} />
        <Tile label="Success rate" value={total ? `${((100 * ok) / total).toFixed(1)}%` : '—'} />
        <Tile label={`Highest p95 per ${data.bucket}`} value={worstP95 >= 0 ? formatDuration(worstP95) : '—'} />
      </dl>
      {total === 0 && <p className="muted small">No attempts in this range yet.</p>}
      {/* One column: every chart has the same plot width, margins and time domain, so a bucket sits at one x in all. */}
      <div className="charts">
        <VolumeChart {...range} />
        <SuccessRateChart {...range} />
        <LatencyChart {...range} />
      </div>
    </>
  );
}

function Tile({ label, value, tone }: { label: string; value: string; tone?: 'ok' | 'bad' }) {
  return (
    <div className="stat-tile">
      <dt>{label}</dt>
      <dd className={tone ? `tone-${tone}` : undefined}>{value}</dd>
    </div>
  );
}
