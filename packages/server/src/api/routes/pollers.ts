import {
  ConsumerPollQuery, PollerConsumerParams, PollerParams, PollingEndpointConsumerSeekIn, PollingEndpointConsumerSeekOut, PollingEndpointOut, PollQuery,
  type PollingEndpointMessageOut,
} from '@herald/wire';
import { HeraldError } from '../../lib/errors.ts';
import { idAtTime } from '../../lib/ids.ts';
import type { Endpoint, Message, MessageFilter } from '../../store/types.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireApp } from '../lookup.ts';
import { parseTime } from '../paging.ts';
import { iso } from '../serialize.ts';

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'catalog' | 'endpoints' | 'history' | 'pollers'>;

const tags = ['Message Poller'];
const base = '/api/v1/app/:app_id/poller/:sink_id';
const DEFAULT_LIMIT = 50;
/**
 * How long a message must have existed before a poll returns it. Message ids are made before their row commits, and
 * by several processes at once on a shared store, so a message with a lower id can commit just after a higher one
 * was read: had the iterator moved past it, it would never be read. Reading only settled messages closes that gap.
 */
export const POLL_SETTLE_MS = 1000;

/**
 * Polling destinations (svix's messagePoller): a consumer that cannot expose a URL reads its application's messages
 * with an iterator. `poll` keeps no state; a named consumer's position is kept on the server (each read moves it to
 * the end of what it returned, `seek` sets it), so it resumes where it left off.
 */
export function registerPollerRoutes(api: Api, ctx: RouteContext): void {
  const pollerOf = async (params: { app_id: string; sink_id: string }) => {
    const app = await requireApp(ctx, params.app_id);
    const endpoint = await ctx.catalog.getEndpoint(app.id, params.sink_id);
    if (endpoint?.destination?.type !== 'pollingEndpoint') throw HeraldError.notFound('Polling endpoint');
    return endpoint;
  };

  api.get(base, {
    schema: { tags, summary: "Read the application's messages, filtered on the poller's event types and channels", params: PollerParams, querystring: PollQuery, response: { 200: PollingEndpointOut } },
  }, async (req) => {
    const poller = await pollerOf(req.params);
    const { iterator, limit, event_type: eventType, channel, after } = req.query;
    const start = iterator ?? idAtTime('msg', after === undefined ? poller.createdAt : parseTime(after, 'after')!);
    return read(ctx, poller, checkIterator(start), limit ?? DEFAULT_LIMIT, { eventType, channel });
  });

  api.get(`${base}/consumer/:consumer_id`, {
    schema: { tags, summary: "Read on from the named consumer's position, and move it past what was read", params: PollerConsumerParams, querystring: ConsumerPollQuery, response: { 200: PollingEndpointOut } },
  }, async (req) => {
    const poller = await pollerOf(req.params);
    const consumer = req.params.consumer_id;
    const start = req.query.iterator ?? (await ctx.pollers.getConsumerPosition(poller.id, consumer)) ?? idAtTime('msg', poller.createdAt);
    const page = await read(ctx, poller, checkIterator(start), req.query.limit ?? DEFAULT_LIMIT, {});
    await ctx.pollers.setConsumerPosition(poller.id, consumer, page.iterator, Date.now());
    return page;
  });

  api.post(`${base}/consumer/:consumer_id/seek`, {
    schema: { tags, summary: "Set the named consumer's position: it reads on from messages created after this time", params: PollerConsumerParams, body: PollingEndpointConsumerSeekIn, response: { 200: PollingEndpointConsumerSeekOut } },
  }, async (req) => {
    const poller = await pollerOf(req.params);
    const iterator = idAtTime('msg', parseTime(req.body.after, 'after')!);
    await ctx.pollers.setConsumerPosition(poller.id, req.params.consumer_id, iterator, Date.now());
    return { iterator };
  });
}

/** An iterator is a message id (or a time's lowest one): anything else would read from an arbitrary place. */
function checkIterator(iterator: string): string {
  if (!/^msg_[0-9A-Za-z]{27}$/.test(iterator)) throw HeraldError.validation(['query', 'iterator'], 'must be an iterator a poll returned');
  return iterator;
}

/**
 * The messages after `iterator` that the poller (and the poll's own filters) take, settled ones only, oldest first.
 * An event type or channel the poller does not take reads nothing.
 */
async function read(ctx: RouteContext, poller: Endpoint, iterator: string, limit: number, only: { eventType?: string; channel?: string }) {
  const filter: MessageFilter = { before: Date.now() - POLL_SETTLE_MS };
  if (only.eventType !== undefined && poller.eventTypes !== null && !poller.eventTypes.includes(only.eventType)) return { data: [], iterator, done: true };
  if (only.channel !== undefined && poller.channels !== null && !poller.channels.includes(only.channel)) return { data: [], iterator, done: true };
  const eventTypes = only.eventType !== undefined ? [only.eventType] : poller.eventTypes;
  if (eventTypes !== null) filter.eventTypes = eventTypes;
  if (only.channel !== undefined) filter.channel = only.channel;
  else if (poller.channels !== null) filter.anyChannel = poller.channels;
  const page = await ctx.history.listMessages(poller.appId, filter, { limit, iterator, order: 'ascending' });
  const data = page.data.map(polledMessage);
  return { data, iterator: data.length > 0 ? data[data.length - 1]!.id : iterator, done: page.done };
}

function polledMessage(m: Message): PollingEndpointMessageOut {
  return {
    id: m.id,
    eventId: m.eventId,
    eventType: m.eventType,
    payload: m.payload === null ? null : JSON.parse(m.payload),
    channels: m.channels,
    tags: m.tags,
    timestamp: iso(m.createdAt),
    deliverAt: m.deliverAt === null ? null : iso(m.deliverAt),
    headers: null,
  };
}
