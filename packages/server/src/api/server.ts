import swagger from '@fastify/swagger';
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { HealthQuery, type HealthOut } from '@herald/wire';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { HeraldError, type ValidationItem } from '../lib/errors.ts';
import { storageFullCause } from '../store/storage-full.ts';
import { VERSION } from '../version.ts';
import { authorize } from './access.ts';
import { auditHooks } from './audit.ts';
import type { Principal } from './auth.ts';
import type { ApiContext } from './context.ts';
import { idempotencyHooks } from './idempotency.ts';
import { checkUrlText, registerJsonBodyParser } from './json-body.ts';
import { observeRequests, requestIdOf } from './request-id.ts';
import { registerApplicationRoutes } from './routes/applications.ts';
import { registerAttemptRoutes } from './routes/attempts.ts';
import { registerChatPreviewRoute } from './routes/chat-preview.ts';
import { registerDestinationRoutes } from './routes/destinations.ts';
import { registerEndpointRoutes } from './routes/endpoints.ts';
import { registerPollerRoutes } from './routes/pollers.ts';
import { registerEventTypeRoutes } from './routes/event-types.ts';
import { registerMessageRoutes } from './routes/messages.ts';
import { registerSendExampleRoute } from './routes/send-example.ts';
import { registerTransformationRoutes } from './routes/transformations.ts';
import { registerEndpointAuthRoutes } from './routes/endpoint-auth.ts';
import { registerLiveRoutes } from './routes/live.ts';
import { registerTaskRoutes } from './routes/tasks.ts';
import { registerTokenRoutes } from './routes/tokens.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerSourceRoutes } from './routes/sources.ts';
import { registerStatsRoutes } from './routes/stats.ts';
import { registerIngestRoute } from '../inbound/route.ts';
import { registerDashboard } from './dashboard.ts';
import { RateLimitedError, RateLimits } from './rate-limit.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { SseStreams } from './sse.ts';

export const BODY_LIMIT = 1024 * 1024;
/** The longest path segment (an id or uid is at most 256) the router matches; longer is a 414. */
const MAX_PARAM_LENGTH = 300;
/** Failed authentications a client address may make per second before it is told to wait (each costs a lookup). */
const FAILED_AUTH_PER_SECOND = 10;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking; null on the routes that need no token (health, OpenAPI). */
    principal: Principal | null;
  }
}
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Two validators: request bodies are checked strictly (a number is not a string), while path and query values,
 * which are always text on the wire, are coerced to the declared types.
 */
function validators() {
  const options = { allErrors: false, strict: false, useDefaults: true } as const;
  const strict = addFormats(new Ajv({ ...options, coerceTypes: false }));
  const coercing = addFormats(new Ajv({ ...options, coerceTypes: 'array' }));
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema);
}

const LOCATION: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

type SchemaError = NonNullable<FastifyError['validation']>[number];
const isNullBranch = (v: SchemaError) => v.keyword === 'type' && (v.params as { type?: unknown }).type === 'null';

/**
 * A nullable field (`anyOf [X, null]`) holding neither fails three ways: X's own complaint, "must be null" and "must
 * match a schema in anyOf". Only the first says what is wrong, so the other two are left out.
 */
function withoutNullableNoise(errors: SchemaError[]): SchemaError[] {
  const nullable = new Set(errors.filter(isNullBranch).map((v) => v.instancePath));
  const kept = errors.filter((v) => !nullable.has(v.instancePath) || !(isNullBranch(v) || v.keyword === 'anyOf'));
  return kept.length > 0 ? kept : errors;
}

