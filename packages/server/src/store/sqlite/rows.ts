import { endpointHeadersContext, type SecretCodec } from '../../security/secret-box.ts';
import { chatOf, destinationOf } from '../common/endpoint-extras.ts';
import { parseJsonOrNull as json } from '../common/json.ts';
import type { App, Endpoint, EventType, Message } from '../types.ts';

/** Row shapes as SQLite returns them (JSON as text, booleans as 0 and 1), and their mapping to domain objects. */

type Row = Record<string, any>;

export const toApp = (r: Row): App => ({
  id: r.id,
  uid: r.uid,
  name: r.name,
  metadata: JSON.parse(r.metadata),
  throttleRate: r.throttle_rate,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toEventType = (r: Row): EventType => ({
  name: r.name,
  description: r.description,
  schemas: json(r.schemas),
  archived: r.archived === 1,
  deprecated: r.deprecated === 1,
  featureFlags: json(r.feature_flags),
  groupName: r.group_name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** An endpoint's custom headers from its row: sealed text, or JSON stored in clear before encryption. */
export const headersOf = (r: Row, secrets: SecretCodec): Record<string, string> => JSON.parse(secrets.open(r.headers, endpointHeadersContext(r.id)));

export const sealHeaders = (endpointId: string, headers: Record<string, string>, secrets: SecretCodec): string =>
  secrets.seal(JSON.stringify(headers), endpointHeadersContext(endpointId));

export const toEndpoint = (r: Row, secrets: SecretCodec): Endpoint => ({
  id: r.id,
  appId: r.app_id,
  uid: r.uid,
  url: r.url,
  description: r.description,
  eventTypes: json(r.event_types),
  channels: json(r.channels),
  disabled: r.disabled === 1,
  throttleRate: r.throttle_rate,
  concurrency: r.concurrency,
  retrySchedule: json(r.retry_schedule),
  requestTimeout: r.request_timeout,
  ordered: r.ordered === 1,
  filter: json(r.filter),
  metadata: JSON.parse(r.metadata),
  headers: headersOf(r, secrets),
  destination: destinationOf(r, secrets),
  chat: chatOf(r, secrets),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toMessage = (r: Row): Message => ({
  id: r.id,
  appId: r.app_id,
  eventId: r.event_id,
  eventType: r.event_type,
  channels: json(r.channels),
  tags: json(r.tags),
  payload: r.payload,
  createdAt: r.created_at,
  deliverAt: r.deliver_at,
});
