import { HeraldError } from '../lib/errors.ts';
import { take, type BucketState } from '../store/token-bucket.ts';

const MAX_TRACKED = 50_000;

/**
 * Request rate limits kept in this process's memory: a token bucket per key holding one second's worth of
 * requests. With several API processes each one limits on its own (a client spread over n processes gets up to n
 * times the rate); checking a shared store on every request would cost more than the limit protects.
 */
export class RateLimits {
  private readonly buckets = new Map<string, BucketState>();

  /** Takes one request from the key's bucket, or throws 429 saying in how many seconds to come back. */
  take(key: string, ratePerSecond: number, now = Date.now()): void {
    const spec = { key, ratePerSecond };
    const { granted, next } = take([spec], this.buckets, 1, now);
    if (this.buckets.size >= MAX_TRACKED && !this.buckets.has(key)) this.buckets.clear();
    this.buckets.set(key, next[0]!);
    if (granted === 0) {
      const retryAfter = Math.max(1, Math.ceil((1 - next[0]!.tokens) / ratePerSecond));
      throw new RateLimitedError(retryAfter, `Too many requests: this token may make ${ratePerSecond} per second`);
    }
  }
}

/** A 429 that carries its Retry-After (seconds). */
export class RateLimitedError extends HeraldError {
  constructor(readonly retryAfterSeconds: number, detail: string) {
    super(429, 'rate_limit_exceeded', detail);
  }
}
