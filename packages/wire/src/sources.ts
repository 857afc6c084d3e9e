import { Type, type Static } from 'typebox';
import { ListQuery, Nullable, Uid } from './common.ts';

/** Inbound sources: public ingest URLs with a verification scheme, and the requests they received. */

/** The `type` of a source's verification scheme (docs/inbound.md lists each one's fields; the server checks them). */
export const VERIFICATION_TYPES = [
  'none', 'github', 'gitlab', 'stripe', 'shopify', 'slack', 'standard-webhooks', 'alertmanager', 'grafana', 'hmac', 'basic-auth', 'api-key',
] as const;
export type VerificationType = (typeof VERIFICATION_TYPES)[number];

/** What the route schema checks: an object naming a known type; the server checks the rest against that type's fields. */
export const VerificationIn = Type.Object(
  { type: Type.Union(VERIFICATION_TYPES.map((t) => Type.Literal(t))) },
  { additionalProperties: true, description: `How requests are verified: type is one of ${VERIFICATION_TYPES.join(', ')}; the other fields depend on it (see docs/inbound.md).` },
);
export type VerificationIn = { type: VerificationType; [field: string]: unknown };

const SourceResponseIn = Type.Object({
  status: Type.Integer({ minimum: 200, maximum: 299 }),
  body: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
  contentType: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
});

const SourceFields = {
  name: Type.String({ minLength: 1, maxLength: 256 }),
  uid: Type.Optional(Nullable(Uid)),
  verification: VerificationIn,
  response: Type.Optional(SourceResponseIn),
  inspect: Type.Optional(Type.Boolean()),
  /** Seconds; 0 turns de-duplication off. */
  dedupeWindow: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400 })),
  signForwarded: Type.Optional(Type.Boolean()),
};
export const SourceIn = Type.Object(SourceFields);
export type SourceIn = Omit<Static<typeof SourceIn>, 'verification'> & { verification: VerificationIn };
export const SourcePatch = Type.Partial(Type.Object(SourceFields));
export type SourcePatch = Partial<SourceIn>;

/** A source; its verification secrets come masked. */
export const SourceOut = Type.Object({
  id: Type.String(),
  uid: Nullable(Type.String()),
  name: Type.String(),
  /** The application whose endpoints are the source's destinations. */
  appId: Type.String(),
  /** `/in/{uid or id}`, on the server's origin. */
  ingestPath: Type.String(),
  /** The scheme with its secrets masked. */
  verification: Type.Unsafe<VerificationIn>(Type.Record(Type.String(), Type.Unknown())),
  response: Type.Object({ status: Type.Integer(), body: Nullable(Type.String()), contentType: Nullable(Type.String()) }),
  inspect: Type.Boolean(),
  dedupeWindow: Type.Integer(),
  signForwarded: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type SourceOut = Static<typeof SourceOut>;

export const InboundStatus = Type.Union([
  Type.Literal('received'), Type.Literal('accepted'), Type.Literal('rejected'), Type.Literal('duplicate'), Type.Literal('inspected'), Type.Literal('handshake'),
]);
export type InboundStatus = Static<typeof InboundStatus>;

/** A request as it arrived, and what became of it. */
export const InboundRequestOut = Type.Object({
  id: Type.String(),
  sourceId: Type.String(),
  receivedAt: Type.String(),
  method: Type.String(),
  path: Type.String(),
  query: Type.String(),
  headers: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())])),
  body: Type.String(),
  bodyEncoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
  ip: Nullable(Type.String()),
  status: InboundStatus,
  reason: Nullable(Type.String()),
  providerId: Nullable(Type.String()),
  eventType: Nullable(Type.String()),
  messageId: Nullable(Type.String()),
});
export type InboundRequestOut = Static<typeof InboundRequestOut>;

export const SourceParams = Type.Object({ source_id: Uid });
export const InboundRequestParams = Type.Object({ source_id: Uid, request_id: Uid });
export const InboundRequestListQuery = Type.Object({
  ...ListQuery.properties,
  status: Type.Optional(InboundStatus),
  since: Type.Optional(Type.String()),
  until: Type.Optional(Type.String()),
});

export const InboundReplayOut = Type.Object({ messageId: Type.String() });
export type InboundReplayOut = Static<typeof InboundReplayOut>;

/** POST /api/v1/source/{id}/replay: the requests accepted in a time range, one page (at most 500) per call. */
export const SourceReplayIn = Type.Object({
  since: Type.String({ format: 'date-time' }),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  iterator: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
});
export type SourceReplayIn = Static<typeof SourceReplayIn>;
/** Go on with `iterator` until done. */
export const SourceReplayOut = Type.Object({ replayed: Type.Integer(), iterator: Nullable(Type.String()), done: Type.Boolean() });
export type SourceReplayOut = Static<typeof SourceReplayOut>;
