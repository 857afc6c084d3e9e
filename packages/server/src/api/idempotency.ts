import type { FastifyReply, FastifyRequest } from 'fastify';
import { HeraldError } from '../lib/errors.ts';
import type { HistoryStore } from '../store/storage.ts';
import type { IdempotentResponse } from '../store/types.ts';
import type { Api } from './context.ts';

/** How long a stored response answers a repeated idempotency key. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** How long a repeat waits for the first request with its key to answer (Svix waits 20 s too). */
const IN_FLIGHT_WAIT_MS = 20_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on POSTs that carry an idempotency-key header: where the response is stored. */
    idempotency?: { scope: string; key: string; storedByRoute: boolean };
  }
}

/** Resolves true once `done` settles, false after `ms`. */
async function settlesWithin(done: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([done.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function replay(reply: FastifyReply, stored: IdempotentResponse) {
  reply.status(stored.statusCode);
  // A stored 204 has no body; anything else is the JSON that was sent the first time.
  if (stored.body === '') return reply.send();
  return reply.header('content-type', 'application/json; charset=utf-8').send(stored.body);
}

/**
 * POSTs with an `idempotency-key` header (the svix client sends one on every POST, reused across its retries)
 * run once: a repeat gets the first successful response again, 204s included. A repeat that arrives while the first
 * is still running (the client retries after a timeout) waits for the first one's answer instead of failing; if the
 * first one failed, the repeat runs. Message creation stores its response in its own transaction (storedByRoute);
 * other routes' responses are stored before they are sent.
 */
export function idempotencyHooks(app: Api, responses: Pick<HistoryStore, 'getIdempotentResponse' | 'putIdempotentResponse'>): void {
  /** Keys being handled now, each with a promise that settles once its response is stored (or known not to be). */
  const inProgress = new Map<string, { done: Promise<void>; finish: () => void }>();

  const finish = (request: FastifyRequest) => {
    const idem = request.idempotency;
    if (!idem) return;
    request.idempotency = undefined;
    const entry = inProgress.get(idem.key);
    inProgress.delete(idem.key);
    entry?.finish();
  };

  app.addHook('preHandler', async (request: FastifyRequest, reply) => {
    // The API's own routes only: the public ingest URL (/in/…) stores every request a provider sends, and a provider's
    // Idempotency-Key (GitLab sends one) is its own business, seen by the source's dedupe instead.
    if (request.method !== 'POST' || !request.url.startsWith('/api/')) return;
    const header = request.headers['idempotency-key'];
    if (typeof header !== 'string' || header === '') return;
    if (header.length > 256) throw HeraldError.badRequest('invalid_idempotency_key', 'idempotency-key must be at most 256 characters');
    const scope = 'admin';
    const key = `${request.url.split('?')[0]}|${header}`;
    const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
    for (;;) {
      const stored = await responses.getIdempotentResponse(scope, key, Date.now());
      if (stored) return replay(reply, stored);
      const running = inProgress.get(key);
      if (!running) break;
      if (!(await settlesWithin(running.done, deadline - Date.now()))) {
        throw HeraldError.conflict('A request with this idempotency key is still being processed');
      }
    }
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    inProgress.set(key, { done, finish: settle });
    request.idempotency = { scope, key, storedByRoute: false };
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    try {
      const storable = payload === undefined || payload === null || typeof payload === 'string';
      if (!idem.storedByRoute && reply.statusCode >= 200 && reply.statusCode < 300 && storable) {
        const response = { statusCode: reply.statusCode, body: typeof payload === 'string' ? payload : '' };
        await responses.putIdempotentResponse(idem.scope, idem.key, response, Date.now() + IDEMPOTENCY_TTL_MS);
      }
    } finally {
      finish(request);
    }
    return payload;
  });

  // Should a reply finish without passing onSend, the key must not stay locked.
  app.addHook('onResponse', async (request) => finish(request));
}
