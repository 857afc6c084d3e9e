import type { ApplicationOut, CircuitOut, EndpointMessageOut, EndpointOut, EventTypeOut, MessageAttemptOut, MessageOut } from '@herald/wire';
import { iso } from '../lib/time.ts';
import { jsonDepth, MAX_JSON_DEPTH } from './json-body.ts';
import { STATUS_TEXT, type App, type Attempt, type CircuitState, type Delivery, type Endpoint, type EventType, type Message } from '../store/types.ts';

/** Domain rows to the Svix wire shapes of @herald/wire (camelCase, RFC 3339 UTC timestamps). */

export { iso };
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const applicationOut = (a: App): ApplicationOut => ({
  id: a.id,
  name: a.name,
  uid: a.uid,
  throttleRate: a.throttleRate,
  metadata: a.metadata,
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
});

export const eventTypeOut = (e: EventType, withSchemas = true): EventTypeOut => ({
  name: e.name,
  description: e.description,
  archived: e.archived,
  deprecated: e.deprecated,
  schemas: withSchemas ? e.schemas : null,
  featureFlag: e.featureFlags?.[0] ?? null,
  featureFlags: e.featureFlags,
  groupName: e.groupName,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

export const circuitOut = (c: CircuitState | undefined): CircuitOut => (c
  ? { state: 'open' as const, openedAt: iso(c.openedAt), failures: c.failures, nextProbeAt: c.nextProbeAt === null ? null : iso(c.nextProbeAt) }
  : { state: 'closed' as const, openedAt: null, failures: 0, nextProbeAt: null });

/** `circuits`: the open circuits among the endpoints shown, for the routes that show them (get, list, update). */
export const endpointOut = (e: Endpoint, circuits?: ReadonlyMap<string, CircuitState>): EndpointOut => ({
  id: e.id,
  url: e.url,
  description: e.description,
  uid: e.uid,
  disabled: e.disabled,
  eventTypes: e.eventTypes,
  filterTypes: e.eventTypes,
  channels: e.channels,
  throttleRate: e.throttleRate,
  concurrency: e.concurrency,
  retrySchedule: e.retrySchedule === null ? null : [...e.retrySchedule],
  requestTimeout: e.requestTimeout,
  ordered: e.ordered,
  filter: e.filter,
  metadata: e.metadata,
  version: 1,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
  circuit: circuits ? circuitOut(circuits.get(e.id)) : undefined,
  kind: e.chat?.kind ?? 'webhook',
  chatSigned: e.chat?.secret != null,
  chatTemplate: e.chat?.template ?? null,
});

/**
 * A stored payload as the API shows it. A published message's is a JSON object. A message an inbound source received
 * holds the provider's body as it came, which may be a form, XML or JSON nested deeper than the API would take: that
 * is shown as a string, rather than failing the whole list with a 500. The exact bytes: GET …/msg/{msg}/content.
 */
function payloadOut(text: string): unknown {
  if (jsonDepth(Buffer.from(text)) > MAX_JSON_DEPTH) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const messageOut = (m: Message, withContent: boolean): MessageOut => ({
  id: m.id,
  eventType: m.eventType,
  eventId: m.eventId,
  channels: m.channels,
  tags: m.tags,
  payload: withContent && m.payload !== null ? payloadOut(m.payload) : {},
  timestamp: iso(m.createdAt),
  deliverAt: isoOrNull(m.deliverAt),
});

/**
 * A message as the JSON text of `messageOut`, with the stored payload text spliced in as it is: publishing answers
 * with the payload, and parsing it only to serialize it again was a measurable share of the publish path.
 */
export function messageJson(m: Message, withContent: boolean): string {
  const { payload: _empty, ...rest } = messageOut({ ...m, payload: null }, false);
  const head = JSON.stringify(rest);
  const payload = withContent && m.payload !== null ? m.payload : '{}';
  return `${head.slice(0, -1)},"payload":${payload}}`;
}

/** A delivery's state, as a message or an endpoint carries it in the lists of deliveries. */
export const statusFields = (d: Delivery): Pick<EndpointMessageOut, 'status' | 'statusText' | 'nextAttempt'> => ({
  status: d.status,
  statusText: STATUS_TEXT[d.status],
  nextAttempt: d.status === 1 ? isoOrNull(d.nextAttemptAt) : null,
});

export const attemptOut = (a: Attempt, withContent: boolean, msg?: Message): MessageAttemptOut => ({
  id: a.id,
  url: a.url,
  response: withContent ? a.response : '{}',
  responseStatusCode: a.responseStatusCode,
  responseDurationMs: a.durationMs,
  status: a.status,
  statusText: STATUS_TEXT[a.status],
  triggerType: a.trigger,
  msgId: a.messageId,
  endpointId: a.endpointId,
  timestamp: iso(a.createdAt),
  ...(msg ? { msg: messageOut(msg, withContent) } : {}),
});
