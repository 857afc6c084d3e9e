import { Type, type Static } from 'typebox';
import { ListQuery, Nullable } from './common.ts';

/** One change made through the API. */
export const AuditEntryOut = Type.Object({
  id: Type.String(),
  timestamp: Type.String(),
  actorId: Nullable(Type.String()),
  actorName: Type.String(),
  actorScope: Type.String(),
  ip: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  method: Type.String(),
  route: Type.String(),
  path: Type.String(),
  statusCode: Type.Integer(),
  appId: Nullable(Type.String()),
  resourceId: Nullable(Type.String()),
});
export type AuditEntryOut = Static<typeof AuditEntryOut>;

export const AuditListQuery = Type.Object({
  ...ListQuery.properties,
  app_id: Type.Optional(Type.String({ maxLength: 256 })),
  token_id: Type.Optional(Type.String({ maxLength: 256 })),
  since: Type.Optional(Type.String()),
  until: Type.Optional(Type.String()),
});
