import type { FastifyRequest } from 'fastify';
import { HeraldError } from '../lib/errors.ts';
import type { Api, ApiContext } from './context.ts';

/** How long a stored response answers a repeated idempotency key. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on POSTs that carry an idempotency-key header: where the response is stored. */
    idempotency?: { scope: string; key: string; storedByRoute: boolean };
  }
}

/**
 * POSTs with an `idempotency-key` header (the svix client sends one on every POST, reused across its retries)
 * run once: a repeat gets the first successful response again, and a repeat that arrives while the first is still
 * running gets 409. Message creation stores its response in its own transaction (storedByRoute); other routes'
 * responses are stored after they are sent.
 */
export function idempotencyHooks(app: Api, ctx: ApiContext): void {
  const inProgress = new Set<string>();

  app.addHook('preHandler', async (request: FastifyRequest, reply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    if (typeof header !== 'string' || header === '') return;
    if (header.length > 256) throw HeraldError.badRequest('invalid_idempotency_key', 'idempotency-key must be at most 256 characters');
    const scope = 'admin';
    const key = `${request.url.split('?')[0]}|${header}`;
    const stored = await ctx.store.getIdempotentResponse(scope, key, Date.now());
    if (stored) {
      return reply.status(stored.statusCode).header('content-type', 'application/json; charset=utf-8').send(stored.body);
    }
    if (inProgress.has(key)) throw HeraldError.conflict('A request with this idempotency key is still being processed');
    inProgress.add(key);
    request.idempotency = { scope, key, storedByRoute: false };
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    try {
      if (!idem.storedByRoute && reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string') {
        await ctx.store.putIdempotentResponse(idem.scope, idem.key, { statusCode: reply.statusCode, body: payload }, Date.now() + IDEMPOTENCY_TTL_MS);
      }
    } finally {
      inProgress.delete(idem.key);
    }
    return payload;
  });

  app.addHook('onError', async (request) => {
    if (request.idempotency) inProgress.delete(request.idempotency.key);
  });
}
