import { Type, type TObject } from 'typebox';
import { checkFilter, type EndpointFilter } from '../../delivery/filter.ts';
import { formatSecret, generateSecret, parseSecret, publicKeyOf } from '../../delivery/signing.ts';
import { HeraldError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { App, CircuitState, Endpoint } from '../../store/types.ts';
import type { Api, ApiContext } from '../context.ts';
import { patchHeaders } from '../../lib/headers.ts';
import { chatOf } from '../chat-input.ts';
import { checkEndpointUrl, checkHeaders, checkRequestTimeout, redactHeaders, type EndpointUrlRules } from '../endpoint-input.ts';
import { checkUid, requireApp, uidForPut } from '../lookup.ts';
import { pageOf, parseTime } from '../paging.ts';
import {
  AppParams, type ChatTemplate, EndpointHeadersIn, EndpointHeadersOut, EndpointHeadersPatchIn, EndpointIn, EndpointOut, EndpointPatch,
  EndpointSecretOut, EndpointSecretRotateIn, EndpointStatsOut, EndpointUpdate, type EndpointKind, ListOf, ListQuery, StatsQuery, Uid,
} from '@herald/wire';
import { endpointOut } from '../serialize.ts';

const DEFAULT_GRACE_SECONDS = 24 * 3600;

function secretFrom(input: string | null | undefined, field: string): string {
  if (input === undefined || input === null) return generateSecret();
  const bare = parseSecret(input);
  if (!bare) throw HeraldError.validation(['body', field], 'must be base64 of 24 to 64 random bytes, optionally prefixed with whsec_, or an ed25519 key: whsk_ + base64 of seed and public key');
  return bare;
}

interface EndpointFields {
  url: string;
  description?: string;
  uid?: string | null;
  disabled?: boolean;
  eventTypes?: string[] | null;
  filterTypes?: string[] | null;
  channels?: string[] | null;
  throttleRate?: number | null;
  concurrency?: number | null;
  retrySchedule?: number[] | null;
  requestTimeout?: number | null;
  ordered?: boolean;
  filter?: EndpointFilter | null;
  metadata?: Record<string, string>;
  kind?: EndpointKind;
  chatSecret?: string | null;
  chatTemplate?: ChatTemplate | null;
}

/**
 * Full replacement of the user-settable fields (create and PUT); eventTypes wins over the legacy filterTypes. An
 * absent filter, concurrency, retry schedule or request timeout is kept: Svix clients, which do not know these fields, must not drop them with every
 * update.
 */
function applyFields(base: Endpoint, b: EndpointFields, rules: EndpointUrlRules): Endpoint {
  checkUid(b.uid, 'ep');
  return {
    ...base,
    url: checkEndpointUrl(b.url, rules),
    description: b.description ?? '',
    uid: b.uid ?? null,
    disabled: b.disabled ?? false,
    eventTypes: b.eventTypes !== undefined ? b.eventTypes : (b.filterTypes ?? null),
    channels: b.channels ?? null,
    throttleRate: b.throttleRate ?? null,
    concurrency: b.concurrency === undefined ? base.concurrency : b.concurrency,
    retrySchedule: b.retrySchedule === undefined ? base.retrySchedule : b.retrySchedule,
    requestTimeout: b.requestTimeout === undefined ? base.requestTimeout : checkRequestTimeout(b.requestTimeout, rules),
    ordered: b.ordered ?? false,
    filter: b.filter === undefined ? base.filter : checkFilter(b.filter),
    metadata: b.metadata ?? {},
    chat: chatOf(base.chat, b),
    updatedAt: Date.now(),
  };
}

export async function createEndpoint(ctx: Pick<ApiContext, 'config' | 'catalog'>, app: App, b: EndpointFields & { secret?: string | null; headers?: Record<string, string> | null }) {
  if (b.headers) checkHeaders(b.headers);
  const now = Date.now();
  const blank: Endpoint = {
    id: newId('ep', now), appId: app.id, uid: null, url: '', description: '', eventTypes: null, channels: null, disabled: false,
    throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: b.headers ?? {}, createdAt: now, updatedAt: now,
  };
  const endpoint = applyFields(blank, b, ctx.config);
  await ctx.catalog.createEndpoint(endpoint, { key: secretFrom(b.secret, 'secret'), createdAt: now, expiresAt: null });
  return endpoint;
}

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'config' | 'catalog' | 'circuits' | 'stats' | 'operational' | 'endpoints'>;

/**
 * After an endpoint was changed (caches forget it as the write commits, store/catalog-changes.ts): an endpoint enabled
 * again starts with a clean record (its old failing run no longer counts toward disabling it) and is announced by an
 * operational webhook.
 */
async function afterUpdate(ctx: RouteContext, before: Endpoint, after: Endpoint): Promise<void> {
  if (before.disabled && !after.disabled) {
    await ctx.catalog.noteEndpointsSucceeded([after.id]);
    ctx.operational.emit({ type: 'endpoint.enabled', appId: after.appId, endpointId: after.id });
  }
}

/**
 * Where a set of endpoint routes lives: an application's endpoints under /api/v1/app/{app}/endpoint, or the
 * operational webhook endpoints under /api/v1/operational-webhook/endpoint (the internal application's).
 */
export interface EndpointScope {
  base: string;
  tags: string[];
  /** The path parameters before the endpoint's own. */
  params: TObject;
  app(ctx: RouteContext, params: Record<string, string>): Promise<App>;
}

export const APP_ENDPOINTS: EndpointScope = {
  base: '/api/v1/app/:app_id/endpoint',
  tags: ['Endpoint'],
  params: AppParams,
  app: (ctx, params) => requireApp(ctx, params['app_id']!),
};

/** A new endpoint's circuit is closed. */
const NO_CIRCUITS: ReadonlyMap<string, CircuitState> = new Map();

export function registerEndpointRoutes(api: Api, ctx: RouteContext, scope: EndpointScope = APP_ENDPOINTS): void {
  const { base, tags } = scope;
  const ScopeParams = scope.params;
  const ItemParams = Type.Object({ ...scope.params.properties, endpoint_id: Uid });
  type Params = Record<string, string> & { endpoint_id: string };
  const appOf = (params: unknown) => scope.app(ctx, params as Record<string, string>);
  /** The endpoint a path names, within the scope's application, or 404. */
  const endpointOf = async (params: unknown) => {
    const app = await appOf(params);
    const endpoint = await ctx.catalog.getEndpoint(app.id, (params as Params).endpoint_id);
    // A destination is managed under /destination: its config and an endpoint's fields must not be mixed up.
    if (!endpoint || endpoint.destination) throw HeraldError.notFound('Endpoint');
    return { app, endpoint };
  };

  /** The open circuits among these endpoints. */
  const circuitsOf = async (endpoints: readonly Endpoint[]) =>
    new Map((await ctx.circuits.listCircuits(endpoints.map((e) => e.id))).map((c) => [c.endpointId, c]));

  api.get(base, {
    schema: { tags, summary: 'List endpoints', params: ScopeParams, querystring: ListQuery, response: { 200: ListOf(EndpointOut) } },
  }, async (req) => {
    const app = await appOf(req.params);
    // Svix lists endpoints newest first unless asked otherwise (applications, by contrast, oldest first).
    const page = await ctx.catalog.listEndpoints(app.id, pageOf(req.query, 'descending', 'ep'));
    const circuits = await circuitsOf(page.data);
    return { ...page, data: page.data.map((e) => endpointOut(e, circuits)) };
  });

  api.post(base, {
    schema: { tags, summary: 'Create an endpoint', params: ScopeParams, body: EndpointIn, response: { 201: EndpointOut } },
  }, async (req, reply) => {
    const app = await appOf(req.params);
    return reply.status(201).send(endpointOut(await createEndpoint(ctx, app, req.body), NO_CIRCUITS));
  });

  api.get(`${base}/:endpoint_id`, {
    schema: { tags, summary: 'Get an endpoint', params: ItemParams, response: { 200: EndpointOut } },
  }, async (req) => {
    const { endpoint } = await endpointOf(req.params);
    return endpointOut(endpoint, await circuitsOf([endpoint]));
  });

  api.put(`${base}/:endpoint_id`, {
    schema: { tags, summary: 'Update (or create) an endpoint', params: ItemParams, body: EndpointUpdate, response: { 200: EndpointOut, 201: EndpointOut } },
  }, async (req, reply) => {
    const app = await appOf(req.params);
    const existing = await ctx.catalog.getEndpoint(app.id, (req.params as Params).endpoint_id);
    if (existing?.destination) throw new HeraldError(409, 'conflict', 'This id or uid names a destination, not an HTTP endpoint');
    const uid = uidForPut(req.body.uid, (req.params as Params).endpoint_id, 'ep');
    if (!existing) return reply.status(201).send(endpointOut(await createEndpoint(ctx, app, { ...req.body, uid }), NO_CIRCUITS));
    const endpoint = applyFields(existing, { ...req.body, uid }, ctx.config);
    await ctx.catalog.updateEndpoint(endpoint);
    await afterUpdate(ctx, existing, endpoint);
    return reply.status(200).send(endpointOut(endpoint, await circuitsOf([endpoint])));
  });

  api.patch(`${base}/:endpoint_id`, {
    schema: { tags, summary: 'Patch an endpoint', params: ItemParams, body: EndpointPatch, response: { 200: EndpointOut } },
  }, async (req) => {
    const { endpoint: existing } = await endpointOf(req.params);
    const b = req.body;
    checkUid(b.uid, 'ep');
    const eventTypes = b.eventTypes !== undefined ? b.eventTypes : b.filterTypes;
    const filter = checkFilter(b.filter);
    const endpoint: Endpoint = {
      ...existing,
      url: b.url !== undefined ? checkEndpointUrl(b.url, ctx.config) : existing.url,
      description: b.description ?? existing.description,
      uid: b.uid === undefined ? existing.uid : b.uid,
      disabled: b.disabled ?? existing.disabled,
      eventTypes: eventTypes === undefined ? existing.eventTypes : eventTypes,
      channels: b.channels === undefined ? existing.channels : b.channels,
      throttleRate: b.throttleRate === undefined ? existing.throttleRate : b.throttleRate,
      concurrency: b.concurrency === undefined ? existing.concurrency : b.concurrency,
      retrySchedule: b.retrySchedule === undefined ? existing.retrySchedule : b.retrySchedule,
      requestTimeout: b.requestTimeout === undefined ? existing.requestTimeout : checkRequestTimeout(b.requestTimeout, ctx.config),
      ordered: b.ordered ?? existing.ordered,
      filter: filter === undefined ? existing.filter : filter,
      metadata: b.metadata ?? existing.metadata,
      chat: chatOf(existing.chat, b),
      updatedAt: Date.now(),
    };
    const newSecret = b.secret !== undefined && b.secret !== null ? secretFrom(b.secret, 'secret') : null;
    await ctx.catalog.updateEndpoint(endpoint);
    if (newSecret) await ctx.catalog.rotateEndpointKey(endpoint.id, { key: newSecret, createdAt: Date.now(), expiresAt: null }, Date.now());
    await afterUpdate(ctx, existing, endpoint);
    return endpointOut(endpoint, await circuitsOf([endpoint]));
  });

  api.delete(`${base}/:endpoint_id`, {
    schema: { tags, summary: 'Delete an endpoint', params: ItemParams },
  }, async (req, reply) => {
    const { endpoint } = await endpointOf(req.params);
    await ctx.catalog.deleteEndpoint(endpoint.id);
    return reply.status(204).send();
  });

  api.get(`${base}/:endpoint_id/secret`, {
    schema: { tags, summary: "Get the endpoint's current signing secret", params: ItemParams, response: { 200: EndpointSecretOut } },
  }, async (req) => {
    const { endpoint } = await endpointOf(req.params);
    const [current] = await ctx.catalog.getEndpointKeys(endpoint.id, Date.now());
    if (!current) throw HeraldError.notFound('Endpoint secret');
    return { key: formatSecret(current.key) };
  });

  api.get(`${base}/:endpoint_id/public-key`, {
    schema: {
      tags, summary: "Get the endpoint's ed25519 public key (whpk_), for receivers to verify v1a signatures without a shared secret",
      params: ItemParams, response: { 200: EndpointSecretOut },
    },
  }, async (req) => {
    const { endpoint } = await endpointOf(req.params);
    const [current] = await ctx.catalog.getEndpointKeys(endpoint.id, Date.now());
    const key = current ? publicKeyOf(current.key) : null;
    if (!key) throw new HeraldError(404, 'not_found', 'The endpoint signs with a shared secret (whsec_): it has no public key');
    return { key };
  });

  api.post(`${base}/:endpoint_id/secret/rotate`, {
    schema: {
      tags, summary: 'Rotate the signing secret; the old one keeps signing for the grace period',
      params: ItemParams, body: Type.Optional(EndpointSecretRotateIn),
    },
  }, async (req, reply) => {
    const { endpoint } = await endpointOf(req.params);
    const body = req.body ?? {};
    const now = Date.now();
    const grace = (body.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    await ctx.catalog.rotateEndpointKey(endpoint.id, { key: secretFrom(body.key, 'key'), createdAt: now, expiresAt: null }, now + grace);
    return reply.status(204).send();
  });

  api.get(`${base}/:endpoint_id/headers`, {
    schema: { tags, summary: "Get the endpoint's custom headers", params: ItemParams, response: { 200: EndpointHeadersOut } },
  }, async (req) => redactHeaders((await endpointOf(req.params)).endpoint.headers));

  api.put(`${base}/:endpoint_id/headers`, {
    schema: { tags, summary: "Replace the endpoint's custom headers", params: ItemParams, body: EndpointHeadersIn },
  }, async (req, reply) => {
    const { endpoint } = await endpointOf(req.params);
    checkHeaders(req.body.headers);
    const updated = { ...endpoint, headers: req.body.headers, updatedAt: Date.now() };
    await ctx.catalog.updateEndpoint(updated);
    return reply.status(204).send();
  });

  api.patch(`${base}/:endpoint_id/headers`, {
    schema: { tags, summary: 'Add, change or (with null or deleteHeaders) remove custom headers', params: ItemParams, body: EndpointHeadersPatchIn },
  }, async (req, reply) => {
    const { endpoint } = await endpointOf(req.params);
    checkHeaders(req.body.headers);
    const updated = { ...endpoint, headers: patchHeaders(endpoint.headers, req.body.headers, req.body.deleteHeaders), updatedAt: Date.now() };
    await ctx.catalog.updateEndpoint(updated);
    return reply.status(204).send();
  });

  api.get(`${base}/:endpoint_id/stats`, {
    schema: { tags, summary: 'Delivery counts by status', params: ItemParams, querystring: StatsQuery, response: { 200: EndpointStatsOut } },
  }, async (req) => {
    const { endpoint } = await endpointOf(req.params);
    return ctx.stats.endpointStats(endpoint.id, parseTime(req.query.since, 'since') ?? null, parseTime(req.query.until, 'until') ?? null);
  });
}
