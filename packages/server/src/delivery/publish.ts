import { newId } from '../lib/ids.ts';
import type { HistoryStore, QueueStore } from '../store/storage.ts';
import type { ForwardSpec } from '../store/inbound-types.ts';
import { Trigger, type Admission, type App, type ClaimedDelivery, type IdempotentResponse, type Message } from '../store/types.ts';
import { NO_TRACING, type SpanHandle, type Tracing } from '../telemetry/tracing.ts';
import { orderKeyOf } from '../destinations/order-key.ts';
import { endpointWants, type EndpointCache } from './endpoint-cache.ts';
import { filterMatches, type FilterSubject } from './filter.ts';

export interface PublishInput {
  eventType: string;
  payload: object;
  eventId?: string | null;
  channels?: string[] | null;
  tags?: string[] | null;
  deliverAt?: number | null;
  /** When the payload expires (null: kept as long as the message). */
  payloadExpiresAt?: number | null;
  /** What endpoint filters look at; default: no headers and `payload` as the body. */
  filterSubject?: FilterSubject;
  /** An inbound request passed on: the message id it was given, its exact body text (sent instead of `payload`'s JSON), and its headers. */
  inbound?: { messageId: string; text: string; forward: ForwardSpec };
  /** Deliver to this endpoint only, whatever it subscribes to (an example sent to test it). */
  onlyEndpointId?: string;
}

/** The API request a message comes from: its id is stored with the message, and its span parents the publish span. */
export interface PublishOrigin {
  requestId: string;
  span: SpanHandle | null;
}

export interface PublishOptions {
  app: App;
  message: PublishInput;
  /** Stored with the response in the message's transaction: a retry with the same key gets that response back. */
  idempotency?: { scope: string; key: string; expiresAt: number };
  /**
   * Renders the 202 body from the message before the commit, so a retry with the same idempotency key gets exactly
   * this body back; it is returned as `responseBody` (default: empty).
   */
  respond?: (message: Message) => string;
  origin?: PublishOrigin;
}

export type PublishResult = { message: Message; responseBody: string } | { replay: IdempotentResponse };

/** Publishing as a function, for what only publishes (operational webhooks). */
export type Publish = (options: PublishOptions) => Promise<PublishResult>;

/**
 * How new work reaches this process's delivery engine, as the publisher sees it: a delivery is admitted before the
 * message's transaction, handed over after its commit, and the engine is told when deliveries became due in the store.
 */
export interface DeliveryIntake {
  /** How long the lease on a delivery handed over at publish holds. */
  readonly leaseMs: number;
  /**
   * How the deliveries of a new message, one per endpoint, enter the queue: taken at once ('leased'), parked behind
   * the endpoint's full queue, or left due in the database. Reserves nothing: what was admitted is handed over after
   * the commit.
   */
  admit(endpointIds: readonly string[]): Admission[];
  /**
   * After the commit: the deliveries admitted 'leased' (already leased to this process), the endpoints some were
   * parked for, and when those left due in the database are due (null: none were).
   */
  handOver(committed: { leased: ClaimedDelivery[]; parked: string[]; dueAt: number | null }): void;
  /** Deliveries became due in the store at `at` (a resend, an ordered endpoint's turn). */
  noteDue(at: number): void;
}

/**
 * The write path: one transaction stores the message and a delivery per matching endpoint (and the idempotency
 * record); only after it commits are the deliveries handed to this process's engine, already leased, so the first
 * attempt starts without a database round trip or a poll.
 */
export class Publisher {
  constructor(
    private readonly store: { history: Pick<HistoryStore, 'createMessage'>; queue: Pick<QueueStore, 'promoteNextInOrder' | 'scheduleResend'> },
    private readonly endpoints: EndpointCache,
    /** null in an API-only process: every delivery waits in the database for a worker (told by the store). */
    private readonly intake: DeliveryIntake | null,
    /** Also what the API's request spans go to, so a message's publish span can be their child. */
    readonly tracing: Tracing = NO_TRACING,
  ) {}