function validationItems(err: FastifyError): ValidationItem[] {
  const where = LOCATION[err.validationContext ?? 'body'] ?? 'body';
  return withoutNullableNoise(err.validation ?? []).map((v) => {
    const loc = [where, ...v.instancePath.split('/').filter(Boolean)];
    const params = v.params as Record<string, unknown>;
    if (v.keyword === 'required' && typeof params['missingProperty'] === 'string') loc.push(params['missingProperty']);
    const type = v.keyword === 'required' ? 'value_error.missing' : v.keyword === 'type' ? `type_error.${String(params['type'])}` : `value_error.${v.keyword}`;
    return { loc, msg: v.message ?? 'invalid value', type };
  });
}

/** The one error-to-HTTP mapping: Svix's `{code, detail}` for 4xx, `{detail: [...]}` for 422, nothing internal on 5xx. */
/** How long a client told the database is full should wait before sending again. */
const STORAGE_FULL_RETRY_AFTER_S = 30;

function sendError(error: FastifyError | HeraldError | Error, request: FastifyRequest, reply: FastifyReply) {
  const fullCause = storageFullCause(error);
  if (fullCause) request.log.error({ err: error, method: request.method, url: request.url }, 'the database is out of space: request refused with 507');
  const err = fullCause ? HeraldError.insufficientStorage(fullCause) : error;
  if (err instanceof HeraldError) {
    if (err instanceof RateLimitedError) reply.header('retry-after', String(err.retryAfterSeconds));
    if (err.statusCode === 507) reply.header('retry-after', String(STORAGE_FULL_RETRY_AFTER_S));
    if (err.statusCode === 422) return reply.status(422).send({ detail: err.validation ?? [{ loc: ['body'], msg: err.detail, type: 'value_error' }] });
    return reply.status(err.statusCode).send({ code: err.code, detail: err.detail });
  }
  const fe = err as FastifyError;
  if (fe.validation) return reply.status(422).send({ detail: validationItems(fe) });
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = status === 413 ? 'payload_too_large' : status === 414 ? 'uri_too_long' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    const detail =
      status === 413 ? `Request body is larger than ${request.routeOptions.bodyLimit ?? BODY_LIMIT} bytes` :
      status === 414 ? `A path segment is longer than ${MAX_PARAM_LENGTH} characters` :
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? `Request body is not valid JSON: ${err.message}` :
      err.message;
    return reply.status(status).send({ code, detail });
  }
  // request.log carries the request id.
  request.log.error({ err, method: request.method, url: request.url }, 'unhandled error in request');
  return reply.status(500).send({ code: 'internal_error', detail: 'Internal server error' });
}

