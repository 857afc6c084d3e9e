/** The wire shapes of Herald's API that the dashboard reads (see docs/api.md and /api/v1/openapi.json). */

export type Scope = 'admin' | 'read-only' | 'app';

/** GET /api/v1/auth/me */
export interface Me {
  tokenId: string | null;
  name: string;
  scope: Scope;
  appId: string | null;
  readOnly: boolean;
}

/** Every list: keyset pages. `iterator` continues forward; `prevIterator` (starting with '-') walks back. */
export interface ListResponse<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

export interface Application {
  id: string;
  name: string;
  uid: string | null;
  throttleRate: number | null;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface Endpoint {
  id: string;
  url: string;
  description: string;
  uid: string | null;
  disabled: boolean;
  eventTypes: string[] | null;
  channels: string[] | null;
  throttleRate: number | null;
  ordered: boolean;
  filter: unknown;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Herald's circuit breaker; absent from answers that do not carry it (a message's endpoints). */
  circuit?: Circuit;
}

/** Open after many failed attempts in a row: the endpoint's deliveries wait while it is probed, one at a time. */
export interface Circuit {
  state: 'closed' | 'open';
  openedAt: string | null;
  failures: number;
  nextProbeAt: string | null;
}

/** 0 success, 1 pending, 2 fail, 3 sending */
export type Status = 0 | 1 | 2 | 3 | 4;

export interface Message {
  id: string;
  eventType: string;
  eventId: string | null;
  channels: string[] | null;
  tags: string[] | null;
  payload: unknown;
  timestamp: string;
  deliverAt: string | null;
  /** In the message list asked `with_delivery_status`: its deliveries counted by state. */
  deliveryStatus?: DeliveryTally;
}

/** How a message's deliveries stand: delivered, not attempted yet, failed and to be retried, failed for good. */
export interface DeliveryTally {
  delivered: number;
  pending: number;
  failing: number;
  failed: number;
}

/** GET …/msg/{msg}/endpoint: an endpoint with its delivery of one message. */
export interface MessageEndpoint extends Endpoint {
  status: Status;
  statusText: string;
  nextAttempt: string | null;
}

/** GET …/attempt/{attempt}/headers: null headers when nothing was sent (or the attempt predates the record). */
export interface AttemptHeaders {
  headers: Record<string, string> | null;
  sensitive: string[];
}

export interface Attempt {
  id: string;
  url: string;
  response: string;
  responseStatusCode: number;
  responseDurationMs: number;
  status: Status;
  statusText: string;
  /** 0 scheduled, 1 manual (resend) */
  triggerType: number;
  msgId: string;
  endpointId: string;
  timestamp: string;
}

export interface EventType {
  name: string;
  description: string;
  archived: boolean;
  deprecated: boolean;
  /** JSON Schema per version (`{"1": {...}}`); null unless asked for (with_content) or when there is none. */
  schemas?: Record<string, unknown> | null;
  featureFlags?: string[] | null;
  groupName?: string | null;
  createdAt?: string;
  updatedAt?: string;
}

/** GET …/endpoint/{ep}/headers: sensitive headers (credentials) are named, never shown. */
export interface EndpointHeaders {
  headers: Record<string, string>;
  sensitive: string[];
}

export type TaskKind = 'endpoint.recover' | 'endpoint.replay' | 'endpoint.bulk-replay';

/** POST …/recover | replay-missing | bulk-replay → 202, and GET /api/v1/background-task/{id} (with data). */
export interface BackgroundTask {
  id: string;
  status: 'running' | 'finished' | 'failed' | string;
  task: TaskKind | string;
  updatedAt: string;
  data?: { total: number | null; processed: number; scheduled: number; error: string | null };
}

export interface PortalAccess {
  url: string;
  token: string;
}

export type StatsBucket = 'minute' | 'hour' | 'day';

/** One bucket of GET …/stats/series: attempts made in [start, start + bucket). Percentiles are null without attempts. */
export interface SeriesPoint {
  start: string;
  attempts: number;
  succeeded: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** GET /api/v1/app/{app}/stats/series and …/endpoint/{ep}/stats/series */
export interface StatsSeries {
  bucket: StatsBucket;
  since: string;
  until: string;
  series: SeriesPoint[];
}

/** The data of an `attempt` event of GET /api/v1/app/{app}/attempt/stream. */
export interface LiveAttempt {
  id: string;
  appId: string;
  msgId: string;
  endpointId: string;
  eventType: string;
  url: string;
  status: Status;
  statusText: string;
  responseStatusCode: number;
  /** The first 200 characters of the response body, or why there was no response. */
  response: string;
  responseDurationMs: number;
  triggerType: number;
  attemptNumber: number;
  timestamp: string;
  /** When the delivery is tried again; null when this attempt was its last. */
  nextAttempt: string | null;
}

/** GET /api/v1/source[/{id}]: an inbound source; its verification secrets come masked. */
export interface Source {
  id: string;
  uid: string | null;
  name: string;
  /** The application whose endpoints are the source's destinations. */
  appId: string;
  /** `/in/{uid or id}`, on the server's origin. */
  ingestPath: string;
  verification: { type: string; [field: string]: unknown };
  response: { status: number; body: string | null; contentType: string | null };
  inspect: boolean;
  /** Seconds; 0: no de-duplication. */
  dedupeWindow: number;
  signForwarded: boolean;
  createdAt: string;
  updatedAt: string;
}

export type InboundStatus = 'received' | 'accepted' | 'rejected' | 'duplicate' | 'inspected' | 'handshake';

/** GET /api/v1/source/{id}/request[/{req}]: a request as it arrived, and what became of it. */
export interface InboundRequest {
  id: string;
  sourceId: string;
  receivedAt: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[]>;
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  ip: string | null;
  status: InboundStatus;
  reason: string | null;
  providerId: string | null;
  eventType: string | null;
  messageId: string | null;
}

/** GET /api/v1/token: an API token (never the token itself) or a portal link's. */
export interface ApiToken {
  id: string;
  name: string;
  scope: Scope;
  appId: string | null;
  readOnly: boolean;
  rateLimit: number | null;
  portal: boolean;
  prefix: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** POST /api/v1/token: the new token, in this answer only. */
export interface ApiTokenCreated extends ApiToken {
  token: string;
}

/** GET /api/v1/audit-log: one change made through the API. */
export interface AuditEntry {
  id: string;
  timestamp: string;
  actorId: string | null;
  actorName: string;
  actorScope: string;
  ip: string | null;
  requestId: string | null;
  method: string;
  route: string;
  path: string;
  statusCode: number;
  appId: string | null;
  resourceId: string | null;
}

/** The `type` of a source's verification scheme (docs/inbound.md lists each one's fields). */
export type VerificationType = 'github' | 'stripe' | 'shopify' | 'slack' | 'standard-webhooks' | 'hmac' | 'basic-auth' | 'api-key' | 'none';

/** POST /api/v1/source/{id}/replay: one page (at most 500) of accepted requests sent again; go on with `iterator` until done. */
export interface SourceReplayPage {
  replayed: number;
  iterator: string | null;
  done: boolean;
}
