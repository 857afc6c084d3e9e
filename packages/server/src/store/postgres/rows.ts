import type pg from 'pg';
import { chatOf, destinationOf } from '../common/endpoint-extras.ts';
import { endpointHeadersContext, isSealed, type SecretCodec } from '../../security/secret-box.ts';
import { keysetPage, keysetSql } from '../common/keyset.ts';
import type { App, Endpoint, EventType, Message, Page, PageResult } from '../types.ts';
import type { Row } from './context.ts';

/**
 * Row shapes as PostgreSQL returns them on the store's connections (jsonb parsed, booleans as booleans, bigint as
 * numbers), and their mapping to domain objects. Delivery and attempt rows hold only plain columns, the same in both
 * dialects: common/rows.ts maps those.
 */

export const toApp = (r: Row): App => ({
  id: r.id,
  uid: r.uid,
  name: r.name,
  metadata: r.metadata,
  throttleRate: r.throttle_rate,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toEventType = (r: Row): EventType => ({
  name: r.name,
  description: r.description,
  schemas: r.schemas,
  archived: r.archived,
  deprecated: r.deprecated,
  featureFlags: r.feature_flags,
  groupName: r.group_name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * An endpoint's custom headers from its row. The jsonb column holds sealed text as a JSON string; an object is what
 * was stored in clear (before encryption, or by a store without a key).
 */
export const headersOf = (r: Row, secrets: SecretCodec): Record<string, string> =>
  typeof r.headers === 'string' ? JSON.parse(secrets.open(r.headers, endpointHeadersContext(r.id))) : r.headers;

/** The headers column's value, as JSON text for a $n::jsonb parameter. */
export function sealHeaders(endpointId: string, headers: Record<string, string>, secrets: SecretCodec): string {
  const sealed = secrets.seal(JSON.stringify(headers), endpointHeadersContext(endpointId));
  return isSealed(sealed) ? JSON.stringify(sealed) : sealed;
}

export const toEndpoint = (r: Row, secrets: SecretCodec): Endpoint => ({
  id: r.id,
  appId: r.app_id,
  uid: r.uid,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  channels: r.channels,
  disabled: r.disabled,
  throttleRate: r.throttle_rate,
  concurrency: r.concurrency,
  retrySchedule: r.retry_schedule,
  requestTimeout: r.request_timeout,
  ordered: r.ordered,
  filter: r.filter,
  metadata: r.metadata,
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
  channels: r.channels,
  tags: r.tags,
  payload: r.payload,
  createdAt: r.created_at,
  deliverAt: r.deliver_at,
});

/** `$1, $2, …`: one placeholder per column of a comma-separated column list. */
export const placeholders = (columns: string): string => columns.split(',').map((_, i) => `$${i + 1}`).join(', ');

/** Collects bind values and hands out their $n placeholders, so a statement can be assembled piece by piece. */
export class Binds {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * A page of rows, by keyset over a unique, sortable key column (see common/keyset.ts). `select` is
 * 'SELECT … FROM …'; `where` is a condition on the rows (use 'true' for all) whose placeholders come from `binds`.
 */
export async function paginate<T>(
  pool: pg.Pool,
  select: string,
  where: string,
  binds: Binds,
  keyColumn: string,
  page: Page,
  map: (row: Row) => T,
  keyOf: (item: T) => string,
): Promise<PageResult<T>> {
  const sql = keysetSql({ select, where, keyColumn }, page, (value) => binds.add(value));
  const { rows } = await pool.query(sql, binds.values);
  return keysetPage(rows, page, map, keyOf);
}
