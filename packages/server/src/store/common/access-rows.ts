import type { ApiToken, AuditEntry, TokenScope } from '../access-types.ts';

/** Row mapping for tokens and audit entries, the same in both dialects (0/1 and booleans alike). */

type Row = Record<string, any>;

export const toApiToken = (r: Row): ApiToken => ({
  id: r.id,
  name: r.name,
  tokenHash: r.token_hash,
  prefix: r.prefix,
  scope: r.scope as TokenScope,
  appId: r.app_id,
  readOnly: Boolean(r.read_only),
  rateLimit: r.rate_limit,
  portal: Boolean(r.portal),
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
});

export const toAuditEntry = (r: Row): AuditEntry => ({
  id: r.id,
  at: r.at,
  actorId: r.actor_id,
  actorName: r.actor_name,
  actorScope: r.actor_scope as TokenScope,
  ip: r.ip,
  requestId: r.request_id,
  method: r.method,
  route: r.route,
  path: r.path,
  status: r.status,
  appId: r.app_id,
  resourceId: r.resource_id,
});

export const API_TOKEN_COLUMNS =
  'id, name, token_hash, prefix, scope, app_id, read_only, rate_limit, portal, created_by, created_at, expires_at, last_used_at';

export const AUDIT_COLUMNS =
  'id, at, actor_id, actor_name, actor_scope, ip, request_id, method, route, path, status, app_id, resource_id';

export const apiTokenValues = (t: ApiToken): unknown[] => [
  t.id, t.name, t.tokenHash, t.prefix, t.scope, t.appId, t.readOnly, t.rateLimit, t.portal, t.createdBy, t.createdAt, t.expiresAt, t.lastUsedAt,
];

export const auditValues = (e: AuditEntry): unknown[] => [
  e.id, e.at, e.actorId, e.actorName, e.actorScope, e.ip, e.requestId, e.method, e.route, e.path, e.status, e.appId, e.resourceId,
];
