import type {
  App, Attempt, AttemptFilter, AttemptOutcome, BackgroundTask, CircuitState, ClaimedDelivery, Delivery, DeliveryTally, Endpoint, EndpointKey,
  EndpointStats,
  EventType, IdempotentResponse, Message, MessageFilter, NewMessage, Page, PageResult, StatusValue, StoreEvent, TriggerValue,
} from './types.ts';

import type { ApiToken, AuditEntry, AuditFilter, TokenFilter } from './access-types.ts';
import type { InboundFilter, InboundRequest, InboundStatus, Source } from './inbound-types.ts';
import type { BucketSpec } from './token-bucket.ts';
import type { StorageFull } from './storage-full.ts';
import type { AttemptSeriesPoint, AttemptSeriesQuery } from './stats-types.ts';

export * from './types.ts';
export * from './access-types.ts';
export * from './inbound-types.ts';

/**
 * The one narrow storage interface. Each dialect (sqlite/, postgres/) implements it with its own numbered migrations.
 * Methods that look up by "ref" accept an id or a uid (eventId for messages). Writes that break a uniqueness rule
 * throw HeraldError(409).
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** The versions of the migrations this open applied (none when the schema was already current). */
  readonly migrationsApplied: readonly number[];
  close(): Promise<void>;

  /** Set while the database refuses writes for lack of space (until a write commits again). */
  storageFull(): StorageFull | null;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  createApp(app: App): Promise<void>;
  getApp(ref: string): Promise<App | undefined>;
  listApps(page: Page): Promise<PageResult<App>>;
  updateApp(app: App): Promise<void>;
  deleteApp(id: string): Promise<void>;

  createEventType(eventType: EventType): Promise<void>;
  getEventType(name: string): Promise<EventType | undefined>;
  listEventTypes(page: Page, includeArchived: boolean): Promise<PageResult<EventType>>;
  updateEventType(eventType: EventType): Promise<void>;
  deleteEventType(name: string, expunge: boolean): Promise<void>;

  createEndpoint(endpoint: Endpoint, key: EndpointKey): Promise<void>;
  getEndpoint(appId: string, ref: string): Promise<Endpoint | undefined>;
  getEndpointById(id: string): Promise<Endpoint | undefined>;
  listEndpoints(appId: string, page: Page): Promise<PageResult<Endpoint>>;
  /** Every endpoint of the app, for fan-out (the caller caches this). */
  listAllEndpoints(appId: string): Promise<Endpoint[]>;
  updateEndpoint(endpoint: Endpoint): Promise<void>;
  deleteEndpoint(id: string): Promise<void>;
  /** Disables an endpoint (the delivery engine does, on 410 Gone); false when it was disabled already or is gone. */
  disableEndpoint(id: string, now: number): Promise<boolean>;
  /**
   * A delivery to the endpoint was exhausted: starts its failing run if none is going on. Returns when the run began
   * (undefined if the endpoint is gone).
   */
  noteEndpointExhausted(id: string, now: number): Promise<number | undefined>;
  /** Any success ends an endpoint's failing run. */
  noteEndpointsSucceeded(ids: string[]): Promise<void>;
  /** The keys that still sign at `now`, the current one first. */
  getEndpointKeys(endpointId: string, now: number): Promise<EndpointKey[]>;
  /** Adds a new current key; the old current one keeps signing until oldExpiresAt. */
  rotateEndpointKey(endpointId: string, key: EndpointKey, oldExpiresAt: number): Promise<void>;
  endpointStats(endpointId: string, since: number | null, until: number | null): Promise<EndpointStats>;
  /** Records an endpoint's open circuit breaker (replacing what was kept); nothing when the endpoint is gone. */
  saveCircuit(state: CircuitState, now: number): Promise<void>;
  /** The endpoint's circuit closed. */
  clearCircuit(endpointId: string): Promise<void>;
  /** The open circuits, of the given endpoints or of all. */
  listCircuits(endpointIds?: readonly string[]): Promise<CircuitState[]>;

  /**
   * Throttling shared by every sending process: takes the same number of tokens, at most `wanted`, from each of the
   * token buckets at once (see token-bucket.ts) and returns that number, possibly 0.
   */
  takeTokens(buckets: BucketSpec[], wanted: number, now: number): Promise<number>;

  getIdempotentResponse(scope: string, key: string, now: number): Promise<IdempotentResponse | undefined>;
  putIdempotentResponse(scope: string, key: string, response: IdempotentResponse, expiresAt: number): Promise<void>;

  /**
   * One transaction: the message, a delivery per endpoint (ids returned in that order), the idempotency record.
   * Resolves once committed. If another request already stored a response under the same idempotency key, nothing
   * is written and that response is returned instead. A store shared by several processes tells the others when it
   * made a delivery due (a 'due' admission), so an idle worker wakes at once.
   */
  createMessage(input: NewMessage): Promise<{ deliveryIds: number[] } | { replay: IdempotentResponse }>;
  getMessage(appId: string, ref: string): Promise<Message | undefined>;
  /** Removes a message's payload for good (its metadata, deliveries and attempts stay); a later send fails at once. */
  expungeMessageContent(messageId: string): Promise<void>;

  /** Retention: removes up to `limit` expired payloads, with their attempts' response bodies; returns how many. */
  expirePayloads(now: number, limit: number): Promise<number>;
  /**
   * Retention: deletes up to `limit` messages created before `cutoff` whose deliveries are all finished, with their
   * deliveries and attempts, and idempotency records expired by `now`; returns how many messages went.
   */
  pruneMessages(cutoff: number, now: number, limit: number): Promise<number>;
  /** How many messages were created before `cutoff` (for progress reports). */
  countMessagesBefore(cutoff: number): Promise<number>;
  listMessages(appId: string, filter: MessageFilter, page: Page): Promise<PageResult<Message>>;
  /** How the deliveries of each of these messages stand (a page's worth); a message without deliveries is left out. */
  tallyDeliveries(messageIds: readonly string[]): Promise<Map<string, DeliveryTally>>;
  /** Deliveries of one message with their endpoints (attempted destinations). */
  listMessageDeliveries(messageId: string, page: Page): Promise<PageResult<Delivery>>;
  /** Messages attempted to one endpoint with their delivery state. */
  listEndpointDeliveries(endpointId: string, filter: MessageFilter & { status?: number }, page: Page):
    Promise<PageResult<{ message: Message; delivery: Delivery }>>;

  /**
   * Takes up to `limit` deliveries due at `now`, marks them sending with a lease until `leaseUntil`, and returns
   * them with their payloads. A lease that runs out makes the delivery due again (a crashed sender's work returns).
   */
  claimDueDeliveries(now: number, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]>;
  /** For metrics: deliveries not yet final (pending, parked or being sent; not those waiting their turn on an ordered endpoint). */
  countQueuedDeliveries(): Promise<number>;
  /** For metrics and health: the due time of the oldest pending delivery that is due at `now` (null when none is late). */
  oldestDueAt(now: number): Promise<number | null>;
  /** When the newest attempt (by id, which orders by creation) was made, by any process; null when none was. */
  newestAttemptAt(): Promise<number | null>;
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
   * Ordered endpoints: when the endpoint has no delivery pending or being sent, makes the oldest one waiting its turn
   * due at `now`. Returns whether one was. Safe to call from several processes at once (at most one is made due).
   */
  promoteNextInOrder(endpointId: string, now: number): Promise<boolean>;
  /** Endpoints that have deliveries waiting their turn (for a sweep after a crash between an outcome and its promotion). */
  endpointsWaitingTurn(): Promise<string[]>;
  /** Parked deliveries untouched since `parkedBefore` become due again (their parking process may be gone). */
  unparkStale(parkedBefore: number, now: number): Promise<number>;

  /** Events from other processes sharing this store (none for SQLite). */
  subscribe(listener: (event: StoreEvent) => void): Promise<void>;
  /** Tells the other processes sharing this store (no-op for SQLite). */
  broadcast(event: StoreEvent): Promise<void>;
  /** Gives leased deliveries back, due at `dueAt` (when the engine shuts down). */
  releaseDeliveries(deliveryIds: number[], dueAt: number): Promise<void>;
  /**
   * Parks leased deliveries whose endpoint queue is full: they leave the due index (no scan sees them again) until
   * claimParkedDeliveries takes them, oldest first, as that endpoint's queue drains.
   */
  parkDeliveries(deliveryIds: number[]): Promise<void>;
  claimParkedDeliveries(endpointId: string, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]>;
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
   * Makes the endpoint's deliveries that wait for a retry due at `now` (their schedules go on from where they were),
   * for a receiver known to be back: a `herald listen` session that reconnected, or an endpoint whose circuit
   * breaker closed. Returns how many. A shared store
   * tells the other processes.
   */
  expediteEndpointDeliveries(endpointId: string, now: number): Promise<number>;

  createTask(task: BackgroundTask): Promise<void>;
  getTask(id: string): Promise<BackgroundTask | undefined>;
  listTasks(page: Page): Promise<PageResult<BackgroundTask>>;
  /** Takes a running task that no live worker holds (its lease ran out or it never had one) until `leaseUntil`. */
  claimTask(now: number, leaseUntil: number): Promise<BackgroundTask | undefined>;
  /** Saves a task's progress and status (and its renewed lease). */
  saveTask(task: BackgroundTask): Promise<void>;
  /**
   * A replay's next batch: the app's messages created in [since, until) with ids after `cursor`, oldest id first, each
   * with the status of its delivery to the endpoint (null when it was never sent there).
   */
  messagesForReplay(
    appId: string, endpointId: string, since: number, until: number | null, cursor: string | null, limit: number,
  ): Promise<{ message: Message; deliveryStatus: StatusValue | null }[]>;
  /** How many of the app's messages were created in [since, until): the messages a replay walks (for its progress). */
  countMessagesForReplay(appId: string, since: number, until: number | null): Promise<number>;

  getAttempt(messageId: string, attemptId: string): Promise<Attempt | undefined>;
  listAttempts(filter: AttemptFilter & { messageId?: string; endpointId?: string }, page: Page): Promise<PageResult<Attempt>>;

  createApiToken(token: ApiToken): Promise<void>;
  /** The token with this hash, expired or not (the caller decides). */
  findApiTokenByHash(tokenHash: string): Promise<ApiToken | undefined>;
  getApiToken(id: string): Promise<ApiToken | undefined>;
  listApiTokens(filter: TokenFilter, page: Page): Promise<PageResult<ApiToken>>;
  /** False when there was no such token. */
  deleteApiToken(id: string): Promise<boolean>;
  noteApiTokenUsed(id: string, at: number): Promise<void>;
  /** Retention: deletes tokens that expired before `before`; returns how many. */
  deleteExpiredApiTokens(before: number): Promise<number>;

  appendAuditEntry(entry: AuditEntry): Promise<void>;
  listAuditEntries(filter: AuditFilter, page: Page): Promise<PageResult<AuditEntry>>;

  /** The source and its destinations' application, in one transaction. */
  createSource(source: Source, app: App): Promise<void>;
  /** By id or uid. */
  getSource(ref: string): Promise<Source | undefined>;
  listSources(page: Page): Promise<PageResult<Source>>;
  updateSource(source: Source): Promise<void>;
  /** Deletes the source with its application, destinations, messages and stored requests. */
  deleteSource(id: string): Promise<void>;
  /**
   * Stores a request as it came. With `dedupeSince`, a request whose provider id an accepted request of the source
   * received since then already had is stored as a duplicate instead; returns that request's id (else null).
   */
  storeInboundRequest(request: InboundRequest, dedupeSince: number | null): Promise<{ duplicateOf: string | null }>;
  /** What became of a stored request (forwarded as messageId, or not, and why). */
  settleInboundRequest(id: string, status: InboundStatus, messageId: string | null, reason: string | null): Promise<void>;
  getInboundRequest(sourceId: string, id: string): Promise<InboundRequest | undefined>;
  listInboundRequests(sourceId: string, filter: InboundFilter, page: Page): Promise<PageResult<InboundRequest>>;
  /** Retention: deletes up to `limit` stored inbound requests received before `cutoff`; returns how many. */
  pruneInboundRequests(cutoff: number, limit: number): Promise<number>;

  /**
   * Attempts of an application (or one of its endpoints) made in [since, until), bucket by bucket: every bucket of the
   * range in order, empty ones included (zero counts, null percentiles). See stats-types.ts.
   */
  attemptSeries(query: AttemptSeriesQuery): Promise<AttemptSeriesPoint[]>;
}
