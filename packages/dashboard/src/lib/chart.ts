/** The arithmetic of the hand-drawn charts: scales, "nice" axis ticks, time ticks, line paths with gaps. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const BUCKET_MS = { minute: MINUTE, hour: HOUR, day: DAY } as const;

/** Ticks from 0 to a round number at or above max, about `count` of them (integers only, for counts). */
export function niceTicks(max: number, count = 4, integer = false): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  let step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let v = 0; v < top + step / 2 && ticks.length <= count * 3; v += step) ticks.push(v);
  if ((ticks[ticks.length - 1] ?? 0) < top) ticks.push(ticks.length * step);
  return ticks;
}

const TIME_STEPS = [
  ...[1, 2, 5, 10, 15, 30].map((m) => m * MINUTE),
  ...[1, 2, 3, 4, 6, 12].map((h) => h * HOUR),
  ...[1, 2, 7].map((d) => d * DAY),
];
const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayOfWeek = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' });

/** At most `max` time ticks over [since, until], at round local times; midnights are labelled with the day. */
export function timeTicks(since: number, until: number, max: number): { t: number; label: string }[] {
  const step = TIME_STEPS.find((s) => (until - since) / s <= max) ?? 7 * DAY;
  const midnight = new Date(since);
  midnight.setHours(0, 0, 0, 0);
  const base = midnight.getTime();
  const ticks: { t: number; label: string }[] = [];
  for (let t = base + Math.ceil((since - base) / step) * step; t <= until; t += step) {
    const d = new Date(t);
    const atMidnight = d.getHours() === 0 && d.getMinutes() === 0;
    ticks.push({ t, label: step >= DAY || atMidnight ? dayOfWeek.format(d) : timeOfDay.format(d) });
  }
  return ticks;
}

/** A bucket's start in the label of a tooltip: the time for minutes and hours, the date for days. */
export function bucketLabel(t: number, bucketMs: number): string {
  const d = new Date(t);
  return bucketMs >= DAY ? dayOfWeek.format(d) : `${dayOfWeek.format(d)} ${timeOfDay.format(d)}`;
}

/** An SVG path through the points, lifting the pen where a value is missing (null: a bucket without attempts). */
export function linePath(points: { x: number; y: number | null }[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** The points with no neighbour on either side: a path draws nothing for them, so they get a dot. */
export function isolated<T extends { y: number | null }>(points: T[]): T[] {
  return points.filter((p, i) => p.y !== null && (points[i - 1]?.y ?? null) === null && (points[i + 1]?.y ?? null) === null);
}
