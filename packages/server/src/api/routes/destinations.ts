import { AppParams, DestinationIn, DestinationOut, DestinationParams, DestinationPatch, DestinationSecretOut, ListOf, ListQuery } from '@herald/wire';
import { checkDestinationConfig, checkDestinationType, publicConfig } from '../../destinations/config.ts';
import { formatSecret, generateSecret } from '../../delivery/signing.ts';
import { HeraldError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { App, Endpoint } from '../../store/types.ts';
import type { Api, ApiContext } from '../context.ts';
import { checkEndpointUrl, checkHeaders, redactHeaders } from '../endpoint-input.ts';
import { checkUid, requireApp, uidForPut } from '../lookup.ts';
import { pageOf } from '../paging.ts';
import { iso } from '../serialize.ts';

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'config' | 'catalog' | 'endpoints'>;

const tags = ['Destination'];
const base = '/api/v1/app/:app_id/destination';

/**
 * Destinations (Svix's advanced endpoint types, with the svix client's shapes): each is an endpoint row with a
 * destination, so the one delivery engine carries it (retries, attempt log, recover, replay, throttle, circuit,
 * metrics); only what reaches the receiver differs (destinations/transport.ts). A pollingEndpoint receives nothing:
 * its consumers read the application's messages (routes/pollers.ts).
 */
export function registerDestinationRoutes(api: Api, ctx: RouteContext): void {
  /** The destination a path names, or 404 (an HTTP endpoint is not one). */
  const destinationOf = async (params: { app_id: string; destination_id: string }) => {
    const app = await requireApp(ctx, params.app_id);
    const endpoint = await ctx.catalog.getEndpoint(app.id, params.destination_id);
    if (!endpoint?.destination) throw HeraldError.notFound('Destination');
    return { app, endpoint };
  };

  api.get(base, {
    schema: { tags, summary: "List the application's destinations", params: AppParams, querystring: ListQuery, response: { 200: ListOf(DestinationOut) } },
  }, async (req) => {
    const app = await requireApp(ctx, req.params.app_id);
    const page = await ctx.catalog.listDestinations(app.id, pageOf(req.query, 'descending', 'dest'));
    return { ...page, data: page.data.map(destinationOut) };
  });

  api.post(base, {
    schema: { tags, summary: 'Create a destination', params: AppParams, body: DestinationIn, response: { 201: DestinationOut } },
  }, async (req, reply) => {
    const app = await requireApp(ctx, req.params.app_id);
    return reply.status(201).send(destinationOut(await create(ctx, app, req.body)));
  });

  api.get(`${base}/:destination_id`, {
    schema: { tags, summary: 'Get a destination', params: DestinationParams, response: { 200: DestinationOut } },
  }, async (req) => destinationOut((await destinationOf(req.params)).endpoint));

  api.put(`${base}/:destination_id`, {
    schema: { tags, summary: 'Update (or create) a destination', params: DestinationParams, body: DestinationIn, response: { 200: DestinationOut, 201: DestinationOut } },
  }, async (req, reply) => {
    const app = await requireApp(ctx, req.params.app_id);
    const existing = await ctx.catalog.getEndpoint(app.id, req.params.destination_id);
    if (existing && !existing.destination) throw new HeraldError(409, 'conflict', 'This id or uid names an HTTP endpoint, not a destination');
    const uid = uidForPut(req.body.uid, req.params.destination_id, 'dest');
    if (!existing) return reply.status(201).send(destinationOut(await create(ctx, app, { ...req.body, uid })));
    const updated = applyDestination(existing, { ...req.body, uid }, ctx.config);
    await ctx.catalog.updateEndpoint(updated);
    return destinationOut(updated);
  });

  api.patch(`${base}/:destination_id`, {
    schema: { tags, summary: 'Patch a destination; a config given is merged over the stored one', params: DestinationParams, body: DestinationPatch, response: { 200: DestinationOut } },
  }, async (req) => {
    const { endpoint: existing } = await destinationOf(req.params);
    const b = req.body;
    const current = existing.destination!;
    const type = b.type ?? current.type;
    // The stored config is the base only for the same type: another type's settings mean nothing to it.
    const stored = type === current.type ? { ...current.config, ...fifoFields(existing) } : {};
    const updated = applyDestination(existing, {
      uid: b.uid === undefined ? existing.uid : b.uid,
      status: b.status ?? (existing.disabled ? 'disabled' : 'enabled'),
      batchSize: b.batchSize ?? current.batchSize,
      maxWaitSecs: b.maxWaitSecs ?? current.maxWaitSecs,
      eventTypes: b.eventTypes ?? existing.eventTypes ?? undefined,
      channels: b.channels ?? existing.channels ?? undefined,
      metadata: b.metadata ?? existing.metadata,
      type,
      config: { ...stored, ...b.config },
    }, ctx.config);
    await ctx.catalog.updateEndpoint(updated);
    return destinationOut(updated);
  });

  api.delete(`${base}/:destination_id`, {
    schema: { tags, summary: 'Delete a destination', params: DestinationParams },
  }, async (req, reply) => {
    const { endpoint } = await destinationOf(req.params);
    await ctx.catalog.deleteEndpoint(endpoint.id);
    return reply.status(204).send();
  });

  api.get(`${base}/:destination_id/secret`, {
    schema: { tags, summary: 'Get the key that signs what the destination receives', params: DestinationParams, response: { 200: DestinationSecretOut } },
  }, async (req) => {
    const { endpoint } = await destinationOf(req.params);
    const [current] = await ctx.catalog.getEndpointKeys(endpoint.id, Date.now());
    if (!current) throw HeraldError.notFound('Destination secret');
    return { key: formatSecret(current.key) };
  });
}

async function create(ctx: RouteContext, app: App, b: DestinationIn): Promise<Endpoint> {
  const now = Date.now();
  const blank: Endpoint = {
    id: newId('dest', now), appId: app.id, uid: null, url: '', description: '', eventTypes: null, channels: null, disabled: false,
    throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, ordered: false, filter: null, metadata: {}, headers: {},
    destination: null, chat: null, createdAt: now, updatedAt: now,
  };
  const endpoint = applyDestination(blank, b, ctx.config);
  await ctx.catalog.createEndpoint(endpoint, { key: generateSecret(), createdAt: now, expiresAt: null });
  return endpoint;
}

/** A fifoEndpoint's URL and headers live on its row (it is delivered as an ordered HTTP endpoint): back into config. */
const fifoFields = (ep: Endpoint) => (ep.destination?.type === 'fifoEndpoint' ? { url: ep.url, headers: ep.headers } : {});

/** The row a destination is kept as, from a full description of it (create, PUT, and PATCH once merged). */
function applyDestination(base: Endpoint, b: DestinationIn, config: RouteContext['config']): Endpoint {
  checkUid(b.uid, 'dest');
  const type = checkDestinationType(b.type);
  const batchSize = b.batchSize ?? 1;
  const maxWaitSecs = b.maxWaitSecs ?? 0;
  if (maxWaitSecs >= config.requestTimeout) {
    // A waiting batch holds its deliveries' leases: the wait and the publish must fit in one attempt's deadline.
    throw HeraldError.validation(['body', 'maxWaitSecs'], `must be below the server's HERALD_REQUEST_TIMEOUT (${config.requestTimeout} s)`);
  }
  const targets = { allowPrivate: config.allowPrivateTargets, allowCidrs: config.allowPrivateCidrs };
  const checked = checkDestinationConfig(type, b.config ?? {}, targets);
  let { url } = checked;
  let headers: Record<string, string> = {};
  if (type === 'fifoEndpoint') {
    url = checkEndpointUrl(url, config, 'config.url');
    const given = (b.config ?? {})['headers'] ?? {};
    if (typeof given !== 'object' || given === null || Object.values(given).some((v) => typeof v !== 'string')) {
      throw HeraldError.validation(['body', 'config', 'headers'], 'must be an object of header names to string values');
    }
    headers = given as Record<string, string>;
    checkHeaders(headers, 'config.headers');
  }
  return {
    ...base,
    uid: b.uid ?? null,
    url,
    headers,
    disabled: b.status === 'disabled',
    // Svix: an empty list filters nothing, as null does.
    eventTypes: b.eventTypes?.length ? b.eventTypes : null,
    channels: b.channels?.length ? b.channels : null,
    metadata: b.metadata ?? {},
    ordered: type === 'fifoEndpoint',
    destination: { type, config: checked.config, batchSize, maxWaitSecs },
    updatedAt: Date.now(),
  };
}

export function destinationOut(e: Endpoint): DestinationOut {
  const d = e.destination!;
  const config = d.type === 'fifoEndpoint'
    ? { url: e.url, headers: redactHeaders(e.headers), ...(d.config['key'] ? { key: d.config['key'] } : {}) }
    : publicConfig(d.config);
  return {
    id: e.id,
    uid: e.uid,
    type: d.type,
    config,
    status: e.disabled ? 'disabled' : 'enabled',
    currentIterator: '',
    failureReason: null,
    batchSize: d.batchSize,
    maxWaitSecs: d.maxWaitSecs,
    eventTypes: e.eventTypes ?? [],
    channels: e.channels ?? [],
    nextRetryAt: null,
    metadata: e.metadata,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}
