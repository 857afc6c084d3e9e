import type { SeriesPointOut } from '@herald/wire';
import { bucketLabel, isolated, linePath, niceTicks } from '../../lib/chart';
import { formatDuration } from '../../lib/format';
import { ChartFrame, type Scale } from './ChartFrame';

/** A bucket of the series with its start in epoch ms and its success rate (null without attempts). */
export interface Point extends SeriesPointOut {
  t: number;
  rate: number | null;
}

export interface ChartProps {
  points: Point[];
  since: number;
  until: number;
  bucketMs: number;
}

const percent = (v: number) => `${Math.round(v)}%`;
const rateText = (p: Point) => (p.rate === null ? 'no attempts' : `${p.rate.toFixed(1)}% succeeded`);

/** Attempts per bucket: succeeded (green) at the bottom, failed (red) on top. */
export function VolumeChart({ points, ...range }: ChartProps) {
  const ticks = niceTicks(Math.max(0, ...points.map((p) => p.attempts)), 4, true);
  const gap = (band: number) => (band > 4 ? Math.min(2, band * 0.15) : 0);
  return (
    <ChartFrame
      title="Volume"
      testId="chart-volume"
      {...range}
      points={points}
      yTicks={ticks}
      yLabel={String}
      legend={[['Succeeded', 'swatch-ok'], ['Failed', 'swatch-bad']]}
      tip={(p) => `${bucketLabel(p.t, range.bucketMs)}\n${p.attempts} attempts: ${p.succeeded} succeeded, ${p.failed} failed`}
    >
      {(s: Scale) =>
        points.map((p) => {
          const x = s.x(p.t) + gap(s.band);
          const w = Math.max(0.75, s.band - 2 * gap(s.band));
          const okTop = s.y(p.succeeded);
          return (
            <g key={p.t}>
              {p.succeeded > 0 && <rect className="bar bar-ok" x={x} y={okTop} width={w} height={s.base - okTop} />}
              {p.failed > 0 && <rect className="bar bar-bad" x={x} y={s.y(p.succeeded + p.failed)} width={w} height={okTop - s.y(p.succeeded + p.failed)} />}
            </g>
          );
        })
      }
    </ChartFrame>
  );
}

/** The share of attempts that got a 2xx answer, per bucket; no line through buckets without attempts. */
export function SuccessRateChart({ points, ...range }: ChartProps) {
  return (
    <ChartFrame
      title="Success rate"
      testId="chart-success"
      {...range}
      points={points}
      yTicks={[0, 25, 50, 75, 100]}
      yLabel={percent}
      legend={[['2xx answers', 'swatch-accent']]}
      tip={(p) => `${bucketLabel(p.t, range.bucketMs)}\n${rateText(p)}${p.attempts ? ` (${p.succeeded} of ${p.attempts})` : ''}`}
    >
      {(s: Scale) => <Line className="line-accent" points={points.map((p) => ({ x: s.mid(p.t), y: p.rate === null ? null : s.y(p.rate) }))} />}
    </ChartFrame>
  );
}

const LATENCY = [
  ['p50', 'p50Ms', 'line-p50'],
  ['p95', 'p95Ms', 'line-p95'],
  ['p99', 'p99Ms', 'line-p99'],
] as const;

/** The 50th, 95th and 99th percentiles of the attempts' durations per bucket. */
export function LatencyChart({ points, ...range }: ChartProps) {
  const max = Math.max(0, ...points.map((p) => p.p99Ms ?? p.p95Ms ?? p.p50Ms ?? 0));
  const ms = (v: number | null) => (v === null ? '—' : formatDuration(v));
  return (
    <ChartFrame
      title="Latency"
      testId="chart-latency"
      {...range}
      points={points}
      yTicks={niceTicks(max, 4, true)}
      yLabel={formatDuration}
      legend={LATENCY.map(([label, , cls]) => [label, cls.replace('line', 'swatch')])}
      tip={(p) => `${bucketLabel(p.t, range.bucketMs)}\np50 ${ms(p.p50Ms)} · p95 ${ms(p.p95Ms)} · p99 ${ms(p.p99Ms)}`}
    >
      {(s: Scale) =>
        LATENCY.map(([label, key, cls]) => (
          <Line key={label} className={cls} points={points.map((p) => ({ x: s.mid(p.t), y: p[key] === null ? null : s.y(p[key]) }))} />
        ))
      }
    </ChartFrame>
  );
}

function Line({ points, className }: { points: { x: number; y: number | null }[]; className: string }) {
  return (
    <g className={className}>
      <path className="line" d={linePath(points)} />
      {isolated(points).map((p) => (
        <circle key={p.x} className="dot" cx={p.x} cy={p.y ?? 0} r={3.5} />
      ))}
    </g>
  );
}
