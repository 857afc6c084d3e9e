import type { FastifyReply, FastifyRequest } from 'fastify';
import { newId } from '../lib/ids.ts';
import type { AuditEntry } from '../store/access-types.ts';
import type { AccessStore } from '../store/storage.ts';
import type { Api } from './context.ts';
import { findApp, type AppLookup } from './lookup.ts';

/**
 * The audit log: every change made through the API (a write that succeeded) becomes one row saying who made it,
 * from where, what it was and when. Publishing a message is not one: the message itself is that record, and an
 * audit row per message would double the cost of the busiest route. Entries are written after the answer is sent;
 * one that cannot be written is logged as an error.
 */
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NOT_AUDITED = new Set(['/api/v1/app/:app_id/msg', '/api/v1/app/:app_id/listen/:name/reply']);

declare module 'fastify' {
  interface FastifyRequest {
    /** What an audited change created, read from its answer. */
    auditCreatedId?: string;
  }
}

/** Where entries are written. */
export interface AuditLog {
  access: Pick<AccessStore, 'appendAuditEntry'>;
}

const isAudited = (method: string, route: string): boolean =>
  WRITES.has(method) && route.startsWith('/api/v1/') && !NOT_AUDITED.has(route);

/** The id (or event type name) in a creation's answer; never anything else of it (a token's answer holds the token). */
function createdId(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return undefined;
  try {
    const body = JSON.parse(payload) as { id?: unknown; name?: unknown };
    if (typeof body.id === 'string') return body.id;
    return typeof body.name === 'string' ? body.name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Attaches the audit hooks to the audited routes only, as each is declared: every other request (reads, and
 * publishing, the busiest route) runs no audit code at all.
 */
export function auditHooks(api: Api, ctx: AuditLog & AppLookup): void {
  api.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (!methods.some((m) => isAudited(m, route.url))) return;
    // Creations on a collection (no id in the path yet) learn the new resource's id from the answer.
    const learnsCreatedId = !route.url.endsWith('_id');
    const onSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
      if (learnsCreatedId && request.method === 'POST' && reply.statusCode < 300) request.auditCreatedId = createdId(payload);
      done(null, payload);
    };
    const onResponse = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (isAudited(request.method, route.url) && reply.statusCode < 400 && request.principal) {
        record(ctx, request, reply).catch((err) => request.log.error({ err }, 'could not write an audit log entry'));
      }
      done();
    };
    route.onSend = [route.onSend ?? [], onSend].flat() as typeof route.onSend;
    route.onResponse = [route.onResponse ?? [], onResponse].flat() as typeof route.onResponse;
  });
}

async function record(ctx: AuditLog & AppLookup, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const params = (request.params ?? {}) as Record<string, string>;
  const ref = params['app_id'];
  // A deleted application no longer resolves: its entry keeps the id or uid the path gave.
  const appId = ref ? ((await findApp(ctx, ref))?.id ?? ref) : request.routeOptions.url === '/api/v1/app' ? request.auditCreatedId : undefined;
  const named = Object.values(params);
  await append(ctx, request, {
    method: request.method,
    route: request.routeOptions.url!,
    path: request.url.split('?')[0]!,
    status: reply.statusCode,
    appId: appId ?? null,
    resourceId: request.auditCreatedId ?? named[named.length - 1] ?? null,
  });
}

/** What was changed, as the audit log shows it: the change's own route, path and status, and what it concerned. */
export type AuditedChange = Pick<AuditEntry, 'method' | 'route' | 'path' | 'status' | 'appId' | 'resourceId'>;

/**
 * A change a route makes besides what it answers (the stream of `herald listen` creates its endpoint, a GET the
 * hooks above never record): logged as that change (an endpoint creation reads as one), under the request's id and
 * token. Written in the background like every entry; one that cannot be written is logged as an error.
 */
export function auditImpliedChange(ctx: AuditLog, request: FastifyRequest, change: AuditedChange): void {
  if (!request.principal) return;
  append(ctx, request, change).catch((err) => request.log.error({ err }, 'could not write an audit log entry'));
}

async function append(ctx: AuditLog, request: FastifyRequest, change: AuditedChange): Promise<void> {
  const principal = request.principal!;
  const now = Date.now();
  await ctx.access.appendAuditEntry({
    id: newId('audit', now),
    at: now,
    actorId: principal.tokenId,
    actorName: principal.name,
    actorScope: principal.scope,
    ip: request.ip,
    requestId: String(request.id),
    ...change,
  });
}
