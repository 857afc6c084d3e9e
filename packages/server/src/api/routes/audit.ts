import { Type } from 'typebox';
import type { AuditEntry } from '../../store/access-types.ts';
import type { Api, ApiContext } from '../context.ts';
import { findApp } from '../lookup.ts';
import { pageOf, parseTime } from '../paging.ts';
import { ListOf, ListQuery, Nullable } from '../schemas.ts';
import { iso } from '../serialize.ts';

const AuditEntryOut = Type.Object({
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

const auditEntryOut = (e: AuditEntry) => ({
  id: e.id,
  timestamp: iso(e.at),
  actorId: e.actorId,
  actorName: e.actorName,
  actorScope: e.actorScope,
  ip: e.ip,
  requestId: e.requestId,
  method: e.method,
  route: e.route,
  path: e.path,
  statusCode: e.status,
  appId: e.appId,
  resourceId: e.resourceId,
});

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'access' | 'endpoints'>;

export function registerAuditRoutes(api: Api, ctx: RouteContext): void {
  api.get('/api/v1/audit-log', {
    schema: {
      tags: ['Audit log'],
      summary: 'Changes made through the API, newest first (admin only)',
      querystring: Type.Object({
        ...ListQuery.properties,
        app_id: Type.Optional(Type.String({ maxLength: 256 })),
        token_id: Type.Optional(Type.String({ maxLength: 256 })),
        since: Type.Optional(Type.String()),
        until: Type.Optional(Type.String()),
      }),
      response: { 200: ListOf(AuditEntryOut) },
    },
  }, async (req) => {
    const q = req.query;
    // Entries keep the id; a uid is looked up (one of a deleted application matches as given).
    const appId = q.app_id ? ((await findApp(ctx, q.app_id))?.id ?? q.app_id) : undefined;
    const page = await ctx.access.listAuditEntries(
      { appId, actorId: q.token_id, since: parseTime(q.since, 'since'), until: parseTime(q.until, 'until') },
      pageOf(q, 'descending', 'audit'),
    );
    return { ...page, data: page.data.map(auditEntryOut) };
  });
}
