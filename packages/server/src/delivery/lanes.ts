import type { Logger } from 'pino';
import type { QueueStore } from '../store/storage.ts';
import { Trigger, type Admission, type ClaimedDelivery, type Endpoint } from '../store/types.ts';
import type { CircuitBreakers } from './circuit.ts';
import type { EndpointCache } from './endpoint-cache.ts';
import type { Leases } from './leases.ts';
import { Throttle } from './throttle.ts';

export interface LaneOptions {
  /**
   * Attempts in flight to one endpoint at once, for endpoints that do not set their own `concurrency`: a slow endpoint
   * queues its own work and nobody else's.
   */
  perEndpointConcurrency: number;
  /**
   * Attempts in flight at once across every endpoint. Each endpoint's own limit keeps a slow endpoint from taking
   * everything; this one bounds the total: with a thousand endpoints at ten each, ten thousand requests would
   * otherwise be open at once, most of them waiting inside the HTTP pool for a connection with their deadline running.
   */
  maxInFlight: number;
  /** Deliveries held in memory (queued or in flight); beyond it work waits in the database. */
  maxHeld: number;
  /** Queued deliveries per endpoint; beyond it they are parked in the database until the queue drains. */
  maxQueuedPerEndpoint: number;
  /** How long a claim of parked deliveries holds them. */
  leaseMs: number;
}

/** What the lanes ask of the rest of the engine. */
export interface LanesHost {
  /** Makes the attempt of a delivery taken from its lane; resolves when it is over. */
  send(item: ClaimedDelivery): Promise<void>;
  /** Deliveries left memory (sent, given back or parked): there may be room to claim more. */
  released(held: number): void;
  /** Deliveries were made due in the store at `at`. */
  dueAt(at: number): void;
}

/** The store calls of parking, unparking, throttling and giving back. */
export type LaneQueue = Pick<QueueStore, 'parkDeliveries' | 'claimParkedDeliveries' | 'claimDeliveryToProbe' | 'releaseDeliveries' | 'expediteEndpointDeliveries' | 'takeTokens'>;

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
  /** The endpoint is being read from the store for its limit of attempts in flight (it was not in the cache). */
  readingLimit: boolean;
}

/**
 * The deliveries a worker holds, in one lane per endpoint. A lane sends in order, a few at a time, as its throttle
 * and circuit breaker allow; a lane whose queue is full parks the rest in the database and takes them back, oldest
 * first, as it drains. An endpoint whose circuit opens has its queue parked while it is probed.
 *
 * When every slot of maxInFlight is taken, a lane that could start an attempt waits in line, and each slot given back
 * goes to the lane first in line (which, if it could start more, goes to the back): the endpoints take turns. A
 * delivery waiting for its turn is only an entry in its lane's queue, not a pending call: with many endpoints, tens
 * of thousands wait at once, and each pending call kept its promises and closures on the heap.
 */
