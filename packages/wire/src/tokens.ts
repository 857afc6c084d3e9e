import { Type, type Static } from 'typebox';
import { ListQuery, Nullable, Uid } from './common.ts';

const DAY_S = 86_400;

export const Scope = Type.Union([Type.Literal('admin'), Type.Literal('read-only'), Type.Literal('app')]);
export type Scope = Static<typeof Scope>;

export const TokenIn = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  scope: Scope,
  /** The application (id or uid) an app token reaches. */
  appId: Type.Optional(Nullable(Uid)),
  readOnly: Type.Optional(Type.Boolean()),
  /** Seconds from now; omitted: never expires. */
  expiresIn: Type.Optional(Nullable(Type.Integer({ minimum: 60, maximum: 10 * 365 * DAY_S }))),
  rateLimit: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000 }))),
});
export type TokenIn = Static<typeof TokenIn>;

/** An API token (never the token itself) or a portal link's. */
export const TokenOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scope: Scope,
  appId: Nullable(Type.String()),
  readOnly: Type.Boolean(),
  rateLimit: Nullable(Type.Integer()),
  portal: Type.Boolean(),
  prefix: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  expiresAt: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String()),
});
export type TokenOut = Static<typeof TokenOut>;
/** A new token: the token itself is in this answer only. */
export const TokenCreatedOut = Type.Object({ ...TokenOut.properties, token: Type.String() });
export type TokenCreatedOut = Static<typeof TokenCreatedOut>;

export const TokenListQuery = Type.Object({ ...ListQuery.properties, portal: Type.Optional(Type.Boolean()) });
export const TokenParams = Type.Object({ token_id: Uid });

export const PortalAccessIn = Type.Object({
  /** Seconds the link works for. */
  expiry: Type.Optional(Nullable(Type.Integer({ minimum: 60, maximum: 30 * DAY_S }))),
  readOnly: Type.Optional(Nullable(Type.Boolean())),
});
export type PortalAccessIn = Static<typeof PortalAccessIn>;
export const PortalAccessOut = Type.Object({ url: Type.String(), token: Type.String() });
export type PortalAccessOut = Static<typeof PortalAccessOut>;

/** Who the token making a request is: its scope, and the one application an app token reaches. */
export const WhoAmIOut = Type.Object({ tokenId: Nullable(Type.String()), name: Type.String(), scope: Scope, appId: Nullable(Type.String()), readOnly: Type.Boolean() });
export type WhoAmIOut = Static<typeof WhoAmIOut>;
