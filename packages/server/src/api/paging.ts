import { HeraldError } from '../lib/errors.ts';
import type { Page } from '../store/types.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 250;

export function pageOf(
  query: { limit?: number; iterator?: string; order?: 'ascending' | 'descending' },
  defaultOrder: Page['order'],
): Page {
  return {
    limit: Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT),
    iterator: query.iterator && query.iterator !== '' ? query.iterator : null,
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
