import type { Database } from 'better-sqlite3';
import { keysetPage, keysetSql } from '../common/keyset.ts';
import { conflictOnUnique as conflictOn } from '../common/unique.ts';
import type { Page, PageResult } from '../types.ts';

/** How SQLite's statements are written and run: placeholders, bound values, paging, uniqueness failures. */

type Row = Record<string, any>;

/** `?, ?, …`: one placeholder per column of a comma-separated column list. */
export const placeholders = (columns: string): string => columns.split(',').map(() => '?').join(', ');

/** SQLite binds no booleans: they go in as 0 and 1. */
export const bindable = (values: unknown[]): unknown[] => values.map((v) => (typeof v === 'boolean' ? +v : v));

/**
 * One page of a keyset walk (see common/keyset.ts). `select` is 'SELECT … FROM …'; `where` is a condition on the
 * rows ('1=1' for all) whose `?` placeholders take `params`. Page queries vary with their filters, so they are
 * prepared each time rather than cached.
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
  const args = [...params];
  const sql = keysetSql({ select, where, keyColumn }, page, (value) => {
    args.push(value);
    return '?';
  });
  return keysetPage(db.prepare(sql).all(...args) as Row[], page, map, keyOf);
}

const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT_UNIQUE') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
};

/** Runs a write, turning SQLite's uniqueness failures into the API's 409 ("<what> already exists"). */
export const conflictOnUnique = <T>(what: string, write: () => T): T => conflictOn(isUniqueViolation, what, write);