  async publish({ app, message: input, idempotency, respond = () => '', origin }: PublishOptions): Promise<PublishResult> {
    const now = Date.now();
    const message: Message = {
      id: input.inbound?.messageId ?? newId('msg', now),
      appId: app.id,
      eventId: input.eventId ?? null,
      eventType: input.eventType,
      channels: input.channels ?? null,
      tags: input.tags ?? null,
      payload: input.inbound ? input.inbound.text : JSON.stringify(input.payload),
      createdAt: now,
      deliverAt: input.deliverAt ?? null,
    };
    const responseBody = respond(message);
    const targets = (await this.endpoints.endpointsOf(app.id)).filter((ep) => (input.onlyEndpointId !== undefined
      ? ep.id === input.onlyEndpointId
      : endpointWants(ep, input.eventType, message.channels) && (ep.filter === null || filterMatches(ep.filter, input.filterSubject ?? { headers: {}, body: input.payload }))));
    const dueAt = Math.max(input.deliverAt ?? now, now);
    const unordered = targets.filter((ep) => !ep.ordered);
    const intake = this.intake;
    const taken = dueAt > now || !intake ? unordered.map((): Admission => 'due') : intake.admit(unordered.map((ep) => ep.id));
    // Ordered endpoints: every delivery waits its turn, and is made due below when nothing of that endpoint is active.
    const admissions = targets.map((ep): Admission => (ep.ordered ? 'turn' : taken.shift()!));
    // Every attempt of the message, wherever and whenever it is made, becomes a child of this span.
    const span = this.tracing.enabled ? this.tracing.start('publish message', 'producer', origin?.span, {
      'herald.app.id': app.id, 'herald.message.id': message.id, 'herald.event_type': input.eventType, 'herald.deliveries': targets.length,
    }) : null;
    const requestId = origin?.requestId;
    const traceparent = span?.traceparent;
    const created = await this.store.history.createMessage({
      message,
      deliveries: targets.map((ep, i) => ({ endpointId: ep.id, admission: admissions[i]!, ...(ep.ordered && { orderKey: orderKeyOf(ep, input.payload) }) })),
      dueAt,
      leaseUntil: now + (intake?.leaseMs ?? 0),
      payloadExpiresAt: input.payloadExpiresAt ?? null,
      idempotency: idempotency && { ...idempotency, response: { statusCode: 202, body: responseBody } },
      requestId: requestId ?? null,
      traceparent: traceparent ?? null,
      forward: input.inbound?.forward ?? null,
    }).catch((err: Error) => {
      span?.end(err.message);
      throw err;
    });
    span?.end();
    // Another request with the same idempotency key committed first (possibly in another process).
    if ('replay' in created) return created;
    const { deliveryIds } = created;
    for (const [i, ep] of targets.entries()) {
      if (ep.ordered && (await this.store.queue.promoteNextInOrder(ep.id, now, deliveryIds[i]!))) intake?.noteDue(dueAt);
    }
    if (!intake) return { message, responseBody };
    const leased: ClaimedDelivery[] = [];
    deliveryIds.forEach((deliveryId, i) => {
      if (admissions[i] !== 'leased') return;
      leased.push({
        deliveryId, messageId: message.id, endpointId: targets[i]!.id, appId: app.id, eventType: message.eventType, attempts: 0, trigger: Trigger.Scheduled,
        payload: message.payload, lease: 0, leaseUntil: now + intake.leaseMs, requestId, traceparent,
        ...(input.inbound ? { forward: input.inbound.forward } : {}),
      });
    });
    const parked = targets.filter((_, i) => admissions[i] === 'parked').map((ep) => ep.id);
    intake.handOver({ leased, parked, dueAt: admissions.includes('due') ? dueAt : null });
    return { message, responseBody };
  }

  /** A manual resend: the delivery is due again now, with a fresh retry schedule. */
  async resend(messageId: string, endpointId: string): Promise<void> {
    const now = Date.now();
    await this.store.queue.scheduleResend(messageId, endpointId, now, Trigger.Manual);
    this.intake?.noteDue(now);
  }
}
