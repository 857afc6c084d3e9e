import type { Database } from 'better-sqlite3';
import { endpointHeadersContext, type SecretCodec } from '../../security/secret-box.ts';
import type { App, Attempt, AttemptRequest, Delivery, Endpoint, EventType, Message, Page, PageResult, StatusValue, TriggerValue } from '../types.ts';

/** Row shapes as SQLite returns them, and their mapping to domain objects. */

type Row = Record<string, any>;

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

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
  ordered: r.ordered === 1,
  filter: json(r.filter),
  metadata: JSON.parse(r.metadata),
  headers: headersOf(r, secrets),
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

/** `?, ?, …`: one placeholder per column of a comma-separated column list. */
export const placeholders = (columns: string): string => columns.split(',').map(() => '?').join(', ');

/** SQLite binds no booleans: they go in as 0 and 1. */
export const bindable = (values: unknown[]): unknown[] => values.map((v) => (typeof v === 'boolean' ? +v : v));

/**
 * Keyset pagination over a unique, sortable key column. `select` is 'SELECT … FROM …'; `where` is a condition on the rows (use '1=1' for all).
 * An iterator is the key of the last row of the previous page; '-key' walks back from the first row of a page.
 * As in Svix, `done` says whether the walk in the direction taken (forward, or back with '-key') has reached the end.
 */
export function paginate<T>(
  db: Database,
  select: string,
  where: string,
  params: unknown[],
  keyColumn: string,
  page: Page,
  map: (row: Row) => T,
  keyOf: (item: T) => string,
): PageResult<T> {
  const backwards = page.iterator?.startsWith('-') ?? false;
  const cursor = backwards ? page.iterator!.slice(1) : page.iterator;
  const ascending = (page.order === 'ascending') !== backwards;
  let condition = where;
  const args = [...params];
  if (cursor) {
    condition += ` AND ${keyColumn} ${ascending ? '>' : '<'} ?`;
    args.push(cursor);
  }
  const sql = `${select} WHERE ${condition} ORDER BY ${keyColumn} ${ascending ? 'ASC' : 'DESC'} LIMIT ?`;
  const rows = db.prepare(sql).all(...args, page.limit + 1) as Row[];
  const hasMore = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map(map);
  if (backwards) items.reverse();
  const first = items[0];
  const last = items[items.length - 1];
  if (first && last) return { data: items, iterator: keyOf(last), prevIterator: `-${keyOf(first)}`, done: !hasMore };
  // An empty page keeps the caller's place. Walking back found nothing before the cursor, so forward starts from the
  // beginning (the cursor itself would skip its own row) and back stays where it was.
  if (backwards) return { data: items, iterator: null, prevIterator: page.iterator, done: true };
  return { data: items, iterator: cursor, prevIterator: null, done: true };
}
