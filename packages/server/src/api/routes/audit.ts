import type { AuditEntry } from '../../store/access-types.ts';
import type { Api, ApiContext } from '../context.ts';
import { findApp } from '../lookup.ts';
import { pageOf, parseTime } from '../paging.ts';
import { AuditEntryOut, AuditListQuery, ListOf } from '@herald/wire';
import { iso } from '../serialize.ts';

const auditEntryOut = (e: AuditEntry): AuditEntryOut => ({
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
      querystring: AuditListQuery,
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