/**
 * Requests Node's HTTP parser refuses before Fastify has a request (headers too large, malformed HTTP, too slow to
 * arrive) are answered on the socket. Fastify's default writes its own `{error, message}`; this writes Herald's.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request_timeout', 'The request did not arrive in time (HERALD_API_REQUEST_TIMEOUT)'] :
    err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers_too_large', 'The request line and headers are larger than allowed (HERALD_MAX_HEADER_SIZE)'] :
    [400, 'bad_request', 'Malformed HTTP request'];
  if (socket.writable) {
    const body = JSON.stringify({ code, detail });
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

export async function buildServer(ctx: ApiContext): Promise<FastifyInstance> {
  const { tlsCert, tlsKey } = ctx.config;
  const { apiRequestTimeout, maxHeaderSize, trustProxy } = ctx.config;
  // Slow clients are cut off: the whole request within apiRequestTimeout, checked every second rather than Node's 30.
  const connection = {
    maxHeaderSize,
    headersTimeout: apiRequestTimeout * 1000,
    requestTimeout: apiRequestTimeout * 1000,
    connectionsCheckingInterval: 1000,
  };
  const app = Fastify({
    ...(tlsCert && tlsKey ? { https: { cert: readFileSync(tlsCert), key: readFileSync(tlsKey), ...connection } } : {}),
    http: connection,
    requestTimeout: apiRequestTimeout * 1000,
    trustProxy: typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : typeof trustProxy === 'object' ? [...trustProxy] : trustProxy,
    loggerInstance: ctx.log.child({ component: 'api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (a path segment too long, bad percent-encoding) in Herald's error shape too.
    frameworkErrors: (err, request, reply) => sendError(err, request, reply),
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validators());
  // First of the hooks: a request refused by a later one (authentication, rate limits) is answered with them too.
  registerSecurityHeaders(app, { tls: Boolean(tlsCert && tlsKey), portalFrameAncestors: ctx.config.portalFrameAncestors });
  registerJsonBodyParser(app);
  observeRequests(app, ctx.publisher.tracing);
  app.setErrorHandler((err, request, reply) => sendError(err as FastifyError, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ code: 'not_found', detail: `No route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Herald API', version: VERSION, description: 'Svix-compatible webhook sending API' },
      components: { securitySchemes: { HTTPBearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ HTTPBearer: [] }],
    },
  });

  const limits = new RateLimits();
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    checkUrlText(request.url);
    const path = request.url.split('?')[0]!;
    if (path !== '/metrics' && (!path.startsWith('/api/v1/') || path.startsWith('/api/v1/health') || path === '/api/v1/openapi.json')) return;
    let principal: Principal;
    try {
      principal = await ctx.auth.authenticate(request.headers.authorization);
    } catch (err) {
      limits.take(`failed-auth:${request.ip}`, FAILED_AUTH_PER_SECOND);
      throw err;
    }
    const rate = principal.rateLimit ?? ctx.config.apiRateLimit;
    if (rate > 0) limits.take(`token:${principal.tokenId ?? 'admin'}`, rate);
    await authorize(ctx, principal, { method: request.method, route: request.routeOptions.url, params: request.params });
    request.principal = principal;
  });
  // A callback hook, not an async one: it runs on every request, where a promise each is measurable.
  app.addHook('onResponse', (request, reply, done) => {
    ctx.metrics.request(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode);
    done();
  });
  idempotencyHooks(app, ctx.history);
  auditHooks(app, ctx);

  app.get('/api/v1/health', {
    schema: {
      tags: ['Health'],
      // No token needed (the onRequest hook lets it through), and the document says so.
      security: [],
      summary: 'Health check: 204 when the database answers and delivery is not stalled; 503 with the reason otherwise',
      description: 'With `?detail=true` the answer is 200 (or 503) with the checks as JSON.',
      querystring: HealthQuery,
    },
  }, async (req, reply) => {
    const health = await ctx.health();
    if (health.healthy && !req.query.detail) return reply.status(204).send();
    const body: HealthOut = { status: health.healthy ? 'ok' : 'unhealthy', checks: health.checks };
    return reply.status(health.healthy ? 200 : 503).send(body);
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.header('content-type', ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
  );

  registerApplicationRoutes(app, ctx);
  registerEventTypeRoutes(app, ctx);
  registerEndpointRoutes(app, ctx);
  registerEndpointRoutes(app, ctx, {
    base: '/api/v1/operational-webhook/endpoint',
    tags: ['Operational Webhook'],
    params: Type.Object({}),
    app: (c) => c.operational.application(),
  });
  registerMessageRoutes(app, ctx);
  registerSendExampleRoute(app, ctx);
  registerChatPreviewRoute(app, ctx);
  registerTransformationRoutes(app, ctx);
  registerEndpointAuthRoutes(app, ctx);
  registerDestinationRoutes(app, ctx);
  registerPollerRoutes(app, ctx);
  registerAttemptRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerSourceRoutes(app, ctx);
  registerStatsRoutes(app, ctx);
  await registerIngestRoute(app, ctx.ingestor, ctx.config.inboundMaxBody);
  await registerDashboard(app);
  const streams = new SseStreams();
  registerLiveRoutes(app, ctx, streams);
  // Open streams would hold the close until their clients left: listen sessions are told, then every stream ends.
  app.addHook('preClose', async () => {
    ctx.listen.closeAll();
    streams.closeAll();
  });
  return app;
}

export type HeraldApp = Awaited<ReturnType<typeof buildServer>>;
