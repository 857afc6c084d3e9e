import type { Attempt, AttemptFilter, Delivery, DeliveryTally, IdempotentResponse, Message, MessageFilter, NewMessage, Page, PageResult } from '../types.ts';

/**
 * Messages with their deliveries and the append-only attempt log: what was sent, to whom, and how it went; retention;
 * idempotency records (a message and its idempotency record commit together).
 */
export interface HistoryStore {
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
  /** When the newest attempt (by id, which orders by creation) was made, by any process; null when none was. */
  newestAttemptAt(): Promise<number | null>;
  getAttempt(messageId: string, attemptId: string): Promise<Attempt | undefined>;
  listAttempts(filter: AttemptFilter & { messageId?: string; endpointId?: string }, page: Page): Promise<PageResult<Attempt>>;
}
