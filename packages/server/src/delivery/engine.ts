import type { Logger } from 'pino';
import type { Storage } from '../store/storage.ts';
import { Trigger, type Admission, type AttemptOutcome, type ClaimedDelivery } from '../store/types.ts';
import { CircuitBreakers, DEFAULT_CIRCUIT, type CircuitOptions } from './circuit.ts';
import { Attempts, type AttemptOptions } from './attempt.ts';
import { KeptCircuits } from './kept-circuits.ts';
import type { EndpointCache } from './endpoint-cache.ts';
import { Leases } from './leases.ts';
import { Recorder } from './recorder.ts';
import type { Sender } from './sender.ts';
import { Throttle } from './throttle.ts';

export interface EngineOptions extends AttemptOptions {
  /** Attempts in flight to one endpoint at once: a slow endpoint queues its own work and nobody else's. */
  perEndpointConcurrency: number;
  /** Deliveries held in memory (queued or in flight); beyond it work waits in the database. */
  maxHeld: number;
  /** Queued deliveries per endpoint; beyond it they are parked in the database until the queue drains. */
  maxQueuedPerEndpoint: number;
  claimBatch: number;
  /**
   * For a database shared by several workers: how often to look for due work anyway (another worker that died may
   * have left a retry due that nobody here was told about) and to take back deliveries parked longer than
   * `parkedStaleMs` (their worker may be gone). null for the single-process SQLite store, where nothing is missed.
   */
  shared: { scanEveryMs: number; parkedStaleMs: number } | null;
  /** Told of every batch of outcomes once committed, with their messages' event types. */
  onRecorded?: (outcomes: AttemptOutcome[], eventTypes: string[]) => void;
  /** When to stop sending to an endpoint that keeps failing, and how to probe it (default DEFAULT_CIRCUIT). */
  circuit?: CircuitOptions;
}

/**
 * Work for one endpoint: a FIFO of claimed deliveries, how many are in flight, and whether more of its deliveries
 * are parked in the database (then new ones park too, behind them, so the endpoint's work stays in order).
 */
interface Lane {
  queue: ClaimedDelivery[];
  head: number;
  inFlight: number;
  parked: boolean;
  /** Bumped whenever a delivery is parked, so an unpark that raced with new parking does not clear `parked`. */
  parkEpoch: number;
  unparking: boolean;
  throttle: Throttle;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** How often a single-process engine does its housekeeping (a shared one: shared.scanEveryMs). */
const SWEEP_MS = 5_000;
const LEASE_MARGIN_MS = 10_000;

/**
 * The delivery engine: takes due deliveries (handed over by the API right after commit, or claimed from the
 * database), sends them through per-endpoint lanes, and hands each outcome to the recorder. It never polls:
 * it scans the database at start, when a retry comes due (one timer for the soonest), and when room frees up
 * after it had to leave work in the database.
 */
export class DeliveryEngine {
  private readonly held = new Map<number, ClaimedDelivery>();
  private readonly sending = new Set<number>();
  /** Deliveries claimed again (a resend) while an earlier attempt of theirs was in flight: they go once it ends. */
  private readonly claimedWhileSending = new Map<number, ClaimedDelivery>();
  private readonly lanes = new Map<string, Lane>();
  private readonly recorder: Recorder;
  private readonly attempts: Attempts;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private scanning = false;
  private scanRequested = false;
  private waitingForRoom = false;
  private stopped = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private housekeeping: NodeJS.Timeout | null = null;
  private readonly leases: Leases;
  private readonly circuits: CircuitBreakers;
  private readonly keptCircuits: KeptCircuits;

  constructor(
    private readonly store: Storage,
    private readonly endpoints: EndpointCache,
    private readonly sender: Sender,
    private readonly options: EngineOptions,
    private readonly log: Logger,
  ) {
    this.recorder = new Recorder(store, log, (at) => this.noteDueInStore(at), options.onRecorded);
    this.attempts = new Attempts(store, endpoints, sender, this.recorder, options, log);
    this.leases = new Leases(store, this.leaseMs, log);
    const circuitOptions = options.circuit ?? DEFAULT_CIRCUIT;
    this.circuits = new CircuitBreakers(circuitOptions, {
      holdBack: (endpointId, why) => this.holdBack(endpointId, why),
      probe: (endpointId) => this.probe(endpointId),
      resume: (endpointId) => this.resume(endpointId),
      changed: (endpointId, state) => this.keptCircuits.keep(endpointId, state),
    });
    this.keptCircuits = new KeptCircuits(store, this.circuits, circuitOptions, log);
  }

