import { Type, type Static } from 'typebox';
import { Channel, DateTime, EventTypeName, HeaderMap, Metadata, Nullable, ThrottleRate, Uid } from './common.ts';
import { EndpointFilter } from './endpoint-filter.ts';

const Secret = Type.String({ pattern: '^(whsec_|whsk_)?[a-zA-Z0-9+/=]{32,100}$' });
const Url = Type.String({ minLength: 1, maxLength: 65536, format: 'uri' });
const EventTypes = Type.Array(EventTypeName, { minItems: 1, uniqueItems: true });
const Channels = Type.Array(Channel, { minItems: 1, maxItems: 10, uniqueItems: true });
/** Herald: attempts in flight to the endpoint at once; null: the server's HERALD_PER_ENDPOINT_CONCURRENCY. */
const Concurrency = Type.Integer({ minimum: 1, maximum: 1000 });
/** Herald: seconds before each retry (as HERALD_RETRY_SCHEDULE); null: the server's schedule. */
const RetrySchedule = Type.Array(Type.Number({ minimum: 0, maximum: 30 * 86_400 }), { maxItems: 50 });
/** Herald: seconds an attempt may take, at most the server's HERALD_REQUEST_TIMEOUT; null: the server's. */
const RequestTimeout = Type.Number({ exclusiveMinimum: 0, maximum: 300 });

/** Herald: what the URL is: a plain webhook receiver, or a chat tool's incoming webhook that gets chat messages. */
export const EndpointKind = Type.Union([
  Type.Literal('webhook'), Type.Literal('slack'), Type.Literal('teams'), Type.Literal('discord'), Type.Literal('feishu'), Type.Literal('dingtalk'), Type.Literal('wecom'),
]);
export type EndpointKind = Static<typeof EndpointKind>;
/** Herald: a chat endpoint's wording; texts take {{eventType}}, {{msgId}} and {{payload.a.b}}. A field left out: Herald's default. */
export const ChatTemplate = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 1000 })),
  text: Type.Optional(Type.String({ maxLength: 10_000 })),
  /** Payload paths shown as fields, in order. */
  fields: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 25 })),
  severity: Type.Optional(Type.Union([Type.Literal('info'), Type.Literal('success'), Type.Literal('warning'), Type.Literal('error')])),
}, { additionalProperties: false });
export type ChatTemplate = Static<typeof ChatTemplate>;
/** Herald: the chat tool's signing secret (Feishu, DingTalk), never returned; null removes it. */
const ChatSecret = Type.String({ minLength: 1, maxLength: 512 });

const EndpointFields = {
  url: Url,
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  uid: Type.Optional(Nullable(Uid)),
  disabled: Type.Optional(Type.Boolean()),
  eventTypes: Type.Optional(Nullable(EventTypes)),
  filterTypes: Type.Optional(Nullable(EventTypes)),
  channels: Type.Optional(Nullable(Channels)),
  throttleRate: Type.Optional(Nullable(ThrottleRate)),
  concurrency: Type.Optional(Nullable(Concurrency)),
  retrySchedule: Type.Optional(Nullable(RetrySchedule)),
  requestTimeout: Type.Optional(Nullable(RequestTimeout)),
  /** Herald: deliver strictly in creation order. */
  ordered: Type.Optional(Type.Boolean()),
  filter: Type.Optional(Nullable(EndpointFilter)),
  metadata: Type.Optional(Metadata),
  version: Type.Optional(Nullable(Type.Integer())),
  kind: Type.Optional(EndpointKind),
  chatSecret: Type.Optional(Nullable(ChatSecret)),
  chatTemplate: Type.Optional(Nullable(ChatTemplate)),
};
export const EndpointIn = Type.Object({ ...EndpointFields, secret: Type.Optional(Nullable(Secret)), headers: Type.Optional(Nullable(HeaderMap)) });
export type EndpointIn = Static<typeof EndpointIn>;
export const EndpointUpdate = Type.Object(EndpointFields);
export type EndpointUpdate = Static<typeof EndpointUpdate>;
export const EndpointPatch = Type.Object({ ...EndpointFields, url: Type.Optional(Url), secret: Type.Optional(Nullable(Secret)) });
export type EndpointPatch = Static<typeof EndpointPatch>;

/**
 * Herald: the endpoint's circuit breaker. Open after many failed attempts in a row: its deliveries wait while it is
 * probed, one delivery at a time, at nextProbeAt and then less often; the first success closes it.
 */
