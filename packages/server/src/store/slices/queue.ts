import type { AttemptOutcome, ClaimedDelivery, TriggerValue } from '../types.ts';
import type { BucketSpec } from '../token-bucket.ts';

/**
 * The delivery queue: due times, claims and leases, parking, ordered turns, throttling and the outcome of each attempt.
 */
export interface QueueStore {
  /**
   * Throttling shared by every sending process: takes the same number of tokens, at most `wanted`, from each of the
   * token buckets at once (see token-bucket.ts) and returns that number, possibly 0.
   */
  takeTokens(buckets: BucketSpec[], wanted: number, now: number): Promise<number>;
  /**
   * Takes up to `limit` deliveries due at `now`, marks them sending with a lease until `leaseUntil`, and returns
   * them with their payloads. A lease that runs out makes the delivery due again (a crashed sender's work returns).
   */
  claimDueDeliveries(now: number, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]>;
  /** For metrics: deliveries not yet final (pending, parked or being sent; not those waiting their turn on an ordered endpoint). */
  countQueuedDeliveries(): Promise<number>;
  /** For metrics and health: the due time of the oldest pending delivery that is due at `now` (null when none is late). */
  oldestDueAt(now: number): Promise<number | null>;
  /** The soonest time any delivery becomes due (or its lease ends), or null when none is pending. */
  nextDueAt(): Promise<number | null>;
  /**
   * Called once when a sending process starts. SQLite (one sending process): every delivery that was mid-send or
   * parked becomes due now, except those of an endpoint whose circuit is open: they stay parked (mid-send ones too),
   * for its probe. Says how many deliveries were made due, to how many endpoints. PostgreSQL: nothing, leases run out
   * by themselves.
   */
  recoverAtStart(now: number): Promise<{ deliveries: number; endpoints: number }>;
  /**
   * Ordered endpoints: when the endpoint has no delivery pending or being sent in the order group (order key) of
   * delivery `sameGroupAs`, makes that group's oldest one waiting its turn due at `now`; without `sameGroupAs`, does so
   * for every group (a sweep). Returns whether one was. Safe to call from several processes at once (at most one per
   * group is made due).
   */
  promoteNextInOrder(endpointId: string, now: number, sameGroupAs?: number): Promise<boolean>;
  /** Endpoints that have deliveries waiting their turn (for a sweep after a crash between an outcome and its promotion). */
  endpointsWaitingTurn(): Promise<string[]>;
  /** Parked deliveries untouched since `parkedBefore` become due again (their parking process may be gone). */
  unparkStale(parkedBefore: number, now: number): Promise<number>;
  /** Gives leased deliveries back, due at `dueAt` (when the engine shuts down). */
  releaseDeliveries(deliveryIds: number[], dueAt: number): Promise<void>;
  /**
   * Parks leased deliveries whose endpoint queue is full: they leave the due index (no scan sees them again) until
   * claimParkedDeliveries takes them, oldest first, as that endpoint's queue drains.
   */
  parkDeliveries(deliveryIds: number[]): Promise<void>;
  claimParkedDeliveries(endpointId: string, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]>;
  /**
   * The delivery a probe of an open circuit sends, leased like a claim: the endpoint's oldest parked delivery or, when
   * none is parked, its delivery whose retry comes soonest (never a first attempt scheduled for later: a deliverAt). A failure that opened the circuit was often an overload
   * answer (503, 429, a timeout), whose retry waits a minute or more; a probe that only looked at parked deliveries
   * would find nothing and leave a recovered endpoint's circuit open until then. Null when nothing is pending.
   */
  claimDeliveryToProbe(endpointId: string, leaseUntil: number): Promise<ClaimedDelivery | null>;
  /**
   * Extends the leases of deliveries still held under the given lease numbers; returns the ids renewed (a delivery
   * claimed again or resent meanwhile is not).
   */
  renewLeases(deliveries: { deliveryId: number; lease: number }[], leaseUntil: number): Promise<number[]>;
  /** Appends attempt rows and updates delivery state, all in one transaction. */
  recordOutcomes(outcomes: AttemptOutcome[]): Promise<void>;
  /**
   * Makes the delivery of a message to an endpoint due now with a fresh retry schedule (creating it if needed), for a
   * manual resend. An attempt in flight meanwhile still gets its attempt row, but no longer decides the state.
   * Like createMessage, a shared store tells the other processes that a delivery is due.
   */
  scheduleResend(messageId: string, endpointId: string, now: number, trigger: TriggerValue): Promise<void>;
  /**
   * Makes the endpoint's deliveries that wait for a retry due at `now` (their schedules go on from where they were;
   * a first attempt scheduled for later, a message's deliverAt, keeps its time),
   * for a receiver known to be back: a `herald listen` session that reconnected, or an endpoint whose circuit
   * breaker closed. Returns how many. A shared store
   * tells the other processes.
   */
  expediteEndpointDeliveries(endpointId: string, now: number): Promise<number>;
}
