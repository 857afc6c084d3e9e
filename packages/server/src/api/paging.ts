import { HeraldError } from '../lib/errors.ts';
import { OPERATIONAL_APP_ID } from '../delivery/operational.ts';
import { isIssuedId, type IdPrefix } from '../lib/ids.ts';
import type { Page } from '../store/types.ts';
import { ID_PATTERN } from '@herald/wire';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 250;

/** What a list is ordered by, so what its iterators hold: ids of one type, or event type names. */
export type ListKey = IdPrefix | 'event-type';

const EVENT_TYPE_NAME = new RegExp(ID_PATTERN);

/**
 * An iterator is the key of a row at a page's edge, with a leading '-' to walk back (see the stores' paginate). One
 * that is not such a key was not issued by Herald for this list: it is refused rather than read as "from the start",
 * which would send a client with a corrupted cursor round the first page forever.
 */
export function checkIterator(iterator: string | null | undefined, key: ListKey, loc: string[]): string | null {
  if (iterator === undefined || iterator === null || iterator === '') return null;
  const cursor = iterator.startsWith('-') ? iterator.slice(1) : iterator;
  // The operational webhooks' application has a fixed id, not a KSUID, and can be the edge of a page of applications.
  const issued = key === 'event-type'
    ? cursor.length <= 256 && EVENT_TYPE_NAME.test(cursor)
    : isIssuedId(key, cursor) || (key === 'app' && cursor === OPERATIONAL_APP_ID);
  if (!issued) {
    const kind = key === 'event-type' ? 'an event type name' : `an id starting ${key}_`;
    throw HeraldError.validation(loc, `is not an iterator this list issued (expected ${kind}, with "-" in front to go back)`);
  }
  return iterator;
}

export function pageOf(
  query: { limit?: number; iterator?: string; order?: 'ascending' | 'descending' },
  defaultOrder: Page['order'],
  key: ListKey,
): Page {
  return {
    limit: Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT),
    iterator: checkIterator(query.iterator, key, ['query', 'iterator']),
    order: query.order ?? defaultOrder,
  };
}

export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw HeraldError.validation(['query', field], 'invalid date-time');
  return ms;
}

export function csv(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = [value].flat().flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}
