import { Type, type Static } from 'typebox';
import { Channel, DateTime, EventTypeName, Metadata, Nullable, Uid } from './common.ts';

/**
 * Destinations (Svix's advanced endpoint types): an application's messages delivered to a broker, a database, an
 * ordered HTTP endpoint or a poller. `type` picks the kind and `config` its settings, checked per type by the server
 * (a type Herald cannot deliver to is refused with 422 `destination_type_unsupported`).
 */

const DestinationType = Type.String({ minLength: 1, maxLength: 64 });
const Config = Type.Record(Type.String(), Type.Unknown());
/** An empty list, like null, filters nothing (Svix). */
const EventTypes = Type.Array(EventTypeName, { maxItems: 1000, uniqueItems: true });
const Channels = Type.Array(Channel, { maxItems: 10, uniqueItems: true });
const StatusIn = Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]);
/** Messages gathered into one publish or insert. */
const BatchSize = Type.Integer({ minimum: 1, maximum: 1000 });
/** How long a batch waits to fill, seconds: below the server's HERALD_REQUEST_TIMEOUT (checked by the server). */
const MaxWaitSecs = Type.Number({ minimum: 0, maximum: 300 });

const DestinationFields = {
  uid: Type.Optional(Nullable(Uid)),
  status: Type.Optional(StatusIn),
  batchSize: Type.Optional(BatchSize),
  maxWaitSecs: Type.Optional(MaxWaitSecs),
  eventTypes: Type.Optional(EventTypes),
  channels: Type.Optional(Channels),
  metadata: Type.Optional(Metadata),
};

export const DestinationIn = Type.Object({ ...DestinationFields, type: DestinationType, config: Type.Optional(Config) });
export type DestinationIn = Static<typeof DestinationIn>;

/** Fields left out keep their value; a `config` given is merged over the stored one (a credential left out is kept). */
export const DestinationPatch = Type.Object({
  uid: Type.Optional(Nullable(Uid)),
  status: Type.Optional(Nullable(StatusIn)),
  batchSize: Type.Optional(Nullable(BatchSize)),
  maxWaitSecs: Type.Optional(Nullable(MaxWaitSecs)),
  eventTypes: Type.Optional(EventTypes),
  channels: Type.Optional(Channels),
  metadata: Type.Optional(Metadata),
  type: Type.Optional(DestinationType),
  config: Type.Optional(Config),
});
export type DestinationPatch = Static<typeof DestinationPatch>;

export const DestinationOut = Type.Object({
  id: Type.String(),
  uid: Type.Optional(Nullable(Type.String())),
  type: Type.String(),
  /** The settings without credentials (a password, a URI's user info). */
  config: Config,
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('retrying')]),
  /** Where a poller reading this destination from now on would start (pollingEndpoint); empty otherwise. */
  currentIterator: Type.String(),
  failureReason: Type.Optional(Nullable(Type.String())),
  batchSize: Type.Integer(),
  maxWaitSecs: Type.Number(),
  eventTypes: Type.Optional(Type.Array(Type.String())),
  channels: Type.Optional(Type.Array(Type.String())),
  nextRetryAt: Type.Optional(Nullable(DateTime)),
  metadata: Metadata,
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type DestinationOut = Static<typeof DestinationOut>;

export const DestinationParams = Type.Object({ app_id: Uid, destination_id: Uid });

/** The key that signs what the destination receives (its webhook-signature header). */
export const DestinationSecretOut = Type.Object({ key: Type.String() });
export type DestinationSecretOut = Static<typeof DestinationSecretOut>;

/** A polling destination's messages (svix's messagePoller): read by iterator, filtered by the destination's event types and channels. */
export const PollerParams = Type.Object({ app_id: Uid, sink_id: Uid });
export const PollerConsumerParams = Type.Object({ app_id: Uid, sink_id: Uid, consumer_id: Uid });
export const PollQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
  iterator: Type.Optional(Type.String({ maxLength: 300 })),
  event_type: Type.Optional(EventTypeName),
  channel: Type.Optional(Channel),
  /** Start after this time instead of at the destination's creation (without an iterator). */
  after: Type.Optional(DateTime),
});
export type PollQuery = Static<typeof PollQuery>;
export const ConsumerPollQuery = Type.Object({
  limit: PollQuery.properties.limit,
  iterator: PollQuery.properties.iterator,
});
export type ConsumerPollQuery = Static<typeof ConsumerPollQuery>;

export const PollingEndpointMessageOut = Type.Object({
  id: Type.String(),
  eventId: Type.Optional(Nullable(Type.String())),
  eventType: Type.String(),
  /** null once the content was expunged. */
  payload: Type.Unknown(),
  channels: Type.Optional(Nullable(Type.Array(Type.String()))),
  tags: Type.Optional(Nullable(Type.Array(Type.String()))),
  timestamp: DateTime,
  deliverAt: Type.Optional(Nullable(DateTime)),
  headers: Type.Optional(Nullable(Type.Record(Type.String(), Type.String()))),
});
export type PollingEndpointMessageOut = Static<typeof PollingEndpointMessageOut>;
/** `iterator`: where the next read starts; `done`: nothing more is there now. */
export const PollingEndpointOut = Type.Object({ data: Type.Array(PollingEndpointMessageOut), iterator: Type.String(), done: Type.Boolean() });
export type PollingEndpointOut = Static<typeof PollingEndpointOut>;
export const PollingEndpointConsumerSeekIn = Type.Object({ after: DateTime });
export type PollingEndpointConsumerSeekIn = Static<typeof PollingEndpointConsumerSeekIn>;
export const PollingEndpointConsumerSeekOut = Type.Object({ iterator: Type.String() });
export type PollingEndpointConsumerSeekOut = Static<typeof PollingEndpointConsumerSeekOut>;
