import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CircuitStore, QueueStore, Storage } from '../store/storage.ts';
import { OUTCOME_NAME, type AttemptOutcome } from '../store/types.ts';

/** What a scrape reads: the queue, the open circuits, and whether the database refuses writes for lack of space. */
export interface MetricsSources extends Pick<Storage, 'storageFull'> {
  queue: Pick<QueueStore, 'countQueuedDeliveries' | 'oldestDueAt'>;
  circuits: Pick<CircuitStore, 'listCircuits'>;
}

/**
 * Herald's Prometheus metrics, in a registry of its own (several Heralds in one test process must not share one).
 * Deliveries and attempts are counted as the recorder commits them; the queue is read from the store on each scrape.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly attempts = new Counter({
    name: 'herald_attempts_total',
    help: 'Delivery attempts recorded, by outcome: success, retry (failed, tried again later), failed (given up) or canceled (by a transformation)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly attemptSeconds = new Histogram({
    name: 'herald_attempt_duration_seconds',
    help: 'Time from sending a delivery to its answer (or timeout), by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [this.registry],
  });
  private readonly endpointFailures = new Counter({
    name: 'herald_endpoint_failed_attempts_total',
    help: 'Failed attempts per endpoint',
    labelNames: ['endpoint_id'] as const,
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: 'herald_api_requests_total',
    help: 'API requests answered, by route, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  constructor(store: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
    new Gauge({
      name: 'herald_deliveries_queued',
      help: 'Deliveries not final yet: pending, parked or being sent',
      registers: [this.registry],
      async collect() {
        this.set(await store.queue.countQueuedDeliveries());
      },
    });
    new Gauge({
      name: 'herald_oldest_due_delivery_age_seconds',
      help: 'How long the oldest delivery that is due has been waiting to be sent (0 when none is late)',
      registers: [this.registry],
      async collect() {
        const now = Date.now();
        const oldestDueAt = await store.queue.oldestDueAt(now);
        this.set(oldestDueAt === null ? 0 : (now - oldestDueAt) / 1000);
      },
    });
    new Gauge({
      name: 'herald_storage_full',
      help: '1 while the database refuses writes for lack of space (SQLITE_FULL, ENOSPC), until a write commits again',
      registers: [this.registry],
      collect() {
        this.set(store.storageFull() ? 1 : 0);
      },
    });
    this.watchCircuits(store.circuits);
  }

  /**
   * Open circuit breakers: a count, and a series per endpoint whose circuit is open (none for the others, so the
   * cardinality is that of failing endpoints, like herald_endpoint_failed_attempts_total's).
   */
  private watchCircuits(circuits: MetricsSources['circuits']): void {
    new Gauge({
      name: 'herald_endpoint_circuits_open',
      help: 'Endpoints whose circuit breaker is open: their deliveries wait while each is probed',
      registers: [this.registry],
      async collect() {
        this.set((await circuits.listCircuits()).length);
      },
    });
    new Gauge({
      name: 'herald_endpoint_circuit_open',
      help: '1 for each endpoint whose circuit breaker is open (no series for the others)',
      labelNames: ['endpoint_id'] as const,
      registers: [this.registry],
      async collect() {
        const open = await circuits.listCircuits();
        this.reset();
        for (const circuit of open) this.set({ endpoint_id: circuit.endpointId }, 1);
      },
    });
  }

  /** Outcomes just committed by a recorder. */
  recorded(outcomes: readonly AttemptOutcome[]): void {
    for (const o of outcomes) {
      const outcome = OUTCOME_NAME[o.status];
      this.attempts.inc({ outcome });
      this.attemptSeconds.observe({ outcome }, o.attempt.durationMs / 1000);
      if (outcome === 'retry' || outcome === 'failed') this.endpointFailures.inc({ endpoint_id: o.attempt.endpointId });
    }
  }

  request(route: string, method: string, status: number): void {
    this.requests.inc({ route, method, status: String(status) });
  }
}
