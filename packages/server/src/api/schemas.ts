import { Type, type Static, type TSchema } from 'typebox';
import { EndpointFilterSchema } from '../delivery/filter.ts';

/** Route schemas (request validation, response serialization and the OpenAPI document), shaped like Svix's. */

export const ID_PATTERN = '^[a-zA-Z0-9\\-_.]+$';
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Uid = Type.String({ minLength: 1, maxLength: 256, pattern: ID_PATTERN });
export const EventTypeName = Type.String({ minLength: 1, maxLength: 256, pattern: ID_PATTERN });
export const Channel = Type.String({ minLength: 1, maxLength: 128, pattern: ID_PATTERN });
export const Metadata = Type.Record(Type.String(), Type.String());
/** Messages per second; Svix rejects 0 (it would stop delivery), so does Herald. */
export const ThrottleRate = Type.Integer({ minimum: 1, maximum: 65535 });
const DateTime = Type.String({ format: 'date-time' });
const Secret = Type.String({ pattern: '^(whsec_|whsk_)?[a-zA-Z0-9+/=]{32,100}$' });
const Url = Type.String({ minLength: 1, maxLength: 65536, format: 'uri' });
const EventTypes = Type.Array(EventTypeName, { minItems: 1, uniqueItems: true });
const Channels = Type.Array(Channel, { minItems: 1, maxItems: 10, uniqueItems: true });
const Headers = Type.Record(Type.String(), Type.String());
export const AnyObject = Type.Object({}, { additionalProperties: true });

// ---- params and queries ----
export const AppParams = Type.Object({ app_id: Uid });
export const EndpointParams = Type.Object({ app_id: Uid, endpoint_id: Uid });
export const MessageParams = Type.Object({ app_id: Uid, msg_id: Uid });
export const EventTypeParams = Type.Object({ event_type_name: EventTypeName });

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  iterator: Type.Optional(Type.String({ maxLength: 300 })),
  order: Type.Optional(Type.Union([Type.Literal('ascending'), Type.Literal('descending')])),
});

/** The JS client joins a list with commas (`event_types=a,b`); other Svix SDKs repeat the parameter. Both are accepted. */
export const CsvList = Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 10_000 }), { maxItems: 100 })]);
const Filters = {
  channel: Type.Optional(Channel),
  tag: Type.Optional(Type.String({ maxLength: 128 })),
  before: Type.Optional(DateTime),
  after: Type.Optional(DateTime),
  event_types: Type.Optional(CsvList),
  with_content: Type.Optional(Type.Boolean()),
};
export const MessageListQuery = Type.Object({ ...ListQuery.properties, ...Filters });
export const AttemptListQuery = Type.Object({
  ...ListQuery.properties,
  ...Filters,
  status: Type.Optional(Type.Integer({ minimum: 0, maximum: 4 })),
  status_code_class: Type.Optional(Type.Union([0, 100, 200, 300, 400, 500].map((n) => Type.Literal(n)))),
  endpoint_id: Type.Optional(Uid),
  with_msg: Type.Optional(Type.Boolean()),
  expanded_statuses: Type.Optional(Type.Boolean()),
});

// ---- applications ----
export const ApplicationIn = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  uid: Type.Optional(Nullable(Uid)),
  throttleRate: Type.Optional(Nullable(ThrottleRate)),
  metadata: Type.Optional(Metadata),
});
export const ApplicationPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  uid: Type.Optional(Nullable(Uid)),
  throttleRate: Type.Optional(Nullable(ThrottleRate)),
  metadata: Type.Optional(Metadata),
});
export const ApplicationOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  uid: Type.Optional(Nullable(Type.String())),
  throttleRate: Type.Optional(Nullable(Type.Integer())),
  metadata: Metadata,
  createdAt: DateTime,
  updatedAt: DateTime,
});

// ---- event types ----
const EventTypeFields = {
  description: Type.String({ maxLength: 10_000 }),
  archived: Type.Optional(Type.Boolean()),
  deprecated: Type.Optional(Type.Boolean()),
  schemas: Type.Optional(Nullable(Type.Record(Type.String(), AnyObject))),
  featureFlag: Type.Optional(Nullable(Uid)),
  featureFlags: Type.Optional(Nullable(Type.Array(Uid))),
  groupName: Type.Optional(Nullable(Uid)),
};
export const EventTypeIn = Type.Object({ name: EventTypeName, ...EventTypeFields });
export const EventTypeUpdate = Type.Object(EventTypeFields);
export const EventTypePatch = Type.Object({ ...EventTypeFields, description: Type.Optional(Type.String({ maxLength: 10_000 })) });
export const EventTypeOut = Type.Object({
  name: Type.String(),
  description: Type.String(),
  archived: Type.Boolean(),
  deprecated: Type.Boolean(),
  schemas: Type.Optional(Nullable(Type.Record(Type.String(), AnyObject))),
  featureFlag: Type.Optional(Nullable(Type.String())),
  featureFlags: Type.Optional(Nullable(Type.Array(Type.String()))),
  groupName: Type.Optional(Nullable(Type.String())),
  createdAt: DateTime,
  updatedAt: DateTime,
});

