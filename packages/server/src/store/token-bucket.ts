/**
 * Token buckets for throttleRate: each holds at most one second's worth of tokens (or its own `burst`) and refills
 * continuously at its rate. The same arithmetic serves both dialects; the stores only add locking and persistence.
 */

export interface BucketSpec {
  key: string;
  ratePerSecond: number;
  /** Most tokens it holds; default one second's worth. A rate below one a second needs a burst of at least one. */
  burst?: number;
}

export interface BucketState {
  tokens: number;
  updatedAt: number;
}

/** What a bucket holds at `now`; a bucket never seen before starts full. */
export function available(spec: BucketSpec, state: BucketState | undefined, now: number): number {
  const capacity = spec.burst ?? spec.ratePerSecond;
  if (!state) return capacity;
  const refilled = state.tokens + (Math.max(0, now - state.updatedAt) / 1000) * spec.ratePerSecond;
  return Math.min(capacity, refilled);
}

/**
 * Takes the same number of whole tokens, at most `wanted`, from every bucket at once. Returns that number and
 * each bucket's new state (in the order of `specs`).
 */
export function take(
  specs: readonly BucketSpec[],
  states: ReadonlyMap<string, BucketState>,
  wanted: number,
  now: number,
): { granted: number; next: BucketState[] } {
  const have = specs.map((spec) => available(spec, states.get(spec.key), now));
  const granted = Math.max(0, Math.min(wanted, ...have.map((h) => Math.floor(h))));
  return { granted, next: have.map((h) => ({ tokens: h - granted, updatedAt: now })) };
}
