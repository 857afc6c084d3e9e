import {
  AppParams, AttemptStreamQuery, ID_PATTERN, ListenParams, ListenQuery, ListenReplyIn, type AttemptStreamEvents, type ListenStreamEvents,
} from '@herald/wire';
import { listenUrl, type ListenSession } from '../../delivery/listen-hub.ts';
import { HeraldError } from '../../lib/errors.ts';
import { iso } from '../../lib/time.ts';
import type { App, Endpoint } from '../../store/types.ts';
import type { FastifyRequest } from 'fastify';
import { auditImpliedChange } from '../audit.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireApp, requireEndpoint } from '../lookup.ts';
import { createEndpoint } from './endpoints.ts';
import { csv } from '../paging.ts';
import type { SseStreams } from '../sse.ts';

const EVENT_TYPE = new RegExp(ID_PATTERN);

function eventTypesOf(value: string | string[] | undefined): string[] | null {
  const list = csv(value);
  if (!list) return null;
  const bad = list.find((t) => !EVENT_TYPE.test(t) || t.length > 256);
  if (bad !== undefined) throw HeraldError.validation(['query', 'event_types'], `"${bad}" is not an event type name`);
  return list;
}

const sameList = (a: string[] | null, b: string[] | null) => JSON.stringify(a) === JSON.stringify(b);

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'config' | 'catalog' | 'queue' | 'access' | 'endpoints' | 'live' | 'listen' | 'deliveriesDue'>;

/**
 * Live streams (server-sent events): the attempts of an application as they are recorded, and `herald listen`
 * sessions that receive an application's deliveries through the stream instead of over the network.
 */
export function registerLiveRoutes(api: Api, ctx: RouteContext, streams: SseStreams): void {
  api.get('/api/v1/app/:app_id/attempt/stream', {
    schema: {
      tags: ['Message Attempt'],
      summary: 'Stream attempts live (server-sent events)',
      description: 'One `attempt` event per recorded delivery attempt of the application, optionally of one endpoint or some event types.',
      params: AppParams,
      querystring: AttemptStreamQuery,
    },
  }, async (req, reply) => {
    const app = await requireApp(ctx, req.params.app_id);
    const endpointId = req.query.endpoint_id ? (await requireEndpoint(ctx, app.id, req.query.endpoint_id)).endpoint.id : null;
    const eventTypes = eventTypesOf(req.query.event_types);
    const stream = streams.start<AttemptStreamEvents>(reply);
    // The server's clock: a watcher that loses the stream knows from when (in the attempts' own time) it may have missed some.
    stream.send('ready', { appId: app.id, endpointId, eventTypes, at: iso(Date.now()) });
    const unsubscribe = ctx.live.subscribe(app.id, (attempt) => {
      if (endpointId !== null && attempt.endpointId !== endpointId) return;
      if (eventTypes !== null && !eventTypes.includes(attempt.eventType)) return;
      stream.send('attempt', attempt, attempt.id);
    });
    stream.onClose(unsubscribe);
  });

  api.get('/api/v1/app/:app_id/listen/:name', {
    schema: {
      tags: ['Listen'],
      summary: 'Receive deliveries through this stream (herald listen)',
      description:
        'Creates or reuses the endpoint `listen-{name}` (URL `herald-listen://{name}`) and sends each of its deliveries down this ' +
        'stream as a `delivery` event; answer each with POST .../listen/{name}/reply. Deliveries that failed while no session was ' +
        'connected are made due at once. A newer session with the same name replaces this one (`replaced` event).',
      params: ListenParams,
      querystring: ListenQuery,
    },
  }, async (req, reply) => {
    const app = await requireApp(ctx, req.params.app_id);
    const { name } = req.params;
    const endpoint = await listenEndpoint(ctx, req, app, name, eventTypesOf(req.query.event_types));
    const stream = streams.start<ListenStreamEvents>(reply);
    const session: ListenSession = {
      send: (delivery) => stream.send('delivery', delivery, delivery.id),
      close: (reason) => {
        stream.send(reason, {});
        stream.close();
      },
    };
    ctx.listen.connect(app.id, name, session);
    stream.onClose(() => ctx.listen.disconnect(app.id, name, session));
    const now = Date.now();
    const caughtUp = await ctx.queue.expediteEndpointDeliveries(endpoint.id, now);
    if (caughtUp > 0) ctx.deliveriesDue(now);
    stream.send('ready', { appId: app.id, endpointId: endpoint.id, name, url: endpoint.url, eventTypes: endpoint.eventTypes, caughtUp });
  });

  api.post('/api/v1/app/:app_id/listen/:name/reply', {
    schema: { tags: ['Listen'], summary: "A listen session's answer to one delivery", params: ListenParams, body: ListenReplyIn },
  }, async (req, reply) => {
    const app = await requireApp(ctx, req.params.app_id);
    if (!ctx.listen.reply(app.id, req.params.name, req.body.id, req.body)) throw new HeraldError(404, 'not_found', 'No delivery waits for this answer (it timed out, or its session ended)');
    return reply.status(204).send();
  });
}

/**
 * The session's endpoint, created on first use; its event type filter follows the session, and a session enables it.
 * Creating or changing it is audited as the endpoint change it is, though the request is the stream's GET.
 */
async function listenEndpoint(ctx: RouteContext, req: FastifyRequest, app: App, name: string, eventTypes: string[] | null): Promise<Endpoint> {
  const uid = `listen-${name}`;
  const url = listenUrl(name);
  const collection = `/api/v1/app/${app.id}/endpoint`;
  const existing = await ctx.catalog.getEndpoint(app.id, uid);
  if (!existing) {
    const created = await createEndpoint(ctx, app, { url, uid, description: `herald listen session "${name}"`, eventTypes });
    auditImpliedChange(ctx, req, { method: 'POST', route: '/api/v1/app/:app_id/endpoint', path: collection, status: 201, appId: app.id, resourceId: created.id });
    return created;
  }
  if (existing.url !== url) throw HeraldError.conflict(`Endpoint "${uid}" exists and does not deliver to ${url}`);
  if (!existing.disabled && sameList(existing.eventTypes, eventTypes)) return existing;
  const updated = { ...existing, eventTypes, disabled: false, updatedAt: Date.now() };
  await ctx.catalog.updateEndpoint(updated);
  if (existing.disabled) await ctx.catalog.noteEndpointsSucceeded([existing.id]);
  auditImpliedChange(ctx, req, {
    method: 'PATCH', route: '/api/v1/app/:app_id/endpoint/:endpoint_id', path: `${collection}/${existing.id}`, status: 200, appId: app.id, resourceId: existing.id,
  });
  return updated;
}
