import type { Logger } from 'pino';
import { newId } from '../lib/ids.ts';
import type { Store } from '../store/store.ts';
import { Status, Trigger, type AttemptOutcome, type ClaimedDelivery, type StatusValue } from '../store/types.ts';
import type { EndpointCache } from './endpoint-cache.ts';
import { Recorder } from './recorder.ts';
import { nextRetry } from './retry-policy.ts';
import type { Sender, SendResult } from './sender.ts';
import { signatureHeader } from './signing.ts';

export interface EngineOptions {
  retrySchedule: readonly number[];
  requestTimeoutMs: number;
  /** Attempts in flight to one endpoint at once: a slow endpoint queues its own work and nobody else's. */
  perEndpointConcurrency: number;
  /** Deliveries held in memory (queued or in flight); beyond it work waits in the database. */
  maxHeld: number;
  /** Queued deliveries per endpoint; beyond it they go back to the database for a while. */
  maxQueuedPerEndpoint: number;
  claimBatch: number;
  userAgent: string;
}

/** Work for one endpoint: a FIFO of claimed deliveries and how many of them are in flight. */
interface Lane {
  queue: ClaimedDelivery[];
  head: number;
  inFlight: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long a delivery sent back to the database by a full endpoint queue waits before it is claimed again. */
const OVERFLOW_BACKOFF_MS = 5_000;

/**
 * The delivery engine: takes due deliveries (handed over by the API right after commit, or claimed from the
 * database), sends them through per-endpoint lanes, and hands each outcome to the recorder. It never polls:
 * it scans the database at start, when a retry comes due (one timer for the soonest), and when room frees up
 * after it had to leave work in the database.
 */
export class DeliveryEngine {
  private readonly held = new Map<number, ClaimedDelivery>();
  private readonly lanes = new Map<string, Lane>();
  private readonly recorder: Recorder;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private scanning = false;
  private scanRequested = false;
  private waitingForRoom = false;
  private stopped = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly endpoints: EndpointCache,
    private readonly sender: Sender,
    private readonly options: EngineOptions,
    private readonly log: Logger,
  ) {
    this.recorder = new Recorder(store, log);
  }

  /** How long a claim holds a delivery: past the request timeout, so a slow attempt is never handed out twice. */
  get leaseMs(): number {
    return this.options.requestTimeoutMs + 60_000;
  }

  /** Whether the API may hand over n more deliveries right away (otherwise it leaves them due in the database). */
  hasRoomFor(n: number): boolean {
    return !this.stopped && this.held.size + n <= this.options.maxHeld;
  }

  async start(): Promise<void> {
    await this.scan();
  }

  /** Takes deliveries this process already holds a lease on. */
  accept(items: ClaimedDelivery[]): void {
    const overflow: number[] = [];
    for (const item of items) {
      if (this.held.has(item.deliveryId)) continue;
      let lane = this.lanes.get(item.endpointId);
      if (!lane) {
        lane = { queue: [], head: 0, inFlight: 0 };
        this.lanes.set(item.endpointId, lane);
      }
      if (lane.queue.length - lane.head >= this.options.maxQueuedPerEndpoint) {
        overflow.push(item.deliveryId);
        continue;
      }
      this.held.set(item.deliveryId, item);
      lane.queue.push(item);
      this.pump(item.endpointId, lane);
    }
    if (overflow.length > 0) {
      const due = Date.now() + OVERFLOW_BACKOFF_MS;
      this.store.releaseDeliveries(overflow, due).then(
        () => this.wakeAt(due),
        (err) => this.log.error({ err }, 'could not release overflowing deliveries; they return when their lease ends'),
      );
    }
  }

  /** New due work was left in the database (the API had no room to hand it over). */
  noteDueInStore(at: number): void {
    if (this.held.size >= this.options.maxHeld) this.waitingForRoom = true;
    else this.wakeAt(at);
  }

  /** Resolves when nothing is queued or in flight and every outcome is recorded (for shutdown and tests). */
  async idle(): Promise<void> {
    if (this.held.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.recorder.flush();
  }

  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const queued: number[] = [];
    for (const lane of this.lanes.values()) {
      for (let i = lane.head; i < lane.queue.length; i++) queued.push(lane.queue[i]!.deliveryId);
      lane.queue = [];
      lane.head = 0;
    }
    for (const id of queued) this.held.delete(id);
    if (this.inFlight > 0) {
      await Promise.race([this.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    await this.recorder.flush();
    if (queued.length > 0) await this.store.releaseDeliveries(queued, Date.now());
  }

  private wakeAt(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.scan();
    }, Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS));
  }

