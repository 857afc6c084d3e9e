import type { Logger } from 'pino';
import type { CatalogStore, QueueStore } from '../store/storage.ts';
import { Status, type AttemptOutcome } from '../store/types.ts';

/**
 * Writes attempt outcomes in batches, off the sender's path: everything recorded during one turn of the event loop
 * goes to the store in one call (one transaction). If the write fails the deliveries stay leased and are sent again
 * when the lease ends, so an outcome can be repeated but never lost.
 */
export class Recorder {
  private pending: AttemptOutcome[] = [];
  /** The event type of each pending outcome's message, for live observers. */
  private eventTypes: string[] = [];
  /** Endpoints with a success in this batch: their failing runs end. */
  private succeeded = new Set<string>();
  /** Ordered endpoints whose current delivery became final in this batch: the next one's turn comes. */
  /** Ordered endpoints' deliveries that became final, by delivery id: the next of each one's turn group goes. */
  private turnsEnded = new Map<number, string>();
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly store: {
      queue: Pick<QueueStore, 'recordOutcomes' | 'promoteNextInOrder'>;
      catalog: Pick<CatalogStore, 'noteEndpointsSucceeded'>;
    },
    private readonly log: Logger,
    /**
     * Told, once the outcomes are committed, when a delivery is due again: the soonest retry of the batch, and an
     * ordered endpoint's next one. Not before: a scan for due work that ran between the attempt and its commit saw the
     * delivery still leased, and would otherwise sleep until that lease's end.
     */
    private readonly onDue: (at: number) => void = () => {},
    /** Told of every batch once it is committed (herald tail watches through this). */
    private readonly onRecorded: (outcomes: AttemptOutcome[], eventTypes: string[]) => void = () => {},
  ) {}

  add(outcome: AttemptOutcome, endpoint: { id: string; ordered: boolean }, eventType: string): void {
    this.pending.push(outcome);
    this.eventTypes.push(eventType);
    if (outcome.status === Status.Success) this.succeeded.add(endpoint.id);
    if (endpoint.ordered && outcome.nextAttemptAt === null) this.turnsEnded.set(outcome.deliveryId, endpoint.id);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  /** Resolves once everything added so far is written (or its write has failed and been logged). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const eventTypes = this.eventTypes;
    const succeeded = [...this.succeeded];
    const turnsEnded = [...this.turnsEnded];
    this.pending = [];
    this.eventTypes = [];
    this.succeeded = new Set();
    this.turnsEnded = new Map();
    let soonestRetry = Number.POSITIVE_INFINITY;
    for (const outcome of batch) if (outcome.nextAttemptAt !== null && outcome.nextAttemptAt < soonestRetry) soonestRetry = outcome.nextAttemptAt;
    const write = async () => {
      await this.store.queue.recordOutcomes(batch);
      if (soonestRetry !== Number.POSITIVE_INFINITY) this.onDue(soonestRetry);
      this.onRecorded(batch, eventTypes);
      if (succeeded.length > 0) await this.store.catalog.noteEndpointsSucceeded(succeeded);
      // Only after the outcome is committed does the endpoint have nothing active, so the next one can be promoted.
      const now = Date.now();
      for (const [deliveryId, endpointId] of turnsEnded) if (await this.store.queue.promoteNextInOrder(endpointId, now, deliveryId)) this.onDue(now);
    };
    this.flushing = write().then(
      () => undefined,
      (err) => this.log.error({ err, count: batch.length }, 'recording attempt outcomes failed; those deliveries will be retried'),
    );
    await this.flushing;
    this.flushing = null;
  }
}
