import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SpanHandle, Tracing } from '../telemetry/tracing.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's server span; null when tracing is off. */
    span: SpanHandle | null;
  }
}

const REQUEST_ID_HEADER = 'x-request-id';

/**
 * An id a caller may choose (a proxy's or a client's own): short, and of characters that are safe in a log line, a
 * header and a database column. Anything else is replaced, not trusted.
 */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: the caller's x-request-id when it is acceptable, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : randomUUID();
}

/**
 * Successful requests are logged at debug: one info line per publish measurably slows publishing (see
 * docs/operations.md). Client errors are logged at info and server errors at error, always with the request id.
 */
const SUCCESS_LOG_LEVEL = 'debug';

/**
 * Per API request: the x-request-id response header, a server span when tracing is on (continuing a caller's W3C
 * traceparent), and one log line when it completes. Registered before authentication, so refused requests are seen too.
 */
export function observeRequests(app: FastifyInstance, tracing: Tracing): void {
  app.decorateRequest('span', null);
  // Decided once: building the fields of a line that is then dropped would cost on every request too.
  const logsSuccess = (app.log as Logger).isLevelEnabled(SUCCESS_LOG_LEVEL);
  // Callback hooks, not async ones: these run on every request, and a promise each is measurable there.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    if (tracing.enabled) {
      const route = request.routeOptions.url;
      const traceparent = request.headers.traceparent;
      request.span = tracing.start(route ? `${request.method} ${route}` : request.method, 'server', typeof traceparent === 'string' ? traceparent : null, {
        'http.request.method': request.method,
        'url.path': request.url.split('?')[0]!,
        'herald.request.id': request.id,
        ...(route ? { 'http.route': route } : {}),
      });
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    if (request.span) {
      request.span.setAttributes({ 'http.response.status_code': status });
      request.span.end(status >= 500 ? `HTTP ${status}` : undefined);
    }
    if (status >= 400 || logsSuccess) {
      request.log[status >= 500 ? 'error' : status >= 400 ? 'info' : SUCCESS_LOG_LEVEL](
        { method: request.method, url: request.url, route: request.routeOptions.url, statusCode: status, durationMs: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
}
