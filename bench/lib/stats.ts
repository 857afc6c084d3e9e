/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Count, percentiles, max and mean of some samples (ms), rounded to 0.01. */
export function summarize(values: readonly number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const r = (n: number) => Math.round(n * 100) / 100;
  const sum = values.reduce((a, b) => a + b, 0);
  return {
    count: values.length,
    p50: r(percentile(sorted, 50)),
    p90: r(percentile(sorted, 90)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted.length > 0 ? sorted[sorted.length - 1]! : NaN),
    mean: r(values.length > 0 ? sum / values.length : NaN),
  };
}

export const MB = 1024 * 1024;