  /**
   * How long a claim holds a delivery: past the request timeout (one deadline per attempt) plus time to record the
   * outcome, so an attempt in flight is never handed to a second worker. Deliveries still queued are renewed
   * before their lease runs out; one that could not be renewed is not sent.
   */
  get leaseMs(): number {
    return this.options.requestTimeoutMs + LEASE_MARGIN_MS;
  }

  /**
   * How the deliveries of a new message should enter the queue, one per endpoint: taken at once while there is room,
   * parked behind an endpoint's full queue, or left due in the database when memory is full. A 'leased' answer
   * reserves nothing: the publisher hands the deliveries over with accept() right after its commit.
   */
  admit(endpointIds: readonly string[]): Admission[] {
    let room = this.stopped ? 0 : this.options.maxHeld - this.held.size;
    return endpointIds.map((endpointId) => {
      const lane = this.lanes.get(endpointId);
      if (lane && (lane.parked || this.queued(lane) >= this.options.maxQueuedPerEndpoint)) {
        lane.parked = true;
        lane.parkEpoch++;
        return 'parked';
      }
      if (room <= 0) return 'due';
      room--;
      return 'leased';
    });
  }

  /**
   * Starts sending. `resumed` is what the store made due again at start (recoverAtStart). Endpoints whose circuit was
   * open when the last process stopped are probed, one delivery each, before anything else goes to them.
   */
  async start(resumed: { deliveries: number; endpoints: number } = { deliveries: 0, endpoints: 0 }): Promise<void> {
    const sending = this.sending;
    const held = this.held;
    this.leases.start(function* queued() {
      for (const [id, item] of held) if (!sending.has(id)) yield item;
    });
    const failing = await this.keptCircuits.adoptAtStart();
    const said: string[] = [];
    if (resumed.deliveries > 0) {
      const { deliveries, endpoints } = resumed;
      said.push(`resuming ${deliveries} ${deliveries === 1 ? 'delivery' : 'deliveries'} to ${endpoints} ${endpoints === 1 ? 'endpoint' : 'endpoints'} that were being sent or waiting when Herald last stopped`);
    }
    for (const c of failing) {
      said.push(`endpoint ${c.endpointId} was failing (${c.failures} failed attempts in a row since ${new Date(c.openedAt).toISOString()}): probing it with one delivery before sending the rest`);
    }
    if (said.length > 0) this.log.info({ resumed: resumed.deliveries, endpoints: resumed.endpoints, probing: failing.map((c) => c.endpointId) }, said.join('; '));
    await this.scan();
    await this.sweep();
    this.housekeeping = setInterval(() => void this.sweep(), this.options.shared?.scanEveryMs ?? SWEEP_MS);
    this.housekeeping.unref();
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
      for (const endpointId of await this.store.queue.endpointsWaitingTurn()) promoted = (await this.store.queue.promoteNextInOrder(endpointId, now)) || promoted;
      const shared = this.options.shared;
      if (shared) {
        await this.keptCircuits.sync();
        const unparked = await this.store.queue.unparkStale(now - shared.parkedStaleMs, now);
        if (unparked > 0) this.log.info({ unparked }, 'took back deliveries parked by a worker that stopped taking them');
      }
      if (promoted || shared) void this.scan();
    } catch (err) {
      this.log.error({ err }, 'housekeeping failed; it runs again shortly');
    }
  }

  /** Takes deliveries this process already holds a lease on; those for an endpoint with a full queue are parked. */
  accept(items: ClaimedDelivery[]): void {
    const overflow: ClaimedDelivery[] = [];
    for (const item of items) {
      const current = this.held.get(item.deliveryId);
      if (current) {
        // Claimed again while held: a queued one takes the newer lease (its old one ran out while it waited);
        // one in flight was resent meanwhile, and that resend follows once the attempt in flight ends.
        if (this.sending.has(item.deliveryId)) this.claimedWhileSending.set(item.deliveryId, item);
        else {
          Object.assign(current, { lease: item.lease, attempts: item.attempts, trigger: item.trigger });
          this.leases.hold(item.deliveryId, item.leaseUntil);
        }
        continue;
      }
      const lane = this.laneOf(item.endpointId);
      if (item.trigger === Trigger.Manual && this.circuits.isOpen(item.endpointId)) {
        // Someone asked for this one now: it goes, as a probe.
        this.circuits.allow(item.endpointId);
        this.enqueue(lane, item);
        continue;
      }
      if (lane.parked || this.queued(lane) >= this.options.maxQueuedPerEndpoint) {
        lane.parked = true;
        lane.parkEpoch++;
        overflow.push(item);
        continue;
      }
      this.enqueue(lane, item);
    }
    this.park(overflow);
  }

