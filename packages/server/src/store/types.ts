/** Domain rows as the store hands them out. Times are epoch milliseconds. */
import type { LiveAttemptOut } from '@herald/wire';
import type { EndpointFilterIn as EndpointFilter } from '@herald/wire';
import type { ForwardSpec } from './inbound-types.ts';

export interface App {
  id: string;
  uid: string | null;
  name: string;
  metadata: Record<string, string>;
  throttleRate: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface EventType {
  name: string;
  description: string;
  schemas: Record<string, object> | null;
  archived: boolean;
  deprecated: boolean;
  featureFlags: string[] | null;
  groupName: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Endpoint {
  id: string;
  appId: string;
  uid: string | null;
  url: string;
  description: string;
  /** null: every event type. */
  eventTypes: string[] | null;
  /** null: every message; otherwise only messages carrying at least one of these channels. */
  channels: string[] | null;
  disabled: boolean;
  throttleRate: number | null;
  /** Attempts in flight to it at once; null: the server's default (HERALD_PER_ENDPOINT_CONCURRENCY). */
  concurrency: number | null;
  /** Seconds before each retry; null: the server's HERALD_RETRY_SCHEDULE. */
  retrySchedule: readonly number[] | null;
  /** Seconds an attempt may take; null: the server's HERALD_REQUEST_TIMEOUT (never more than it: see attempt.ts). */
  requestTimeout: number | null;
  /** Deliver strictly in creation order: the next message waits until the previous one succeeded or failed for good. */
  ordered: boolean;
  /** Herald: only messages whose body (and inbound request headers) match; null: no such condition. */
  filter: EndpointFilter | null;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  /** Set when this is a destination (Svix's): delivered to a broker, a database or a poller instead of an HTTP URL. */
  destination: EndpointDestination | null;
  /** Set when the URL is a chat tool's incoming webhook (Slack, Teams, Feishu…): messages go as that tool's chat messages. */
  chat: EndpointChat | null;
  createdAt: number;
  updatedAt: number;
}

/** The destination types Herald delivers to; every other type Svix names is refused (422), never accepted silently. */
export const DESTINATION_TYPES = ['rabbitMq', 'postgres', 'fifoEndpoint', 'pollingEndpoint', 'nats', 'mqtt', 'redis'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/**
 * What makes an endpoint row a destination. `config` holds the type's settings, credentials included: it is sealed
 * at rest like custom headers. A fifoEndpoint's URL and headers are the row's own (it is an ordered HTTP endpoint).
 */
export interface EndpointDestination {
  type: DestinationType;
  config: Record<string, unknown>;
  /** Messages gathered into one publish or insert. */
  batchSize: number;
  /** How long a batch waits to fill before it goes anyway, seconds. */
  maxWaitSecs: number;
}

/** The chat tools an endpoint can post to, each with its own body, signature and errors (chat/kinds/). */
export const CHAT_KIND_NAMES = ['slack', 'teams', 'discord', 'feishu', 'dingtalk', 'wecom'] as const;
export type ChatKindName = (typeof CHAT_KIND_NAMES)[number];

/**
 * A chat endpoint's settings. `secret` is the provider's optional signing secret (Feishu, DingTalk), sealed at rest;
 * `template` replaces Herald's default wording of a message.
 */
export interface EndpointChat {
  kind: ChatKindName;
  secret: string | null;
  template: ChatTemplate | null;
}

/**
 * How a message is worded in chat: each text may hold `{{eventType}}`, `{{msgId}}` and `{{payload.some.field}}`
 * placeholders. A field left out keeps Herald's default.
 */
export interface ChatTemplate {
  title?: string;
  text?: string;
  /** Payload paths shown as the message's fields, in order (`customer.email`). */
  fields?: string[];
  severity?: 'info' | 'success' | 'warning' | 'error';
}

export interface EndpointKey {
  /** Raw secret bytes, base64 (shown to users with the whsec_ prefix). */
  key: string;
  createdAt: number;
  /** null: the current key. Otherwise it still signs until this time (rotation grace period). */
  expiresAt: number | null;
}

export interface Message {
  id: string;
  appId: string;
  eventId: string | null;
  eventType: string;
  channels: string[] | null;
  tags: string[] | null;
  /** The exact JSON text that is signed and sent; null once expunged. */
  payload: string | null;
  createdAt: number;
  deliverAt: number | null;
}

/** Svix MessageStatus values, used for deliveries and attempts alike; Canceled: a transformation said not to send. */
export const Status = { Success: 0, Pending: 1, Fail: 2, Sending: 3, Canceled: 4 } as const;
export type StatusValue = (typeof Status)[keyof typeof Status];
export const STATUS_TEXT = ['success', 'pending', 'fail', 'sending', 'canceled'] as const;
/** How an attempt ended, named by the delivery's status once it is recorded (metrics and traces); Sending never is one. */
export const OUTCOME_NAME: Readonly<Record<StatusValue, string>> = {
  [Status.Success]: 'success', [Status.Pending]: 'retry', [Status.Fail]: 'failed', [Status.Sending]: 'failed', [Status.Canceled]: 'canceled',
};

/** How one message's deliveries stand, counted by state (the message list's status column). */
export interface DeliveryTally {
  /** Succeeded. */
  delivered: number;
  /** Not attempted yet (due, scheduled or waiting their turn). */
  pending: number;
  /** Attempted, failed, and to be retried. */
  failing: number;
  /** Failed for good: no retry left. */
  failed: number;
  /** Not sent because the endpoint's transformation cancelled it. */
  canceled: number;
}

export const Trigger = { Scheduled: 0, Manual: 1 } as const;
export type TriggerValue = (typeof Trigger)[keyof typeof Trigger];

export interface Delivery {
  id: number;
  messageId: string;
  endpointId: string;
  status: StatusValue;
  attempts: number;
  /** When the next attempt is due; while sending, when the lease runs out; null once final. */
  nextAttemptAt: number | null;
  lastStatusCode: number | null;
  trigger: TriggerValue;
  updatedAt: number;
}

export interface Attempt {
  id: string;
  appId: string;
  messageId: string;
  endpointId: string;
  url: string;
  status: StatusValue;
  /** 0 when no HTTP response was received. */
  responseStatusCode: number;
  response: string;
  durationMs: number;
  trigger: TriggerValue;
  createdAt: number;
  /** What the request carried; null when nothing was sent (or the attempt predates this record). */
  request: AttemptRequest | null;
}

/**
 * The headers an attempt sent, for debugging a receiver's verification. The endpoint's custom headers are sealed at
 * rest, so only their names are kept here: the attempt log is read by more people than the endpoint's settings.
 */
export interface AttemptRequest {
  headers: Record<string, string>;
  /** Headers that were sent but whose values are withheld. */
  sensitive: string[];
}

/** A delivery handed to the sender, with what it needs to send (no further reads). */
export interface ClaimedDelivery {
  deliveryId: number;
  messageId: string;
  endpointId: string;
  appId: string;
  eventType: string;
  attempts: number;
  trigger: TriggerValue;
  /** null when the content was expunged: the delivery is then failed without sending. */
  payload: string | null;
  /** Which claim of this delivery this is; the outcome is recorded under it. */
  lease: number;
  /** When that claim runs out. */
  leaseUntil: number;
  /** The API request that published the message, for logs; absent for messages Herald published itself. */
  requestId?: string;
  /** The W3C traceparent of the span that published the message, when it was traced: attempts join that trace. */
  traceparent?: string;
  /** Set when the message passes an inbound request on: sent with these headers instead of as Herald's own. */
  forward?: ForwardSpec;
}

/** What the recorder writes after one attempt: the append-only attempt row and the new delivery state. */
export interface AttemptOutcome {
  attempt: Attempt;
  deliveryId: number;
  lease: number;
  status: StatusValue;
  attempts: number;
  nextAttemptAt: number | null;
}

export interface Page {
  limit: number;
  /** An id to continue after; a leading '-' walks backwards (prevIterator). */
  iterator: string | null;
  order: 'ascending' | 'descending';
}

export interface PageResult<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

export interface MessageFilter {
  channel?: string;
  /** Messages carrying at least one of these channels (a poller's channel filter). */
  anyChannel?: readonly string[];
  eventTypes?: string[];
  tag?: string;
  before?: number;
  after?: number;
}

export interface AttemptFilter extends MessageFilter {
  status?: number;
  statusCodeClass?: number;
  endpointId?: string;
}

export interface EndpointStats {
  success: number;
  pending: number;
  sending: number;
  fail: number;
  canceled: number;
}

export interface IdempotentResponse {
  statusCode: number;
  body: string;
}

/**
 * How a new delivery enters the queue: 'leased' when this process sends it at once, 'due' when it waits in the
 * database for a scan, 'parked' when its endpoint already has a full queue (taken by endpoint as the queue drains),
 * 'turn' for an ordered endpoint (it waits until the delivery before it is final; see promoteNextInOrder).
 */
export type Admission = 'leased' | 'due' | 'parked' | 'turn';

export interface NewMessage {
  message: Message;
  /** Endpoints to deliver to (already matched). */
  /** `orderKey`: for an ordered endpoint, the group it takes turns within (null: the endpoint's one group). */
  deliveries: { endpointId: string; admission: Admission; orderKey?: string | null }[];
  /** When the first attempt is due (for 'due' deliveries). */
  dueAt: number;
  /** Lease end for 'leased' deliveries. */
  leaseUntil: number;
  /** When the payload (and the attempts' response bodies) expire; null: kept as long as the message. */
  payloadExpiresAt?: number | null;
  idempotency?: { scope: string; key: string; response: IdempotentResponse; expiresAt: number };
  /** Where the message came from, carried to every attempt (see ClaimedDelivery). */
  requestId?: string | null;
  traceparent?: string | null;
  /** An inbound request passed on (see ClaimedDelivery.forward). */
  forward?: ForwardSpec | null;
}

export type TaskKind = 'endpoint.recover' | 'endpoint.replay' | 'endpoint.bulk-replay';

/** A recovery or replay over one endpoint's messages, run in batches by a worker and resumable from its cursor. */
export interface BackgroundTask {
  id: string;
  kind: TaskKind;
  status: 'running' | 'finished' | 'failed';
  appId: string;
  endpointId: string;
  params: {
    since: number;
    until: number | null;
    /** bulk-replay only: which messages (by their delivery status to the endpoint, and message fields). */
    filter?: { eventTypes?: string[]; channel?: string; tag?: string; status?: number };
  };
  /** The last message id handled. */
  cursor: string | null;
  /** The messages in [since, until) when the task was created: what `processed` counts toward; null for older tasks. */
  total: number | null;
  processed: number;
  scheduled: number;
  leaseUntil: number | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One recorded attempt as live observers see it (`herald tail`, the attempt stream), also passed between processes. */
export type LiveAttempt = LiveAttemptOut;

/** What processes sharing a store tell each other. `origin` names the process that said it. */
export type StoreEvent =
  | { type: 'deliveries-due'; at: number }
  | { type: 'endpoints-changed'; appId: string }
  /** Someone in that process watches these applications' attempts live (repeated while they do). */
  | { type: 'live-interest'; origin: string; appIds: string[] }
  | { type: 'live-attempts'; origin: string; attempts: LiveAttempt[] }
  /** The `herald listen` sessions ("appId/name") connected to that process now (repeated while any is). */
  | { type: 'listen-sessions'; origin: string; sessions: string[] }
  /** A claimed delivery for a listen session connected to the `target` process: it makes the attempt. */
  | { type: 'listen-handoff'; origin: string; target: string; delivery: Omit<ClaimedDelivery, 'payload'> };

/** An endpoint's open circuit breaker, as kept in the store (see delivery/circuit.ts). */
export interface CircuitState {
  endpointId: string;
  /** When the circuit opened. */
  openedAt: number;
  /** Failed attempts in a row, the probes since the circuit opened included. */
  failures: number;
  /** The wait before the probe after the next one (it doubles after each failed probe, up to a maximum). */
  probeDelayMs: number;
  /** When the endpoint is probed next; null while a probe is on its way. */
  nextProbeAt: number | null;
}