export const CircuitOut = Type.Object({
  state: Type.Union([Type.Literal('closed'), Type.Literal('open')]),
  openedAt: Nullable(DateTime),
  failures: Type.Integer(),
  nextProbeAt: Nullable(DateTime),
});
export type CircuitOut = Static<typeof CircuitOut>;

export const EndpointOut = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  uid: Type.Optional(Nullable(Type.String())),
  disabled: Type.Boolean(),
  eventTypes: Type.Optional(Nullable(Type.Array(Type.String()))),
  filterTypes: Type.Optional(Nullable(Type.Array(Type.String()))),
  channels: Type.Optional(Nullable(Type.Array(Type.String()))),
  throttleRate: Type.Optional(Nullable(Type.Integer())),
  /** Herald: attempts in flight at once; null: the server's default. */
  concurrency: Nullable(Type.Integer()),
  /** Herald: this endpoint's retry schedule in seconds; null: the server's. */
  retrySchedule: Nullable(Type.Array(Type.Number())),
  /** Herald: this endpoint's request timeout in seconds; null: the server's. */
  requestTimeout: Nullable(Type.Number()),
  ordered: Type.Boolean(),
  filter: Type.Optional(Nullable(EndpointFilter)),
  metadata: Metadata,
  version: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime,
  /** Absent from answers that do not carry it (a message's endpoints). */
  circuit: Type.Optional(CircuitOut),
  /** Herald: `webhook`, or the chat tool the URL belongs to. */
  kind: EndpointKind,
  /** Herald: whether a chat signing secret is set (the secret itself is never returned). */
  chatSigned: Type.Boolean(),
  chatTemplate: Nullable(ChatTemplate),
});
export type EndpointOut = Static<typeof EndpointOut>;

export const EndpointSecretOut = Type.Object({ key: Type.String() });
export type EndpointSecretOut = Static<typeof EndpointSecretOut>;
export const EndpointSecretRotateIn = Type.Object({
  key: Type.Optional(Nullable(Secret)),
  gracePeriodSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 604_800 }))),
});
export type EndpointSecretRotateIn = Static<typeof EndpointSecretRotateIn>;

export const EndpointHeadersIn = Type.Object({ headers: HeaderMap });
export type EndpointHeadersIn = Static<typeof EndpointHeadersIn>;
export const EndpointHeadersPatchIn = Type.Object({
  headers: Type.Record(Type.String(), Nullable(Type.String())),
  deleteHeaders: Type.Optional(Type.Array(Type.String())),
});
export type EndpointHeadersPatchIn = Static<typeof EndpointHeadersPatchIn>;
/** Sensitive headers (credentials) are named, never shown. */
export const EndpointHeadersOut = Type.Object({ headers: HeaderMap, sensitive: Type.Array(Type.String()) });
export type EndpointHeadersOut = Static<typeof EndpointHeadersOut>;

export const EndpointStatsOut = Type.Object({
  success: Type.Integer(), pending: Type.Integer(), sending: Type.Integer(), fail: Type.Integer(), canceled: Type.Integer(),
});
export type EndpointStatsOut = Static<typeof EndpointStatsOut>;
export const StatsQuery = Type.Object({ since: Type.Optional(DateTime), until: Type.Optional(DateTime) });

/** Svix's "send example": an event type's example payload to one endpoint. */
export const EventExampleIn = Type.Object({
  eventType: EventTypeName,
  /** Herald's own (the svix client sends it): which of the schema's examples, the first by default. */
  exampleIndex: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type EventExampleIn = Static<typeof EventExampleIn>;

/** Herald: what a chat endpoint would post for an example message (nothing is sent). */
export const ChatPreviewIn = Type.Object({
  eventType: EventTypeName,
  payload: Type.Record(Type.String(), Type.Unknown()),
  /** A template to try instead of the endpoint's own (null: Herald's default). */
  chatTemplate: Type.Optional(Nullable(ChatTemplate)),
});
export type ChatPreviewIn = Static<typeof ChatPreviewIn>;
export const ChatPreviewOut = Type.Object({
  /** The wording: what any chat tool shows, before its own shape. */
  message: Type.Object({
    title: Type.String(),
    text: Type.String(),
    fields: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
    link: Nullable(Type.Object({ label: Type.String(), url: Type.String() })),
    severity: Type.Union([Type.Literal('info'), Type.Literal('success'), Type.Literal('warning'), Type.Literal('error')]),
  }),
  /** The body the tool gets (unsigned). */
  body: Type.Record(Type.String(), Type.Unknown()),
});
export type ChatPreviewOut = Static<typeof ChatPreviewOut>;
