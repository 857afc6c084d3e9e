import type { Logger } from 'pino';
import type { CircuitStore, QueueStore } from '../store/storage.ts';
import type { Admission, ClaimedDelivery } from '../store/types.ts';
import type { AttemptReport } from './attempt.ts';
import { CircuitBreakers, DEFAULT_CIRCUIT, type CircuitOptions } from './circuit.ts';
import type { EndpointCache } from './endpoint-cache.ts';
import { KeptCircuits } from './kept-circuits.ts';
import { Lanes, type LaneOptions, type LaneQueue } from './lanes.ts';
import { Leases } from './leases.ts';
import type { DeliveryIntake } from './publish.ts';
import { Scheduling, type SchedulingOptions, type SchedulingQueue } from './scheduling.ts';

export interface EngineOptions extends Omit<LaneOptions, 'leaseMs'>, Omit<SchedulingOptions, 'leaseMs' | 'maxHeld'> {
  /** Deadline of one attempt: a lease outlasts it. */
  requestTimeoutMs: number;
  /** When to stop sending to an endpoint that keeps failing, and how to probe it (default DEFAULT_CIRCUIT). */
  circuit?: CircuitOptions;
  /** Told when a circuit opened or closed here (operational webhooks); not when one kept in the store is adopted. */
  onCircuit?: (change: { endpointId: string; state: 'opened' | 'closed'; failures: number }) => void;
}

/** What the engine asks of the attempts it has made (attempt.ts's Attempts). */
export interface AttemptRunner {
  run(item: ClaimedDelivery): Promise<AttemptReport | null>;
  /** Resolves once the outcome of every attempt made so far is written. */
  flush(): Promise<void>;
}

/** The store slices the engine works with. */
export interface EngineStore {
  queue: LaneQueue & SchedulingQueue & Pick<QueueStore, 'renewLeases'>;
  circuits: CircuitStore;
}

const LEASE_MARGIN_MS = 10_000;
/** What a lease must have left, beyond the attempt's deadline, for its delivery to be sent. */
const SEND_MARGIN_MS = 2_000;

/**
 * The delivery engine: takes due deliveries (handed over by the publisher right after commit, or claimed from the
 * database: scheduling.ts), sends them through per-endpoint lanes (lanes.ts), and hands each to the attempts, which
 * record its outcome. An endpoint that keeps failing has its circuit opened (circuit.ts) and is only probed.
 */
export class DeliveryEngine implements DeliveryIntake {
  private readonly lanes: Lanes;
  private readonly scheduling: Scheduling;
  private readonly leases: Leases;
  private readonly circuits: CircuitBreakers;
  private readonly keptCircuits: KeptCircuits;
  /** Given once they exist (they report through operational webhooks, which publish into this engine). */
  private attempts: AttemptRunner | null = null;

  constructor(
    private readonly store: EngineStore,
    endpoints: EndpointCache,
    private readonly options: EngineOptions,
    private readonly log: Logger,
  ) {
    this.leases = new Leases(store.queue, this.leaseMs, options.requestTimeoutMs + SEND_MARGIN_MS, log);
    const circuitOptions = options.circuit ?? DEFAULT_CIRCUIT;
    this.circuits = new CircuitBreakers(circuitOptions, {
      holdBack: (endpointId, why) => {
        this.lanes.holdBack(endpointId, why);
        if (why === 'opened') options.onCircuit?.({ endpointId, state: 'opened', failures: this.circuits.failuresOf(endpointId) });
      },
      probe: (endpointId) => this.lanes.probe(endpointId),
      resume: (endpointId) => this.lanes.resume(endpointId),
      changed: (endpointId, state) => {
        this.keptCircuits.keep(endpointId, state);
        // Only a success here closes a circuit this way (one closed by another worker's probe is not announced twice).
        if (state === null) options.onCircuit?.({ endpointId, state: 'closed', failures: 0 });
      },
    });
    this.keptCircuits = new KeptCircuits(store.circuits, this.circuits, circuitOptions, log);
    this.lanes = new Lanes(store.queue, endpoints, this.leases, this.circuits, { ...options, leaseMs: this.leaseMs }, {
      send: (item) => this.deliver(item),
      released: (held) => this.scheduling.released(held),
      dueAt: (at) => this.scheduling.wakeAt(at),
    }, log);
    this.scheduling = new Scheduling(store.queue, { ...options, leaseMs: this.leaseMs }, {
      held: () => this.lanes.held.size,
      accept: (items) => this.lanes.accept(items),
      syncCircuits: () => this.keptCircuits.sync(),
    }, log);
  }

  /** The attempts this engine makes: it sends once given them. */
  sendThrough(attempts: AttemptRunner): void {
    this.attempts = attempts;
  }

  /**
   * How long a claim holds a delivery: past the request timeout (one deadline per attempt) plus time to record the
   * outcome, so an attempt in flight is never handed to a second worker. Deliveries still queued are renewed
   * before their lease runs out; one that could not be renewed is not sent.
   */
  get leaseMs(): number {
    return this.options.requestTimeoutMs + LEASE_MARGIN_MS;
  }

  admit(endpointIds: readonly string[]): Admission[] {
    return this.lanes.admit(endpointIds);
  }

  handOver({ leased, parked, dueAt }: { leased: ClaimedDelivery[]; parked: string[]; dueAt: number | null }): void {
    this.lanes.accept(leased);
    this.lanes.noteParked(parked);
    if (dueAt !== null) this.noteDue(dueAt);
  }

  /** New due work was left in the database (a resend, an ordered endpoint's turn, no room at publish, another process). */
  noteDue(at: number): void {
    this.scheduling.noteDue(at);
  }

  /**
   * Starts sending. `resumed` is what the store made due again at start (recoverAtStart). Endpoints whose circuit was
   * open when the last process stopped are probed, one delivery each, before anything else goes to them.
   */
  async start(resumed: { deliveries: number; endpoints: number } = { deliveries: 0, endpoints: 0 }): Promise<void> {
    const lanes = this.lanes;
    this.leases.start(() => lanes.waiting());
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
    await this.scheduling.start();
  }

  /** Resolves when nothing is queued or in flight and every outcome is recorded (for shutdown and tests). */
  async idle(): Promise<void> {
    await this.lanes.idle();
    await this.attempts?.flush();
  }

  /**
   * Graceful stop: claims nothing more, gives queued deliveries back (due now, for another worker or the next start),
   * lets attempts in flight finish (each has the request timeout as its deadline) and records their outcomes.
   * Nothing is lost and nothing is left claimed by this process.
   */
  async stop(graceMs = this.options.requestTimeoutMs + 2_000): Promise<void> {
    this.scheduling.stop();
    this.circuits.stop();
    this.leases.stop();
    const { queued, inFlight } = this.lanes.stop();
    if (inFlight > 0) {
      await Promise.race([this.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    await this.attempts?.flush();
    await this.keptCircuits.flushed();
    if (queued.length > 0) await this.store.queue.releaseDeliveries(queued, Date.now());
  }

  private async deliver(item: ClaimedDelivery): Promise<void> {
    const attempts = this.attempts;
    if (!attempts) throw new Error('the engine was not given its attempts (sendThrough)');
    // The lease must outlast this attempt, or another worker could take and send the delivery too.
    if (!this.leases.coversSend(item.deliveryId) && !(await this.leases.renew([item])).has(item.deliveryId)) return;
    const report = await attempts.run(item);
    if (report?.reachedEndpoint) this.circuits.note(item.endpointId, report.succeeded);
  }
}