  /** Parks leased deliveries this process will not send soon (a full queue, or an open circuit). */
  private park(items: ClaimedDelivery[]): void {
    if (items.length === 0) return;
    this.store.queue.parkDeliveries(items.map((item) => item.deliveryId)).then(
      () => this.noteParked(new Set(items.map((item) => item.endpointId))),
      (err) => this.log.error({ err }, 'could not park deliveries; they return when their lease ends'),
    );
  }

  /**
   * Deliveries of these endpoints were committed as parked. Said after the commit, because an unpark that ran
   * between the decision to park and the commit could not have seen them.
   */
  noteParked(endpointIds: Iterable<string>): void {
    for (const endpointId of endpointIds) {
      const lane = this.laneOf(endpointId);
      lane.parked = true;
      lane.parkEpoch++;
      this.unpark(endpointId, lane);
    }
  }

  private laneOf(endpointId: string): Lane {
    let lane = this.lanes.get(endpointId);
    if (!lane) {
      const throttle = new Throttle(endpointId, this.store, this.endpoints, this.log, () => {
        const current = this.lanes.get(endpointId);
        if (current) this.pump(endpointId, current);
      });
      lane = { queue: [], head: 0, inFlight: 0, parked: false, parkEpoch: 0, unparking: false, throttle };
      this.lanes.set(endpointId, lane);
    }
    return lane;
  }

  private queued(lane: Lane): number {
    return lane.queue.length - lane.head;
  }

  private enqueue(lane: Lane, item: ClaimedDelivery): void {
    this.held.set(item.deliveryId, item);
    this.leases.hold(item.deliveryId, item.leaseUntil);
    lane.queue.push(item);
    this.pump(item.endpointId, lane);
  }

