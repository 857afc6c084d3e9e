import { HeraldError } from '../../lib/errors.ts';
import type { FastifyRequest } from 'fastify';
import type { App, Endpoint, EventType } from '../../store/types.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireEndpoint } from '../lookup.ts';
import { EndpointParams, EventExampleIn, MessageOut } from '@herald/wire';
import { messageJson } from '../serialize.ts';
import { payloadExpiry } from './messages.ts';

/** The examples of an event type's newest schema version (`examples` is JSON Schema's own keyword). */
function examplesOf(eventType: EventType): unknown[] {
  const versions = Object.keys(eventType.schemas ?? {}).sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
  const newest = versions[0] === undefined ? undefined : eventType.schemas?.[versions[0]];
  const examples = (newest as { examples?: unknown } | undefined)?.examples;
  return Array.isArray(examples) ? examples : [];
}

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'config' | 'catalog' | 'publisher' | 'endpoints'>;

/**
 * Svix's "send example": a real message of the event type, with the example payload from its schema, delivered to
 * one endpoint only (whatever it subscribes to), so an endpoint's owner can test their receiver. It is signed,
 * retried and logged like any other message, and shows in the application's message list.
 */
export function registerSendExampleRoute(api: Api, ctx: RouteContext): void {
  api.post('/api/v1/app/:app_id/endpoint/:endpoint_id/send-example', {
    schema: {
      tags: ['Endpoint'], summary: "Send an event type's example payload to this endpoint only",
      params: EndpointParams, body: EventExampleIn, response: { 200: MessageOut },
    },
  }, async (req, reply) => {
    const { app, endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    const { eventType: name, exampleIndex = 0 } = req.body;
    const eventType = await ctx.catalog.getEventType(name);
    if (!eventType || eventType.archived) throw HeraldError.validation(['body', 'eventType'], `no event type ${name} in the catalogue`);
    const examples = examplesOf(eventType);
    if (examples.length === 0) {
      throw HeraldError.validation(['body', 'eventType'], `event type ${name} has no example: add one to its schema's "examples"`);
    }
    const payload = examples[exampleIndex];
    if (payload === undefined) throw HeraldError.validation(['body', 'exampleIndex'], `event type ${name} has ${examples.length} example(s)`);
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw HeraldError.validation(['body', 'eventType'], `the example of ${name} is not a JSON object, so it cannot be a payload`);
    }
    if (endpoint.disabled) throw HeraldError.conflict('The endpoint is disabled: enable it to send it an example');
    return reply.status(200).header('content-type', 'application/json; charset=utf-8').send(await publishTo(ctx, req, app, endpoint, name, payload as Record<string, unknown>) as never);
  });

  api.post('/api/v1/app/:app_id/endpoint/:endpoint_id/send-test', {
    schema: {
      tags: ['Endpoint'], summary: `Send a test message (event type ${TEST_EVENT_TYPE}) to this endpoint only, to check it works end to end`,
      params: EndpointParams, response: { 200: MessageOut },
    },
  }, async (req, reply) => {
    const { app, endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    if (endpoint.disabled) throw HeraldError.conflict('The endpoint is disabled: enable it to send it a test message');
    const payload = { message: 'A test message from Herald: this endpoint is set up and receives messages.', endpoint: endpoint.uid ?? endpoint.id };
    return reply.status(200).header('content-type', 'application/json; charset=utf-8').send(await publishTo(ctx, req, app, endpoint, TEST_EVENT_TYPE, payload) as never);
  });
}

/** The event type of the test message: its own, so receivers can tell it apart (no catalogue entry is needed). */
export const TEST_EVENT_TYPE = 'herald.test';

/** A real message delivered to one endpoint only (whatever it subscribes to): signed, retried and logged like any. */
async function publishTo(ctx: RouteContext, req: FastifyRequest, app: App, endpoint: Endpoint, eventType: string, payload: Record<string, unknown>): Promise<string> {
  if (endpoint.destination?.type === 'pollingEndpoint') throw HeraldError.conflict('A polling endpoint is sent nothing: its consumers read its messages');
  const published = await ctx.publisher.publish({
    app,
    message: {
      eventType, payload, eventId: null, channels: null, tags: null, deliverAt: null, onlyEndpointId: endpoint.id,
      payloadExpiresAt: payloadExpiry(ctx.config.payloadRetentionDays, null, null),
    },
    respond: (m) => messageJson(m, true),
    origin: { requestId: req.id, span: req.span },
  });
  if ('replay' in published) throw new Error('a message without an idempotency key was answered from the idempotency store');
  return published.responseBody;
}
