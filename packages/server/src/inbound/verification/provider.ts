import { alertGroupDeliveryId, alertGroupEventType } from './alert-groups.ts';
import type { Verification } from './config.ts';
import { asObject, headerValue, jsonBody, parseObject, type InboundRequest, type JsonObject } from './request.ts';

// Both are stored and indexed; a longer value is no id a provider sends, and is dropped rather than cut (a cut id
// could collide with another).
const MAX_LENGTH = 256;

function bounded(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value.length <= MAX_LENGTH ? value : null;
}

/**
 * Slack posts JSON to the Events API, and forms to slash commands and interactivity, the latter with the JSON
 * in a `payload` field.
 */
function slackPayload(body: Buffer): JsonObject | null {
  const json = jsonBody(body);
  if (json) return json;
  const form = new URLSearchParams(body.toString('utf8'));
  const payload = form.get('payload');
  return payload === null ? Object.fromEntries(form) : parseObject(payload);
}

/**
 * The provider's own id of the delivery, stable across its retries, for dropping duplicates; null when it sends
 * none. Slack: the Events API's event_id, else the trigger_id of a slash command or interaction (Slack does not
 * retry those, but the id still stops a replay within the timestamp window). GitLab: Idempotency-Key, the same across
 * its retries of one event (since GitLab 17.4). Not X-Gitlab-Event-UUID: webhooks triggered by what an earlier
 * webhook's receiver did share it, and those are new events. Meaningful only for a verified request.
 */
export function providerDeliveryId(v: Verification, req: InboundRequest): string | null {
  switch (v.type) {
    case 'github': return bounded(headerValue(req.headers, 'X-GitHub-Delivery'));
    case 'gitlab': return bounded(headerValue(req.headers, 'Idempotency-Key'));
    case 'stripe': return bounded(jsonBody(req.body)?.['id']);
    case 'shopify': return bounded(headerValue(req.headers, 'X-Shopify-Webhook-Id'));
    case 'slack': {
      const payload = slackPayload(req.body);
      return bounded(payload?.['event_id']) ?? bounded(payload?.['trigger_id']);
    }
    case 'standard-webhooks': return bounded(headerValue(req.headers, 'webhook-id') ?? headerValue(req.headers, 'svix-id'));
    case 'alertmanager':
    case 'grafana':
      return alertGroupDeliveryId(jsonBody(req.body));
    case 'hmac':
    case 'basic-auth':
    case 'api-key':
    case 'none':
      return v.idHeader ? bounded(headerValue(req.headers, v.idHeader)) : null;
  }
}

/**
 * The event type as the provider names it (Shopify's topics contain "/", e.g. "orders/create"); null when it names
 * none. Slack: the inner event's type for Events API callbacks, else the payload's own type. GitLab: the body's
 * `object_kind` (`pipeline`, `push`, `merge_request`…), or a system hook's `event_name`; X-Gitlab-Event says the
 * same in words ("Pipeline Hook"). Alertmanager and Grafana name none: `alertmanager.firing` and the like are Herald's.
 */
export function providerEventType(v: Verification, req: InboundRequest): string | null {
  switch (v.type) {
    case 'github': return bounded(headerValue(req.headers, 'X-GitHub-Event'));
    case 'gitlab': {
      const body = jsonBody(req.body);
      return bounded(body?.['object_kind']) ?? bounded(body?.['event_name']);
    }
    case 'stripe':
    case 'standard-webhooks':
      return bounded(jsonBody(req.body)?.['type']);
    case 'shopify': return bounded(headerValue(req.headers, 'X-Shopify-Topic'));
    case 'slack': {
      const payload = slackPayload(req.body);
      const event = payload?.['type'] === 'event_callback' ? asObject(payload['event']) : null;
      return bounded(event?.['type']) ?? bounded(payload?.['type']);
    }
    case 'alertmanager':
    case 'grafana':
      return alertGroupEventType(v.type, jsonBody(req.body));
    case 'hmac':
    case 'basic-auth':
    case 'api-key':
    case 'none':
      return v.eventTypeHeader ? bounded(headerValue(req.headers, v.eventTypeHeader)) : null;
  }
}
