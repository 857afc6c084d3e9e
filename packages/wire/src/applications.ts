import { Type, type Static } from 'typebox';
import { DateTime, Metadata, Nullable, ThrottleRate, Uid } from './common.ts';

export const ApplicationIn = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  uid: Type.Optional(Nullable(Uid)),
  throttleRate: Type.Optional(Nullable(ThrottleRate)),
  metadata: Type.Optional(Metadata),
});
export type ApplicationIn = Static<typeof ApplicationIn>;

export const ApplicationPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  uid: Type.Optional(Nullable(Uid)),
  throttleRate: Type.Optional(Nullable(ThrottleRate)),
  metadata: Type.Optional(Metadata),
});
export type ApplicationPatch = Static<typeof ApplicationPatch>;

export const ApplicationOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  uid: Type.Optional(Nullable(Type.String())),
  throttleRate: Type.Optional(Nullable(Type.Integer())),
  metadata: Metadata,
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type ApplicationOut = Static<typeof ApplicationOut>;

export const CreateApplicationQuery = Type.Object({ get_if_exists: Type.Optional(Type.Boolean()) });
