import { HeraldError } from '../../lib/errors.ts';
import type { Api, ApiContext } from '../context.ts';
import { IDEMPOTENCY_TTL_MS } from '../idempotency.ts';
import { checkUid, findApp, requireApp, requireMessage, uidForPut } from '../lookup.ts';
import { csv, pageOf, parseTime } from '../paging.ts';
import { AppParams, type DeliveryTallyOut, ListOf, MessageIn, MessageListItemOut, MessageListWithStatusQuery, MessageOut, MessageParams, MessageQuery } from '@herald/wire';
import { messageJson, messageOut } from '../serialize.ts';
import { createApplication } from './applications.ts';

const tags = ['Message'];
const HOUR_MS = 3_600_000;

/** When a new message's payload expires: its own retention (hours win over days) or the server's default. */
export function payloadExpiry(defaultDays: number, hours: number | null, days: number | null): number | null {
  const retentionHours = hours ?? (days !== null ? days * 24 : defaultDays > 0 ? defaultDays * 24 : null);
  return retentionHours === null ? null : Date.now() + retentionHours * HOUR_MS;
}

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'config' | 'catalog' | 'history' | 'publisher' | 'endpoints'>;

export function registerMessageRoutes(api: Api, ctx: RouteContext): void {
  api.post('/api/v1/app/:app_id/msg', {
    schema: {
      tags, summary: 'Send a message: stored with its deliveries in one transaction, then 202',
      params: AppParams, querystring: MessageQuery, body: MessageIn, response: { 202: MessageOut },
    },
  }, async (req, reply) => {
    const b = req.body;
    // Every check on the message comes first: a rejected message must not leave an auto-created application behind.
    checkUid(b.eventId, 'msg', 'eventId');
    const deliverAt = b.deliverAt ? Date.parse(b.deliverAt) : null;
    if (deliverAt !== null && Number.isNaN(deliverAt)) throw HeraldError.validation(['body', 'deliverAt'], 'invalid date-time');
    let app = await findApp(ctx, req.params.app_id);
    if (!app) {
      if (!b.application) throw HeraldError.notFound('Application');
      app = await createApplication(ctx, { ...b.application, uid: uidForPut(b.application.uid, req.params.app_id, 'app') });
    }
    // A repeated eventId is refused by the store's unique index (409), in the same transaction: no read needed here.

    // The response is known before the commit, so the idempotency record is written in the same transaction.
    const withContent = req.query.with_content ?? true;
    const idem = req.idempotency;
    const published = await ctx.publisher.publish({
      app,
      message: {
        eventType: b.eventType, payload: b.payload, eventId: b.eventId ?? null, channels: b.channels ?? null, tags: b.tags ?? null, deliverAt,
        payloadExpiresAt: payloadExpiry(ctx.config.payloadRetentionDays, b.payloadRetentionHours ?? null, b.payloadRetentionPeriod ?? null),
      },
      idempotency: idem && { scope: idem.scope, key: idem.key, expiresAt: Date.now() + IDEMPOTENCY_TTL_MS },
      respond: (m) => messageJson(m, withContent),
      origin: { requestId: req.id, span: req.span },
    });
    if (idem) idem.storedByRoute = true;
    if ('replay' in published) {
      return reply.status(published.replay.statusCode as 202).header('content-type', 'application/json; charset=utf-8').send(published.replay.body as never);
    }
    // Already serialized: it is also the stored idempotent response.
    return reply.status(202).header('content-type', 'application/json; charset=utf-8').send(published.responseBody as never);
  });

  api.delete('/api/v1/app/:app_id/msg/:msg_id/content', {
    schema: { tags, summary: "Delete a message's payload for good; its delivery log stays", params: MessageParams },
  }, async (req, reply) => {
    const { message } = await requireMessage(ctx, req.params.app_id, req.params.msg_id);
    await ctx.history.expungeMessageContent(message.id);
    return reply.status(204).send();
  });

  api.get('/api/v1/app/:app_id/msg/:msg_id/content', {
    schema: {
      tags, summary: 'The payload exactly as signed and sent (a Herald extension): the bytes `herald verify` checks a signature over',
      params: MessageParams,
    },
  }, async (req, reply) => {
    const { message } = await requireMessage(ctx, req.params.app_id, req.params.msg_id);
    if (message.payload === null) throw new HeraldError(410, 'message_expunged', 'The message content was expunged');
    return reply.header('content-type', 'text/plain; charset=utf-8').send(message.payload);
  });

  api.get('/api/v1/app/:app_id/msg', {
    schema: {
      tags, summary: 'List messages, newest first',
      description: 'With `with_delivery_status=true` (a Herald extension), each message also has `deliveryStatus`: how many of its ' +
        'deliveries were delivered, are pending (not attempted yet), failing (failed, to be retried) or failed for good.',
      params: AppParams, querystring: MessageListWithStatusQuery, response: { 200: ListOf(MessageListItemOut) },
    },
  }, async (req) => {
    const app = await requireApp(ctx, req.params.app_id);
    const q = req.query;
    const page = await ctx.history.listMessages(
      app.id,
      { channel: q.channel, tag: q.tag, eventTypes: csv(q.event_types), before: parseTime(q.before, 'before'), after: parseTime(q.after, 'after') },
      pageOf(q, 'descending', 'msg'),
    );
    const data = page.data.map((m) => messageOut(m, q.with_content ?? true));
    if (!q.with_delivery_status) return { ...page, data };
    // One grouped query for the page, on the (message_id, endpoint_id) index: the list stays as fast as the page is long.
    const tallies = await ctx.history.tallyDeliveries(page.data.map((m) => m.id));
    const none: DeliveryTallyOut = { delivered: 0, pending: 0, failing: 0, failed: 0, canceled: 0 };
    return { ...page, data: data.map((m) => ({ ...m, deliveryStatus: tallies.get(m.id) ?? none })) };
  });

  api.get('/api/v1/app/:app_id/msg/:msg_id', {
    schema: { tags, summary: 'Get a message by id or eventId', params: MessageParams, querystring: MessageQuery, response: { 200: MessageOut } },
  }, async (req) => {
    const { message } = await requireMessage(ctx, req.params.app_id, req.params.msg_id);
    return messageOut(message, req.query.with_content ?? true);
  });
}