  private async scan(): Promise<void> {
    if (this.scanning) {
      this.scanRequested = true;
      return;
    }
    this.scanning = true;
    try {
      while (!this.stopped) {
        const room = this.options.maxHeld - this.held.size;
        if (room <= 0) {
          this.waitingForRoom = true;
          return;
        }
        const now = Date.now();
        const limit = Math.min(room, this.options.claimBatch);
        const claimed = await this.store.claimDueDeliveries(now, now + this.leaseMs, limit);
        this.accept(claimed);
        if (claimed.length < limit) break;
      }
      const due = await this.store.nextDueAt();
      if (due !== null) this.wakeAt(Math.max(due, Date.now() + 1));
    } catch (err) {
      this.log.error({ err }, 'claiming due deliveries failed; retrying in 1s');
      this.wakeAt(Date.now() + 1_000);
    } finally {
      this.scanning = false;
      if (this.scanRequested) {
        this.scanRequested = false;
        void this.scan();
      }
    }
  }

  private pump(endpointId: string, lane: Lane): void {
    while (lane.inFlight < this.options.perEndpointConcurrency && lane.head < lane.queue.length) {
      const item = lane.queue[lane.head]!;
      lane.head++;
      if (lane.head > 1024 && lane.head * 2 > lane.queue.length) {
        lane.queue = lane.queue.slice(lane.head);
        lane.head = 0;
      }
      lane.inFlight++;
      this.inFlight++;
      this.deliver(item)
        .catch((err) => this.log.error({ err, deliveryId: item.deliveryId }, 'delivery failed unexpectedly; it returns when its lease ends'))
        .finally(() => {
          lane.inFlight--;
          this.inFlight--;
          this.held.delete(item.deliveryId);
          if (lane.inFlight === 0 && lane.head >= lane.queue.length) this.lanes.delete(endpointId);
          else this.pump(endpointId, lane);
          this.afterRelease();
        });
    }
  }

  private afterRelease(): void {
    if (this.waitingForRoom && this.held.size <= this.options.maxHeld / 2) {
      this.waitingForRoom = false;
      void this.scan();
    }
    if (this.held.size === 0 && this.idleWaiters.length > 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async deliver(item: ClaimedDelivery): Promise<void> {
    const endpoint = await this.endpoints.endpoint(item.endpointId);
    if (!endpoint) return; // deleted: its delivery rows went with it
    const startedAt = Date.now();
    let result: SendResult;
    let retryable = true;
    if (endpoint.disabled || item.payload === null) {
      retryable = false;
      result = {
        statusCode: null,
        body: endpoint.disabled ? 'not sent: the endpoint is disabled' : 'not sent: the message content was expunged',
        durationMs: 0,
        timedOut: false,
        retryAfter: null,
      };
    } else {
      const secrets = await this.endpoints.secrets(endpoint.id, startedAt);
      const timestamp = Math.floor(startedAt / 1000);
      const headers: Record<string, string> = {
        ...endpoint.headers,
        'content-type': 'application/json',
        'user-agent': this.options.userAgent,
        'webhook-id': item.messageId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(secrets, item.messageId, timestamp, item.payload),
      };
      result = await this.sender.send(endpoint.url, headers, item.payload);
    }
    const finishedAt = Date.now();
    const attempts = item.attempts + 1;
    const succeeded = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    let status: StatusValue = succeeded ? Status.Success : Status.Fail;
    let nextAttemptAt: number | null = null;
    if (!succeeded && retryable) {
      const decision = nextRetry(
        { failedAttempts: attempts, statusCode: result.statusCode, timedOut: result.timedOut, retryAfter: result.retryAfter },
        this.options.retrySchedule,
        finishedAt,
      );
      if (decision.retry) {
        status = Status.Pending;
        nextAttemptAt = finishedAt + decision.delayMs;
      }
    }
    const outcome: AttemptOutcome = {
      attempt: {
        id: newId('atmpt', startedAt),
        appId: item.appId,
        messageId: item.messageId,
        endpointId: item.endpointId,
        url: endpoint.url,
        status: succeeded ? Status.Success : Status.Fail,
        responseStatusCode: result.statusCode ?? 0,
        response: result.body,
        durationMs: result.durationMs,
        trigger: item.trigger === Trigger.Manual ? Trigger.Manual : Trigger.Scheduled,
        createdAt: startedAt,
      },
      deliveryId: item.deliveryId,
      status,
      attempts,
      nextAttemptAt,
    };
    this.recorder.add(outcome);
    if (nextAttemptAt !== null) this.wakeAt(nextAttemptAt);
  }
}