  /** Takes an endpoint's parked deliveries back, oldest first, once its queue has drained to half. */
  private unpark(endpointId: string, lane: Lane): void {
    if (!lane.parked || lane.unparking || this.stopped || this.circuits.isOpen(endpointId)) return;
    const limit = this.options.maxQueuedPerEndpoint - this.queued(lane);
    if (limit < this.options.maxQueuedPerEndpoint / 2) return;
    lane.unparking = true;
    const epoch = lane.parkEpoch;
    this.store.queue.claimParkedDeliveries(endpointId, Date.now() + this.leaseMs, limit).then(
      (items) => {
        lane.unparking = false;
        if (items.length < limit && lane.parkEpoch === epoch) lane.parked = false;
        for (const item of items) if (!this.held.has(item.deliveryId)) this.enqueue(lane, item);
        if (this.queued(lane) === 0 && lane.inFlight === 0 && !lane.parked) this.lanes.delete(endpointId);
      },
      (err) => {
        lane.unparking = false;
        this.log.error({ err, endpointId }, 'could not take parked deliveries; retrying on the next completion');
      },
    );
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

  /**
   * Graceful stop: claims nothing more, gives queued deliveries back (due now, for another worker or the next start),
   * lets attempts in flight finish (each has the request timeout as its deadline) and records their outcomes.
   * Nothing is lost and nothing is left claimed by this process.
   */
  async stop(graceMs = this.options.requestTimeoutMs + 2_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.circuits.stop();
    if (this.housekeeping) clearInterval(this.housekeeping);
    this.leases.stop();
    const queued: number[] = [];
    for (const lane of this.lanes.values()) {
      for (let i = lane.head; i < lane.queue.length; i++) queued.push(lane.queue[i]!.deliveryId);
      lane.queue = [];
      lane.head = 0;
    }
    for (const id of queued) {
      this.held.delete(id);
      this.leases.release(id);
    }
    if (this.inFlight > 0) {
      await Promise.race([this.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    await this.recorder.flush();
    await this.keptCircuits.flushed();
    if (queued.length > 0) await this.store.queue.releaseDeliveries(queued, Date.now());
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
        const claimed = await this.store.queue.claimDueDeliveries(now, now + this.leaseMs, limit);
        this.accept(claimed);
        if (claimed.length < limit) break;
      }
      const due = await this.store.queue.nextDueAt();
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
      if (this.stopped || !this.circuits.mayStart(endpointId)) return;
      if (!lane.throttle.tryStart(Math.min(this.queued(lane), this.options.perEndpointConcurrency))) {
        this.circuits.allow(endpointId); // the allowance was not used
        return;
      }
      const item = lane.queue[lane.head]!;
      lane.head++;
      if (lane.head > 1024 && lane.head * 2 > lane.queue.length) {
        lane.queue = lane.queue.slice(lane.head);
        lane.head = 0;
      }
      lane.inFlight++;
      this.inFlight++;
      this.sending.add(item.deliveryId);
      this.deliver(item)
        .catch((err) => this.log.error(
          { err, deliveryId: item.deliveryId, msgId: item.messageId, requestId: item.requestId },
          'delivery failed unexpectedly; it returns when its lease ends',
        ))
        .finally(() => {
          lane.inFlight--;
          this.inFlight--;
          this.held.delete(item.deliveryId);
          this.leases.release(item.deliveryId);
          this.sending.delete(item.deliveryId);
          const again = this.claimedWhileSending.get(item.deliveryId);
          if (again) {
            this.claimedWhileSending.delete(item.deliveryId);
            if (!this.stopped) this.accept([again]);
            else void this.store.queue.releaseDeliveries([again.deliveryId], Date.now()).catch(() => undefined);
          }
          this.pump(endpointId, lane);
          this.unpark(endpointId, lane);
          if (lane.inFlight === 0 && this.queued(lane) === 0 && !lane.parked) this.lanes.delete(endpointId);
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
    // The lease must outlast this attempt, or another worker could take and send the delivery too.
    const leaseEnd = this.leases.endOf(item.deliveryId);
    if (leaseEnd < Date.now() + this.options.requestTimeoutMs + 2_000 && !(await this.leases.renew([item])).has(item.deliveryId)) return;
    const report = await this.attempts.run(item);
    if (report?.due) this.wakeAt(report.due);
    if (report?.reachedEndpoint) this.circuits.note(item.endpointId, report.succeeded);
  }

  /** The endpoint's circuit opened: what is queued for it waits in the database while it is probed. */
  private holdBack(endpointId: string, why: 'opened' | 'adopted'): void {
    const lane = this.laneOf(endpointId);
    if (why === 'opened') this.log.warn({ endpointId }, 'endpoint keeps failing: its deliveries wait while it is probed');
    const queued = lane.queue.slice(lane.head);
    lane.queue = [];
    lane.head = 0;
    for (const item of queued) {
      this.held.delete(item.deliveryId);
      this.leases.release(item.deliveryId);
    }
    lane.parked = true;
    lane.parkEpoch++;
    this.park(queued);
    this.afterRelease();
  }

  /** A probe of an open circuit: the endpoint's oldest parked delivery, unless an attempt of it is on its way. */
  private probe(endpointId: string): void {
    const lane = this.laneOf(endpointId);
    if (lane.inFlight > 0 || this.queued(lane) > 0) return;
    this.store.queue.claimParkedDeliveries(endpointId, Date.now() + this.leaseMs, 1).then(
      (items) => {
        for (const item of items) this.enqueue(lane, item);
      },
      (err) => this.log.error({ err, endpointId }, 'could not take a delivery to probe an endpoint; trying again later'),
    );
  }

  /**
   * The circuit closed: the endpoint's queue and parked work go again, and so do its deliveries waiting for a
   * retry (the endpoint is back: no reason to wait out each one's schedule).
   */
  private resume(endpointId: string): void {
    this.log.info({ endpointId }, 'endpoint answers again: its waiting deliveries are sent');
    const lane = this.laneOf(endpointId);
    this.pump(endpointId, lane);
    this.unpark(endpointId, lane);
    const now = Date.now();
    this.store.queue.expediteEndpointDeliveries(endpointId, now).then(
      (expedited) => {
        if (expedited > 0) this.wakeAt(now);
      },
      (err) => this.log.error({ err, endpointId }, 'could not make the retries of an endpoint that answers again due; they keep their schedule'),
    );
  }
}
