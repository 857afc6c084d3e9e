import { Type, type Static } from 'typebox';
import { AnyObject, DateTime, EventTypeName, ListQuery, Nullable, Uid } from './common.ts';

export const EventTypeParams = Type.Object({ event_type_name: EventTypeName });

const EventTypeFields = {
  description: Type.String({ maxLength: 10_000 }),
  archived: Type.Optional(Type.Boolean()),
  deprecated: Type.Optional(Type.Boolean()),
  /** JSON Schema per version (`{"1": {...}}`). */
  schemas: Type.Optional(Nullable(Type.Record(Type.String(), AnyObject))),
  featureFlag: Type.Optional(Nullable(Uid)),
  featureFlags: Type.Optional(Nullable(Type.Array(Uid))),
  groupName: Type.Optional(Nullable(Uid)),
};
export const EventTypeIn = Type.Object({ name: EventTypeName, ...EventTypeFields });
export type EventTypeIn = Static<typeof EventTypeIn>;
export const EventTypeUpdate = Type.Object(EventTypeFields);
export type EventTypeUpdate = Static<typeof EventTypeUpdate>;
export const EventTypePatch = Type.Object({ ...EventTypeFields, description: Type.Optional(Type.String({ maxLength: 10_000 })) });
export type EventTypePatch = Static<typeof EventTypePatch>;

export const EventTypeOut = Type.Object({
  name: Type.String(),
  description: Type.String(),
  archived: Type.Boolean(),
  deprecated: Type.Boolean(),
  /** Null unless asked for (with_content) or when there is none. */
  schemas: Type.Optional(Nullable(Type.Record(Type.String(), AnyObject))),
  featureFlag: Type.Optional(Nullable(Type.String())),
  featureFlags: Type.Optional(Nullable(Type.Array(Type.String()))),
  groupName: Type.Optional(Nullable(Type.String())),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type EventTypeOut = Static<typeof EventTypeOut>;

export const EventTypeListQuery = Type.Object({
  ...ListQuery.properties,
  include_archived: Type.Optional(Type.Boolean()),
  with_content: Type.Optional(Type.Boolean()),
});
export const EventTypeDeleteQuery = Type.Object({ expunge: Type.Optional(Type.Boolean()) });
