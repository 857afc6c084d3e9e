/** API tokens and the audit log, as the store hands them out. Times are epoch milliseconds. */

/** admin: everything. read-only: every read except secrets. app: one application (portal links are these). */
export type TokenScope = 'admin' | 'read-only' | 'app';

export interface ApiToken {
  id: string;
  name: string;
  /** SHA-256 of the token, hex: the token itself is never stored. */
  tokenHash: string;
  /** The token's first characters, to tell tokens apart in a list. */
  prefix: string;
  scope: TokenScope;
  /** The one application an app token reaches; null for the other scopes. */
  appId: string | null;
  /** An app token that may only read (a read-only portal link). */
  readOnly: boolean;
  /** Requests per second this token may make; null: the server's default. */
  rateLimit: number | null;
  /** Made by POST /api/v1/auth/app-portal-access (short-lived, listed apart). */
  portal: boolean;
  /** Who made it: the name of the token that created it. */
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

export interface AuditEntry {
  id: string;
  at: number;
  /** The token that made the change; null for the admin token given at start. */
  actorId: string | null;
  actorName: string;
  actorScope: TokenScope;
  ip: string | null;
  requestId: string | null;
  method: string;
  /** The route as declared, e.g. /api/v1/app/:app_id/endpoint. */
  route: string;
  /** The path as requested. */
  path: string;
  status: number;
  appId: string | null;
  /** What the change created or named, when known. */
  resourceId: string | null;
}

export interface AuditFilter {
  appId?: string;
  actorId?: string;
  since?: number;
  until?: number;
}

export interface TokenFilter {
  /** Portal tokens are many and short-lived: listed only when asked for. */
  portal?: boolean;
}
