import type { Logger } from 'pino';
import type { QueueStore } from '../store/storage.ts';
import type { BucketSpec } from '../store/token-bucket.ts';
import { chatRate } from '../chat/chat-delivery.ts';
import type { EndpointCache } from './endpoint-cache.ts';

/** How long an endpoint found unthrottled is trusted to stay so before its settings are looked at again. */
const RECHECK_MS = 5_000;

/**
 * throttleRate for one endpoint's lane: every attempt takes a token from the endpoint's bucket and, when the app
 * sets a rate, from the app's bucket, both kept in the store so the rate holds across all worker processes.
 * Tokens are taken a few at a time and spent locally; when none are left the lane waits for the refill.
 */
export class Throttle {
  private tokens = 0;
  /** undefined: not looked up yet; null: no rate applies. */
  private buckets: BucketSpec[] | null | undefined;
  private checkedAt = 0;
  private acquiring = false;

  constructor(
    private readonly endpointId: string,
    private readonly queue: Pick<QueueStore, 'takeTokens'>,
    private readonly endpoints: EndpointCache,
    private readonly log: Logger,
    /** Called when attempts may start again. */
    private readonly onReady: () => void,
  ) {}

  /** Whether one more attempt may start now (spending a token if throttled); if not, onReady is called later. */
  tryStart(wanted: number): boolean {
    const fresh = Date.now() - this.checkedAt < RECHECK_MS;
    if (this.buckets === null && fresh) return true;
    if (this.buckets && this.tokens > 0) {
      this.tokens--;
      return true;
    }
    if (!this.acquiring) {
      this.acquiring = true;
      void this.refill(wanted).finally(() => (this.acquiring = false));
    }
    return false;
  }

  private async refill(wanted: number): Promise<void> {
    try {
      const buckets = await this.lookUp();
      if (!buckets) return this.onReady();
      const granted = await this.queue.takeTokens(buckets, wanted, Date.now());
      this.tokens += granted;
      if (granted > 0) return this.onReady();
      // Empty: the slowest bucket has a whole token again after 1/rate seconds.
      setTimeout(this.onReady, Math.ceil(1000 / Math.min(...buckets.map((b) => b.ratePerSecond)))).unref();
    } catch (err) {
      this.log.error({ err, endpointId: this.endpointId }, 'taking throttle tokens failed; trying again in 1s');
      setTimeout(this.onReady, 1_000).unref();
    }
  }

  /** The buckets that apply now: the endpoint's rate and its app's, each where set. */
  private async lookUp(): Promise<BucketSpec[] | null> {
    this.checkedAt = Date.now();
    const endpoint = await this.endpoints.endpoint(this.endpointId);
    const app = endpoint && (await this.endpoints.app(endpoint.appId));
    const buckets: BucketSpec[] = [];
    if (endpoint?.throttleRate) buckets.push({ key: `ep:${endpoint.id}`, ratePerSecond: endpoint.throttleRate });
    // A chat tool's own documented limit applies unless the endpoint sets a rate of its own.
    else if (endpoint?.chat) buckets.push({ key: `ep:${endpoint.id}`, ...chatRate(endpoint.chat) });
    if (app?.throttleRate) buckets.push({ key: `app:${app.id}`, ratePerSecond: app.throttleRate });
    this.buckets = buckets.length > 0 ? buckets : null;
    return this.buckets;
  }
}
