import type { Logger } from 'pino';
import type { QueueStore } from '../store/storage.ts';
import type { ClaimedDelivery } from '../store/types.ts';

export interface SchedulingOptions {
  /** Deliveries held in memory at most: claiming stops there, and goes on once half of them are done. */
  maxHeld: number;
  /** Deliveries claimed per query. */
  claimBatch: number;
  /** How long a claim holds a delivery. */
  leaseMs: number;
  /**
   * For a database shared by several workers: how often to look for due work anyway (another worker that died may
   * have left a retry due that nobody here was told about) and to take back deliveries parked longer than
   * `parkedStaleMs` (their worker may be gone). null for the single-process SQLite store, where nothing is missed.
   */
  shared: { scanEveryMs: number; parkedStaleMs: number } | null;
}

/** What scheduling asks of the rest of the engine. */
export interface SchedulingHost {
  /** Deliveries held in memory now. */
  held(): number;
  /** Takes claimed deliveries. */
  accept(items: ClaimedDelivery[]): void;
  /** Several workers: brings this worker's circuit breakers in line with the ones kept in the store. */
  syncCircuits(): Promise<void>;
}

/** The store calls of finding and claiming due work. */
export type SchedulingQueue = Pick<QueueStore, 'claimDueDeliveries' | 'nextDueAt' | 'endpointsWaitingTurn' | 'promoteNextInOrder' | 'unparkStale'>;

const MAX_TIMER_MS = 2 ** 31 - 1;
/** How often a single-process engine does its housekeeping (a shared one: shared.scanEveryMs). */
const SWEEP_MS = 5_000;

/**
 * When the engine claims due work from the database. It never polls: it scans at start, when a retry comes due (one
 * timer for the soonest), when told that deliveries became due, and when room frees up after it had to leave work in
 * the database. Housekeeping runs every few seconds.
 */
export class Scheduling {
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private scanning = false;
  private scanRequested = false;
  private waitingForRoom = false;
  private stopped = false;
  private housekeeping: NodeJS.Timeout | null = null;

  constructor(
    private readonly queue: SchedulingQueue,
    private readonly options: SchedulingOptions,
    private readonly host: SchedulingHost,
    private readonly log: Logger,
  ) {}

  /** The first scan and sweep, then housekeeping every few seconds. */
  async start(): Promise<void> {
    await this.scan();
    await this.sweep();
    this.housekeeping = setInterval(() => void this.sweep(), this.options.shared?.scanEveryMs ?? SWEEP_MS);
    this.housekeeping.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.housekeeping) clearInterval(this.housekeeping);
  }

  /** Deliveries became due in the store at `at`: claimed then, or once there is room. */
  noteDue(at: number): void {
    if (this.host.held() >= this.options.maxHeld) this.waitingForRoom = true;
    else this.wakeAt(at);
  }

  /** Deliveries left memory: with half the room free again, the work left in the database is claimed. */
  released(held: number): void {
    if (this.waitingForRoom && held <= this.options.maxHeld / 2) {
      this.waitingForRoom = false;
      void this.scan();
    }
  }

  /** Scans at `at` (unless a scan is set for sooner). */
  wakeAt(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.scan();
    }, Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS));
  }

  /**
   * Housekeeping. Ordered endpoints whose next turn was never given (a process stopped between an outcome and the
   * promotion, or the endpoint stopped being ordered) get it. On a shared store also: deliveries parked by a worker
   * that stopped taking them come back, and due work nobody announced is looked for.
   */
  private async sweep(): Promise<void> {
    try {
      const now = Date.now();
      let promoted = false;
      for (const endpointId of await this.queue.endpointsWaitingTurn()) promoted = (await this.queue.promoteNextInOrder(endpointId, now)) || promoted;
      const shared = this.options.shared;
      if (shared) {
        await this.host.syncCircuits();
        const unparked = await this.queue.unparkStale(now - shared.parkedStaleMs, now);
        if (unparked > 0) this.log.info({ unparked }, 'took back deliveries parked by a worker that stopped taking them');
      }
      if (promoted || shared) void this.scan();
    } catch (err) {
      this.log.error({ err }, 'housekeeping failed; it runs again shortly');
    }
  }

  private async scan(): Promise<void> {
    if (this.scanning) {
      this.scanRequested = true;
      return;
    }
    this.scanning = true;
    try {
      while (!this.stopped) {
        const room = this.options.maxHeld - this.host.held();
        if (room <= 0) {
          this.waitingForRoom = true;
          return;
        }
        const now = Date.now();
        const limit = Math.min(room, this.options.claimBatch);
        const claimed = await this.queue.claimDueDeliveries(now, now + this.options.leaseMs, limit);
        this.host.accept(claimed);
        if (claimed.length < limit) break;
      }
      const due = await this.queue.nextDueAt();
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
}