export class Lanes {
  /** Queued or in flight, by delivery id. */
  readonly held = new Map<number, ClaimedDelivery>();
  private readonly sending = new Set<number>();
  /** Deliveries claimed again (a resend) while an earlier attempt of theirs was in flight: they go once it ends. */
  private readonly claimedWhileSending = new Map<number, ClaimedDelivery>();
  private readonly lanes = new Map<string, Lane>();
  private inFlight = 0;
  /** Endpoints whose lanes could start an attempt when every slot was taken, first in line first (a Set keeps order). */
  private readonly line = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly queue: LaneQueue,
    private readonly endpoints: EndpointCache,
    private readonly leases: Leases,
    private readonly circuits: CircuitBreakers,
    private readonly options: LaneOptions,
    private readonly host: LanesHost,
    private readonly log: Logger,
  ) {}

  /** Held deliveries not in flight: their leases are renewed while they wait. */
  *waiting(): Generator<ClaimedDelivery> {
    for (const [id, item] of this.held) if (!this.sending.has(id)) yield item;
  }

  /** See DeliveryIntake.admit. */
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

  /** The endpoint's circuit opened: what is queued for it waits in the database while it is probed. */
  holdBack(endpointId: string, why: 'opened' | 'adopted'): void {
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

  /**
   * A probe of an open circuit: the endpoint's oldest parked delivery, or the one whose retry comes soonest (see
   * claimDeliveryToProbe), unless an attempt of it is on its way.
   */
  probe(endpointId: string): void {
    const lane = this.laneOf(endpointId);
    if (lane.inFlight > 0 || this.queued(lane) > 0) return;
    this.queue.claimDeliveryToProbe(endpointId, Date.now() + this.options.leaseMs).then(
      (item) => {
        if (item) this.enqueue(lane, item);
      },
      (err) => this.log.error({ err, endpointId }, 'could not take a delivery to probe an endpoint; trying again later'),
    );
  }

  /**
   * The circuit closed: the endpoint's queue and parked work go again, and so do its deliveries waiting for a
   * retry (the endpoint is back: no reason to wait out each one's schedule).
   */
  resume(endpointId: string): void {
    this.log.info({ endpointId }, 'endpoint answers again: its waiting deliveries are sent');
    const lane = this.laneOf(endpointId);
    this.pump(endpointId, lane);
    this.unpark(endpointId, lane);
    const now = Date.now();
    this.queue.expediteEndpointDeliveries(endpointId, now).then(
      (expedited) => {
        if (expedited > 0) this.host.dueAt(now);
      },
      (err) => this.log.error({ err, endpointId }, 'could not make the retries of an endpoint that answers again due; they keep their schedule'),
    );
  }

  /** Resolves when nothing is queued or in flight. */
  async idle(): Promise<void> {
    if (this.held.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking and sending: the queued deliveries leave memory and their ids are returned, to be given back; the
   * attempts in flight go on (idle() says when they are over).
   */
  stop(): { queued: number[]; inFlight: number } {
    this.stopped = true;
    this.line.clear();
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
    return { queued, inFlight: this.inFlight };
  }

  /** Parks leased deliveries this process will not send soon (a full queue, or an open circuit). */
  private park(items: ClaimedDelivery[]): void {
    if (items.length === 0) return;
    this.queue.parkDeliveries(items.map((item) => item.deliveryId)).then(
      () => this.noteParked(new Set(items.map((item) => item.endpointId))),
      (err) => this.log.error({ err }, 'could not park deliveries; they return when their lease ends'),
    );
  }

  private laneOf(endpointId: string): Lane {
    let lane = this.lanes.get(endpointId);
    if (!lane) {
      const throttle = new Throttle(endpointId, this.queue, this.endpoints, this.log, () => {
        const current = this.lanes.get(endpointId);
        if (current) this.pump(endpointId, current);
      });
      lane = { queue: [], head: 0, inFlight: 0, parked: false, parkEpoch: 0, unparking: false, throttle, readingLimit: false };
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
    this.queue.claimParkedDeliveries(endpointId, Date.now() + this.options.leaseMs, limit).then(
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

  /**
   * How many attempts to the endpoint may be in flight: its own `concurrency`, or the server's default (never fewer than
   * a destination's batch size, or its batches could not fill). Taken from the
   * endpoint cache on every pump, so a change (after which the cache forgets the endpoint) counts from the next
   * attempt. When the cache does not hold the endpoint, undefined: it is read, and the read pumps the lane.
   */
  private limitOf(endpointId: string, lane: Lane): number | undefined {
    const held = this.endpoints.heldEndpoint(endpointId);
    if (held) return this.concurrencyOf(held);
    if (lane.readingLimit) return undefined;
    lane.readingLimit = true;
    this.endpoints.endpoint(endpointId).then(
      (endpoint) => (endpoint ? this.concurrencyOf(endpoint) : this.options.perEndpointConcurrency),
      (err) => {
        this.log.error({ err, endpointId }, "could not read an endpoint's concurrency; the default applies until it is read again");
        return this.options.perEndpointConcurrency;
      },
    ).then((limit) => {
      lane.readingLimit = false;
      // With the limit read, not from the cache again: a deleted endpoint stays unheld, and would be read at once again.
      this.pump(endpointId, lane, limit);
    });
    return undefined;
  }

  private concurrencyOf(endpoint: Endpoint): number {
    return Math.max(endpoint.concurrency ?? this.options.perEndpointConcurrency, endpoint.destination?.batchSize ?? 1);
  }

  /** Starts what the lane may start now; `knownLimit`: the endpoint's limit, just read. */
  private pump(endpointId: string, lane: Lane, knownLimit?: number): void {
    if (lane.head >= lane.queue.length) return;
    const limit = knownLimit ?? this.limitOf(endpointId, lane);
    if (limit === undefined) return;
    while (lane.inFlight < limit && lane.head < lane.queue.length) {
      if (this.stopped) return;
      if (this.inFlight >= this.options.maxInFlight) {
        this.line.add(endpointId);
        return;
      }
      if (!this.circuits.mayStart(endpointId)) return;
      if (!lane.throttle.tryStart(Math.min(this.queued(lane), limit))) {
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
      this.host.send(item)
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
            else void this.queue.releaseDeliveries([again.deliveryId], Date.now()).catch(() => undefined);
          }
          // The freed slot goes to the lane first in line; this lane, if it has more to send, queues behind it.
          this.serveLine();
          this.pump(endpointId, lane);
          this.unpark(endpointId, lane);
          if (lane.inFlight === 0 && this.queued(lane) === 0 && !lane.parked) this.lanes.delete(endpointId);
          this.afterRelease();
        });
    }
  }

  /**
   * Hands free slots to the lanes in line, first come first served. A lane that starts nothing (its throttle, its
   * circuit or its own limit holds it back) leaves the line: each of those wakes its lane again by its own means.
   * After this, either no slot is free or nobody is in line, so a lane pumped elsewhere never passes the line.
   */
  private serveLine(): void {
    while (this.inFlight < this.options.maxInFlight && this.line.size > 0) {
      const endpointId = this.line.values().next().value!;
      this.line.delete(endpointId);
      const lane = this.lanes.get(endpointId);
      if (lane) this.pump(endpointId, lane);
    }
  }

  private afterRelease(): void {
    this.host.released(this.held.size);
    if (this.held.size === 0 && this.idleWaiters.length > 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
