import { Type, type Static } from 'typebox';
import { CsvList, DateTime, EmptyOut, HeaderMap, Nullable, Uid } from './common.ts';
import { DeliveryStatus, TriggerType } from './attempts.ts';
import { LISTEN_NAME_PATTERN } from './listen-name.ts';

/**
 * The server-sent events of the live streams: GET /api/v1/app/{app}/attempt/stream (`herald tail`, the dashboard's
 * live view) and GET /api/v1/app/{app}/listen/{name} (`herald listen`). Each event's data is JSON of the schema its
 * name maps to.
 */

export const AttemptStreamQuery = Type.Object({ endpoint_id: Type.Optional(Uid), event_types: Type.Optional(CsvList) });

/** First on the attempt stream, on the server's clock: a watcher that lost the stream knows from when it may have missed some. */
export const AttemptStreamReady = Type.Object({
  appId: Type.String(),
  endpointId: Nullable(Type.String()),
  eventTypes: Nullable(Type.Array(Type.String())),
  at: DateTime,
});
export type AttemptStreamReady = Static<typeof AttemptStreamReady>;

/**
 * One recorded attempt as live observers see it: the fields of the API's attempt with the response cut short, plus
 * the message's event type, the attempt's number and when the next one is due.
 */
export const LiveAttemptOut = Type.Object({
  id: Type.String(),
  appId: Type.String(),
  msgId: Type.String(),
  endpointId: Type.String(),
  eventType: Type.String(),
  url: Type.String(),
  status: DeliveryStatus,
  statusText: Type.String(),
  responseStatusCode: Type.Integer(),
  /** The first 200 characters of the response body, or (whole, up to 1,000 characters) why there was no response. */
  response: Type.String(),
  responseDurationMs: Type.Integer(),
  triggerType: TriggerType,
  attemptNumber: Type.Integer(),
  timestamp: DateTime,
  /** When the delivery is tried again; null when this attempt was its last (success or given up). */
  nextAttempt: Nullable(DateTime),
});
export type LiveAttemptOut = Static<typeof LiveAttemptOut>;

/** The attempt stream's events by name (the `id` of an `attempt` event is the attempt's). */
export const AttemptStreamEvents = { ready: AttemptStreamReady, attempt: LiveAttemptOut };
export type AttemptStreamEvents = { [E in keyof typeof AttemptStreamEvents]: Static<(typeof AttemptStreamEvents)[E]> };

export const ListenParams = Type.Object({ app_id: Uid, name: Type.String({ pattern: LISTEN_NAME_PATTERN }) });
export const ListenQuery = Type.Object({ event_types: Type.Optional(CsvList) });

/** Sent once the session is connected: its endpoint, and how many deliveries that failed meanwhile were made due. */
export const ListenReady = Type.Object({
  appId: Type.String(),
  endpointId: Type.String(),
  name: Type.String(),
  url: Type.String(),
  eventTypes: Nullable(Type.Array(Type.String())),
  caughtUp: Type.Integer(),
});
export type ListenReady = Static<typeof ListenReady>;

/** One attempt handed to the session; answer it with POST …/listen/{name}/reply. */
export const ListenDeliveryOut = Type.Object({
  /** Answer with this id. */
  id: Type.String(),
  msgId: Type.String(),
  endpointId: Type.String(),
  eventType: Type.String(),
  attemptNumber: Type.Integer(),
  headers: HeaderMap,
  /** The exact body Herald signed (as base64 when bodyEncoding says so: an inbound request that was not UTF-8). */
  body: Type.String(),
  bodyEncoding: Type.Optional(Type.Literal('base64')),
  /** How long Herald waits for the answer. */
  timeoutMs: Type.Integer(),
});
export type ListenDeliveryOut = Static<typeof ListenDeliveryOut>;

/**
 * The listen stream's events by name. `replaced` (a newer session of the same name took over: stop) and `shutdown`
 * (the server is closing: connect again) end the stream.
 */
export const ListenStreamEvents = { ready: ListenReady, delivery: ListenDeliveryOut, replaced: EmptyOut, shutdown: EmptyOut };
export type ListenStreamEvents = { [E in keyof typeof ListenStreamEvents]: Static<(typeof ListenStreamEvents)[E]> };

/** What the CLI reports back for one delivery: the local server's answer, or why there was none. */
export const ListenReplyIn = Type.Object({
  id: Type.String({ maxLength: 64 }),
  statusCode: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  body: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  headers: Type.Optional(HeaderMap),
  durationMs: Type.Optional(Type.Integer({ minimum: 0 })),
  error: Type.Optional(Type.String({ maxLength: 2_000 })),
});
export type ListenReplyIn = Static<typeof ListenReplyIn>;
