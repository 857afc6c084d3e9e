import { useState } from 'react';
import type { StatsBucket, StatsSeries } from '../api/types';
import { BUCKET_MS } from '../lib/chart';
import { formatDuration } from '../lib/format';
import { useSession } from '../lib/session-context';
import { useApi } from '../lib/useApi';
import { LatencyChart, SuccessRateChart, VolumeChart, type Point } from './charts/StatsCharts';
import { ErrorMessage, Spinner } from './common';

const RANGES = {
  '1h': { label: 'Last hour', ms: 3_600_000, bucket: 'minute' },
  '24h': { label: '24 hours', ms: 86_400_000, bucket: 'hour' },
  '7d': { label: '7 days', ms: 7 * 86_400_000, bucket: 'hour' },
} as const satisfies Record<string, { label: string; ms: number; bucket: StatsBucket }>;
type Range = keyof typeof RANGES;
/** The charts follow new attempts this often while shown. */
const REFRESH_MS = 30_000;

/**
 * Volume, success rate and latency percentiles over the last hour, day or week, from `{base}/stats/series` (base:
 * an application's or an endpoint's path).
 */
export function StatsPanel({ base, title = 'Delivery stats' }: { base: string; title?: string }) {
  const { api } = useSession();
  const [range, setRange] = useState<Range>('24h');
  const r = RANGES[range];
  // The range ends now at each fetch: the key stays the same, so polling moves the window along.
  const stats = useApi(
    `stats:${base}:${range}`,
    (signal) => api.get<StatsSeries>(`${base}/stats/series`, { since: new Date(Date.now() - r.ms).toISOString(), bucket: r.bucket }, signal),
    { pollMs: REFRESH_MS, keep: true },
  );

  return (
    <section className="card stats" aria-label={title} data-testid="stats">
      <div className="page-head">
        <h2>{title}</h2>
        <div className="segmented" role="group" aria-label="Time range">
          {(Object.keys(RANGES) as Range[]).map((key) => (
            <button key={key} type="button" className={key === range ? 'segment segment-active' : 'segment'} aria-pressed={key === range} onClick={() => setRange(key)}>
              {RANGES[key].label}
            </button>
          ))}
        </div>
        <button type="button" className="button button-small" onClick={stats.reload} disabled={stats.loading}>
          Refresh
        </button>
      </div>
      {stats.error && <ErrorMessage error={stats.error} onRetry={stats.reload} />}
      {!stats.data && !stats.error && <Spinner />}
      {stats.data && <Charts data={stats.data} />}
    </section>
  );
}

function Charts({ data }: { data: StatsSeries }) {
  const points: Point[] = data.series.map((p) => ({ ...p, t: Date.parse(p.start), rate: p.attempts ? (100 * p.succeeded) / p.attempts : null }));
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
      <div className="charts">
        <div className="chart-wide">
          <VolumeChart {...range} />
        </div>
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
