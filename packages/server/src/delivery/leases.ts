import type { Logger } from 'pino';
import type { QueueStore } from '../store/storage.ts';
import type { ClaimedDelivery } from '../store/types.ts';

/**
 * The leases of the deliveries a worker holds: when each runs out, and renewing them before they do. A lease that
 * ran out lets another worker claim the delivery, so one that could not be renewed must not be sent.
 */
export class Leases {
  private readonly ends = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queue: Pick<QueueStore, 'renewLeases'>,
    private readonly leaseMs: number,
    /** What a lease must still have left when its delivery is sent: the attempt's whole deadline and a margin. */
    private readonly sendNeedsMs: number,
    private readonly log: Logger,
  ) {}

  hold(deliveryId: number, until: number): void {
    this.ends.set(deliveryId, until);
  }

  release(deliveryId: number): void {
    this.ends.delete(deliveryId);
  }

  private endOf(deliveryId: number): number {
    return this.ends.get(deliveryId) ?? 0;
  }

  /**
   * Renews, in one batch per tick, the leases among `waiting()` that would be too short to be sent before the next
   * tick, so a delivery that waited in its queue can be sent at once instead of renewing its own lease first (a
   * write per delivery). Each waiting lease is renewed about every other tick.
   */
  start(waiting: () => Iterable<ClaimedDelivery>): void {
    const every = Math.max(1_000, (this.leaseMs - this.sendNeedsMs) / 2);
    this.timer = setInterval(() => {
      const horizon = Date.now() + this.sendNeedsMs + every;
      const due = [...waiting()].filter((item) => this.endOf(item.deliveryId) < horizon);
      if (due.length > 0) void this.renew(due);
    }, every);
    this.timer.unref();
  }

  /** Whether the delivery's lease still covers an attempt started now. */
  coversSend(deliveryId: number): boolean {
    return this.endOf(deliveryId) >= Date.now() + this.sendNeedsMs;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Renews leases; returns the ids renewed (not: claimed again or resent meanwhile, or the write failed). */
  async renew(items: ClaimedDelivery[]): Promise<Set<number>> {
    const leaseUntil = Date.now() + this.leaseMs;
    try {
      const renewed = new Set(await this.queue.renewLeases(items.map((d) => ({ deliveryId: d.deliveryId, lease: d.lease })), leaseUntil));
      for (const id of renewed) this.ends.set(id, leaseUntil);
      return renewed;
    } catch (err) {
      this.log.error({ err, count: items.length }, 'renewing leases failed; deliveries whose lease runs out are not sent');
      return new Set();
    }
  }
}
