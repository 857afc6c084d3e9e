import type { Static } from 'typebox';
import { HeraldError } from '../../lib/errors.ts';
import type { Message } from '../../store/types.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireApp, requireEndpoint, requireMessage } from '../lookup.ts';
import { csv, pageOf, parseTime } from '../paging.ts';
import {
  AttemptHeadersOut, AttemptListQuery, AttemptParams, AttemptQuery, EmptyOut, EndpointMessageListQuery, EndpointMessageOut, EndpointParams, ListOf,
  MessageAttemptOut, MessageEndpointListQuery, MessageEndpointOut, MessageParams, ResendParams,
} from '@herald/wire';
import { attemptOut, endpointOut, messageOut, statusFields } from '../serialize.ts';

const tags = ['Message Attempt'];

type AttemptQuery = Static<typeof AttemptListQuery>;

function attemptFilter(q: AttemptQuery) {
  return {
    status: q.status,
    statusCodeClass: q.status_code_class,
    channel: q.channel,
    tag: q.tag,
    eventTypes: csv(q.event_types),
    before: parseTime(q.before, 'before'),
    after: parseTime(q.after, 'after'),
  };
}

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'catalog' | 'history' | 'publisher' | 'endpoints'>;

export function registerAttemptRoutes(api: Api, ctx: RouteContext): void {
  /** Attempts with, on request, their messages (looked up once per message on the page). */
  async function attemptsPage(appId: string, filter: Parameters<ApiContext['history']['listAttempts']>[0], q: AttemptQuery) {
    const page = await ctx.history.listAttempts(filter, pageOf(q, 'descending', 'atmpt'));
    const messages = new Map<string, Message | undefined>();
    if (q.with_msg) {
      for (const a of page.data) if (!messages.has(a.messageId)) messages.set(a.messageId, await ctx.history.getMessage(appId, a.messageId));
    }
    const withContent = q.with_content ?? true;
    return { ...page, data: page.data.map((a) => attemptOut(a, withContent, messages.get(a.messageId))) };
  }

  api.get('/api/v1/app/:app_id/attempt/endpoint/:endpoint_id', {
    schema: { tags, summary: 'List attempts to an endpoint, newest first', params: EndpointParams, querystring: AttemptListQuery, response: { 200: ListOf(MessageAttemptOut) } },
  }, async (req) => {
    const { app, endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    return attemptsPage(app.id, { ...attemptFilter(req.query), endpointId: endpoint.id }, req.query);
  });

  api.get('/api/v1/app/:app_id/attempt/msg/:msg_id', {
    schema: { tags, summary: 'List attempts of a message, newest first', params: MessageParams, querystring: AttemptListQuery, response: { 200: ListOf(MessageAttemptOut) } },
  }, async (req) => {
    const { app, message } = await requireMessage(ctx, req.params.app_id, req.params.msg_id);
    let endpointId: string | undefined;
    if (req.query.endpoint_id) {
      const ep = await ctx.catalog.getEndpoint(app.id, req.query.endpoint_id);
      if (!ep) throw HeraldError.notFound('Endpoint');
      endpointId = ep.id;
    }
    return attemptsPage(app.id, { ...attemptFilter(req.query), messageId: message.id, endpointId }, req.query);
  });

  api.get('/api/v1/app/:app_id/msg/:msg_id/attempt/:attempt_id', {
    schema: {
      tags, summary: 'Get an attempt', params: AttemptParams,
      querystring: AttemptQuery, response: { 200: MessageAttemptOut },
    },
  }, async (req) => {
    const { message } = await requireMessage(ctx, req.params.app_id, req.params.msg_id);
    const attempt = await ctx.history.getAttempt(message.id, req.params.attempt_id);
    if (!attempt) throw HeraldError.notFound('Message attempt');
    return attemptOut(attempt, true);
  });

  api.get('/api/v1/app/:app_id/msg/:msg_id/attempt/:attempt_id/headers', {
    schema: {
      tags, summary: "The headers an attempt sent (the endpoint's custom header values are named in `sensitive`, not kept)",
      params: AttemptParams, response: { 200: AttemptHeadersOut },
    },
  }, async (req) => {
    const { message } = await requireMessage(ctx, req.params.app_id, req.params.msg_id);
    const attempt = await ctx.history.getAttempt(message.id, req.params.attempt_id);
    if (!attempt) throw HeraldError.notFound('Message attempt');
    return attempt.request ?? { headers: null, sensitive: [] };
  });

  api.get('/api/v1/app/:app_id/endpoint/:endpoint_id/msg', {
    schema: {
      tags, summary: 'Messages attempted to an endpoint, with their delivery status', params: EndpointParams,
      querystring: EndpointMessageListQuery,
      response: { 200: ListOf(EndpointMessageOut) },
    },
  }, async (req) => {
    const { endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    const q = req.query;
    const page = await ctx.history.listEndpointDeliveries(
      endpoint.id,
      { status: q.status, channel: q.channel, tag: q.tag, eventTypes: csv(q.event_types), before: parseTime(q.before, 'before'), after: parseTime(q.after, 'after') },
      pageOf(q, 'descending', 'msg'),
    );
    return { ...page, data: page.data.map(({ message, delivery }) => ({ ...messageOut(message, q.with_content ?? true), ...statusFields(delivery) })) };
  });

  api.get('/api/v1/app/:app_id/msg/:msg_id/endpoint', {
    schema: {
      tags, summary: 'Endpoints a message was sent to, with their delivery status', params: MessageParams,
      querystring: MessageEndpointListQuery,
      response: { 200: ListOf(MessageEndpointOut) },
    },
  }, async (req) => {
    const { message } = await requireMessage(ctx, req.params.app_id, req.params.msg_id);
    const page = await ctx.history.listMessageDeliveries(message.id, pageOf(req.query, 'ascending', 'ep'));
    const data = [];
    for (const d of page.data) {
      const ep = await ctx.catalog.getEndpointById(d.endpointId);
      if (ep) data.push({ ...endpointOut(ep), ...statusFields(d) });
    }
    return { ...page, data };
  });

  api.post('/api/v1/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/resend', {
    schema: { tags, summary: 'Send a message to an endpoint again', params: ResendParams, response: { 202: EmptyOut } },
  }, async (req, reply) => {
    const app = await requireApp(ctx, req.params.app_id);
    const message = await ctx.history.getMessage(app.id, req.params.msg_id);
    if (!message) throw HeraldError.notFound('Message');
    const endpoint = await ctx.catalog.getEndpoint(app.id, req.params.endpoint_id);
    if (!endpoint) throw HeraldError.notFound('Endpoint');
    if (message.payload === null) throw HeraldError.badRequest('message_expunged', 'The message content was expunged and cannot be sent again');
    await ctx.publisher.resend(message.id, endpoint.id);
    return reply.status(202).send({});
  });
}
