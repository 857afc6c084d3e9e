import { Type, type Static } from 'typebox';
import { ApplicationIn } from './applications.ts';
import { AnyObject, Channel, CsvList, DateTime, EventTypeName, ID_PATTERN, ListQuery, Nullable, Uid } from './common.ts';

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
export type MessageIn = Static<typeof MessageIn>;

export const MessageOutFields = {
  id: Type.String(),
  eventType: Type.String(),
  eventId: Type.Optional(Nullable(Type.String())),
  channels: Type.Optional(Nullable(Type.Array(Type.String()))),
  tags: Type.Optional(Nullable(Type.Array(Type.String()))),
  // An object for published messages; an inbound source's body that is not a JSON object comes as it is (a string).
  payload: Type.Unknown(),
  timestamp: DateTime,
  deliverAt: Type.Optional(Nullable(DateTime)),
};
export const MessageOut = Type.Object(MessageOutFields);
export type MessageOut = Static<typeof MessageOut>;

/**
 * Herald's extension to the message list (`with_delivery_status=true`): each message's deliveries counted by state:
 * delivered, not attempted yet, failed and to be retried, failed for good.
 */
export const DeliveryTallyOut = Type.Object({ delivered: Type.Integer(), pending: Type.Integer(), failing: Type.Integer(), failed: Type.Integer(), canceled: Type.Integer() });
export type DeliveryTallyOut = Static<typeof DeliveryTallyOut>;
export const MessageListItemOut = Type.Object({ ...MessageOutFields, deliveryStatus: Type.Optional(DeliveryTallyOut) });
export type MessageListItemOut = Static<typeof MessageListItemOut>;

/** The filters the message and attempt lists share. */
export const MessageFilters = {
  channel: Type.Optional(Channel),
  tag: Type.Optional(Type.String({ maxLength: 128 })),
  before: Type.Optional(DateTime),
  after: Type.Optional(DateTime),
  event_types: Type.Optional(CsvList),
  with_content: Type.Optional(Type.Boolean()),
};
export const MessageListQuery = Type.Object({ ...ListQuery.properties, ...MessageFilters });
export const MessageListWithStatusQuery = Type.Object({ ...MessageListQuery.properties, with_delivery_status: Type.Optional(Type.Boolean()) });
export const MessageQuery = Type.Object({ with_content: Type.Optional(Type.Boolean()) });
