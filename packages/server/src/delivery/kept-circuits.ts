import type { Logger } from 'pino';
import type { CircuitStore } from '../store/storage.ts';
import type { CircuitState } from '../store/types.ts';
import type { CircuitBreakers, CircuitOptions } from './circuit.ts';

/**
 * A worker's circuit breakers as kept in the store: written as they change, so a restart (or another process: the
 * API, the portal, metrics, another worker) knows which endpoints are failing, and read back at start and, with
 * several workers, at each sweep.
 */
export class KeptCircuits {
  /** Writes one after another, so the store ends with the newest state. */
  private writes: Promise<void> = Promise.resolve();
  private queued = 0;
  private done = 0;

  constructor(
    private readonly store: CircuitStore,
    private readonly circuits: CircuitBreakers,
    private readonly options: CircuitOptions,
    private readonly log: Logger,
  ) {}

  private get enabled(): boolean {
    return Number.isFinite(this.options.openAfterFailures);
  }

  keep(endpointId: string, state: CircuitState | null): void {
    this.queued++;
    this.writes = this.writes
      .then(() => (state ? this.store.saveCircuit(state, Date.now()) : this.store.clearCircuit(endpointId)))
      .catch((err) => this.log.error({ err, endpointId }, "could not record the state of an endpoint's circuit breaker"))
      .finally(() => this.done++);
  }

  /** Resolves once every state change so far is written. */
  flushed(): Promise<void> {
    return this.writes;
  }

  /** At start: the circuits kept open become this worker's, each endpoint probed at once. Returns them. */
  async adoptAtStart(): Promise<CircuitState[]> {
    const kept = await this.store.listCircuits();
    if (!this.enabled) {
      // Circuit breaking was turned off since: nothing is held back any more.
      for (const saved of kept) await this.store.clearCircuit(saved.endpointId);
      return [];
    }
    for (const saved of kept) this.circuits.adopt(saved, Date.now());
    return kept;
  }

  /**
   * Several workers: a circuit another worker opened is adopted (probed when that worker planned to), and one whose
   * row is gone (another worker's probe closed it) is closed here too. Only compared when every state change of this
   * worker is written, so the store is not behind this worker's own view.
   */
  async sync(): Promise<void> {
    if (!this.enabled || this.done !== this.queued) return;
    const before = this.queued;
    const kept = await this.store.listCircuits();
    if (this.queued !== before || this.done !== before) return;
    const keptIds = new Set(kept.map((c) => c.endpointId));
    for (const endpointId of this.circuits.openEndpoints()) if (!keptIds.has(endpointId)) this.circuits.closedElsewhere(endpointId);
    for (const saved of kept) {
      if (!this.circuits.isOpen(saved.endpointId)) this.circuits.adopt(saved, saved.nextProbeAt ?? Date.now() + this.options.firstProbeMs);
    }
  }
}