// ---- endpoints ----
const EndpointFields = {
  url: Url,
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  uid: Type.Optional(Nullable(Uid)),
  disabled: Type.Optional(Type.Boolean()),
  eventTypes: Type.Optional(Nullable(EventTypes)),
  filterTypes: Type.Optional(Nullable(EventTypes)),
  channels: Type.Optional(Nullable(Channels)),
  throttleRate: Type.Optional(Nullable(ThrottleRate)),
  /** Herald: deliver strictly in creation order. */
  ordered: Type.Optional(Type.Boolean()),
  filter: Type.Optional(Nullable(EndpointFilterSchema)),
  metadata: Type.Optional(Metadata),
  version: Type.Optional(Nullable(Type.Integer())),
};
export const EndpointIn = Type.Object({ ...EndpointFields, secret: Type.Optional(Nullable(Secret)), headers: Type.Optional(Nullable(Headers)) });
export const EndpointUpdate = Type.Object(EndpointFields);
export const EndpointPatch = Type.Object({ ...EndpointFields, url: Type.Optional(Url), secret: Type.Optional(Nullable(Secret)) });
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
  ordered: Type.Boolean(),
  filter: Type.Optional(Nullable(EndpointFilterSchema)),
  metadata: Metadata,
  version: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime,
  circuit: Type.Optional(CircuitOut),
});
export const EndpointSecretOut = Type.Object({ key: Type.String() });
export const EndpointSecretRotateIn = Type.Object({
  key: Type.Optional(Nullable(Secret)),
  gracePeriodSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 604_800 }))),
});
export const EndpointHeadersIn = Type.Object({ headers: Headers });
export const EndpointHeadersPatchIn = Type.Object({
  headers: Type.Record(Type.String(), Nullable(Type.String())),
  deleteHeaders: Type.Optional(Type.Array(Type.String())),
});
export const EndpointHeadersOut = Type.Object({ headers: Headers, sensitive: Type.Array(Type.String()) });
/** `headers` is null when the attempt sent nothing, or was made before Herald recorded request headers. */
export const AttemptHeadersOut = Type.Object({ headers: Type.Union([Headers, Type.Null()]), sensitive: Type.Array(Type.String()) });
export const EndpointStatsOut = Type.Object({
  success: Type.Integer(), pending: Type.Integer(), sending: Type.Integer(), fail: Type.Integer(), canceled: Type.Integer(),
});
export const StatsQuery = Type.Object({ since: Type.Optional(DateTime), until: Type.Optional(DateTime) });

// ---- messages ----
export const MessageIn = Type.Object({
  eventType: EventTypeName,
  payload: AnyObject,
  eventId: Type.Optional(Nullable(Uid)),
  channels: Type.Optional(Nullable(Type.Array(Channel, { minItems: 1, maxItems: 10, uniqueItems: true }))),
  tags: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 128, pattern: ID_PATTERN }), { maxItems: 5, uniqueItems: true }))),
  deliverAt: Type.Optional(Nullable(DateTime)),
  payloadRetentionPeriod: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 90 }))),
  // At most payloadRetentionPeriod's 90 days. Unbounded, the hours in milliseconds overflowed PostgreSQL's bigint (a 500).
  payloadRetentionHours: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 2160 }))),
  application: Type.Optional(Nullable(ApplicationIn)),
  transformationsParams: Type.Optional(Nullable(AnyObject)),
});
const MessageOutFields = {
  id: Type.String(),
  eventType: Type.String(),
  eventId: Type.Optional(Nullable(Type.String())),
  channels: Type.Optional(Nullable(Type.Array(Type.String()))),
  tags: Type.Optional(Nullable(Type.Array(Type.String()))),
  // An object for published messages; an inbound source's body that is not a JSON object comes as it is (serialize.ts).
  payload: Type.Unknown(),
  timestamp: DateTime,
  deliverAt: Type.Optional(Nullable(DateTime)),
};
export const MessageOut = Type.Object(MessageOutFields);
/** Herald's extension to the message list (`with_delivery_status=true`): each message's deliveries counted by state. */
const DeliveryTallyOut = Type.Object({ delivered: Type.Integer(), pending: Type.Integer(), failing: Type.Integer(), failed: Type.Integer() });
export const MessageListItemOut = Type.Object({ ...MessageOutFields, deliveryStatus: Type.Optional(DeliveryTallyOut) });
export const MessageListWithStatusQuery = Type.Object({ ...MessageListQuery.properties, with_delivery_status: Type.Optional(Type.Boolean()) });
export const MessageQuery = Type.Object({ with_content: Type.Optional(Type.Boolean()) });

const StatusFields = {
  status: Type.Integer(),
  statusText: Type.String(),
  nextAttempt: Type.Optional(Nullable(DateTime)),
};
export const EndpointMessageOut = Type.Object({ ...MessageOutFields, ...StatusFields });
export const MessageEndpointOut = Type.Object({ ...EndpointOut.properties, ...StatusFields });

export const MessageAttemptOut = Type.Object({
  id: Type.String(),
  url: Type.String(),
  response: Type.String(),
  responseStatusCode: Type.Integer(),
  responseDurationMs: Type.Integer(),
  status: Type.Integer(),
  statusText: Type.String(),
  triggerType: Type.Integer(),
  msgId: Type.String(),
  endpointId: Type.String(),
  timestamp: DateTime,
  msg: Type.Optional(MessageOut),
});
export const AttemptParams = Type.Object({ app_id: Uid, msg_id: Uid, attempt_id: Uid });
export const ResendParams = Type.Object({ app_id: Uid, msg_id: Uid, endpoint_id: Uid });

export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    iterator: Nullable(Type.String()),
    prevIterator: Type.Optional(Nullable(Type.String())),
    done: Type.Boolean(),
  });

export const EmptyOut = Type.Object({});

export type TApplicationIn = Static<typeof ApplicationIn>;
