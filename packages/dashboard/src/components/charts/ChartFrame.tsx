import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { timeTicks } from '../../lib/chart';

/** Where things go in a chart: x of a time, the width of one bucket, y of a value. */
export interface Scale {
  x: (t: number) => number;
  /** The x of the middle of the bucket starting at t. */
  mid: (t: number) => number;
  band: number;
  y: (v: number) => number;
  /** The y of the x axis (the value 0). */
  base: number;
}

export interface Bucketed {
  t: number;
}

const HEIGHT = 190;
const M = { top: 10, right: 12, bottom: 24, left: 54 };

/** The chart's width follows its box (text in the SVG stays at its size, as a viewBox would not keep it). */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

export interface FrameProps<P extends Bucketed> {
  title: string;
  testId: string;
  since: number;
  until: number;
  bucketMs: number;
  points: P[];
  /** Values of the y axis's ticks, from 0 up; the last is the top. */
  yTicks: number[];
  yLabel: (v: number) => string;
  legend: [label: string, className: string][];
  /** The text shown when hovering over a bucket. */
  tip: (p: P) => string;
  children: (scale: Scale) => ReactNode;
}

/** An SVG chart's frame: gridlines and labels of both axes, a legend, and a hover column with a tooltip per bucket. */
export function ChartFrame<P extends Bucketed>(props: FrameProps<P>) {
  const { ref, width } = useWidth();
  const { since, until, bucketMs, yTicks } = props;
  const innerW = Math.max(10, width - M.left - M.right);
  const innerH = HEIGHT - M.top - M.bottom;
  const span = Math.max(1, until - since);
  const top = yTicks[yTicks.length - 1] || 1;
  const scale: Scale = {
    x: (t) => M.left + ((t - since) / span) * innerW,
    mid: (t) => M.left + ((t + bucketMs / 2 - since) / span) * innerW,
    band: (bucketMs / span) * innerW,
    y: (v) => M.top + innerH - (v / top) * innerH,
    base: M.top + innerH,
  };
  const xTicks = timeTicks(since, until, Math.max(2, Math.floor(innerW / 90)));

  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption className="chart-head">
        <span className="chart-title">{props.title}</span>
        <span className="chart-legend">
          {props.legend.map(([label, cls]) => (
            <span key={label} className="legend-item">
              <span className={`legend-swatch ${cls}`} aria-hidden="true" />
              {label}
            </span>
          ))}
        </span>
      </figcaption>
      <div ref={ref} className="chart-box">
        {width > 0 && (
          <svg width={width} height={HEIGHT} role="img" aria-label={props.title}>
            <g className="grid">
              {yTicks.map((v) => (
                <g key={v}>
                  <line x1={M.left} x2={M.left + innerW} y1={scale.y(v)} y2={scale.y(v)} />
                  <text x={M.left - 6} y={scale.y(v)} dy="0.32em" textAnchor="end" className="axis-label">
                    {props.yLabel(v)}
                  </text>
                </g>
              ))}
            </g>
            <g className="x-axis">
              <line x1={M.left} x2={M.left + innerW} y1={scale.base} y2={scale.base} className="axis-line" />
              {xTicks.map(({ t, label }) => (
                <g key={t}>
                  <line x1={scale.x(t)} x2={scale.x(t)} y1={scale.base} y2={scale.base + 4} className="axis-line" />
                  <text x={scale.x(t)} y={scale.base + 16} textAnchor="middle" className="axis-label">
                    {label}
                  </text>
                </g>
              ))}
            </g>
            <g className="marks">{props.children(scale)}</g>
            <g className="hover">
              {props.points.map((p) => (
                <rect key={p.t} className="hover-col" x={scale.x(p.t)} y={M.top} width={Math.max(1, scale.band)} height={innerH}>
                  <title>{props.tip(p)}</title>
                </rect>
              ))}
            </g>
          </svg>
        )}
      </div>
    </figure>
  );
}
