import type { Page, PageResult } from '../types.ts';

/**
 * Keyset pagination over a unique, sortable key column, the same in both dialects; each dialect runs the query its
 * own way (see sqlite/rows.ts and postgres/rows.ts).
 *
 * An iterator is the key of the last row of the previous page; '-key' walks back from the first row of a page.
 * As in Svix, `done` says whether the walk in the direction taken (forward, or back with '-key') has reached the end.
 */
export interface KeysetQuery {
  /** 'SELECT … FROM …' */
  select: string;
  /** A condition on the rows, its placeholders already bound ('1=1' or 'true' for all). */
  where: string;
  keyColumn: string;
}

type Row = Record<string, any>;

const backwardsOf = (page: Page): boolean => page.iterator?.startsWith('-') ?? false;

/**
 * The SQL of one page: `bind` takes each further value (the cursor, then the limit) and returns its placeholder in
 * the dialect's style (`?`, `$n`). It asks for one row more than the page holds, to tell whether more follow.
 */
export function keysetSql(query: KeysetQuery, page: Page, bind: (value: unknown) => string): string {
  const backwards = backwardsOf(page);
  const cursor = backwards ? page.iterator!.slice(1) : page.iterator;
  const ascending = (page.order === 'ascending') !== backwards;
  let condition = query.where;
  if (cursor) condition += ` AND ${query.keyColumn} ${ascending ? '>' : '<'} ${bind(cursor)}`;
  return `${query.select} WHERE ${condition} ORDER BY ${query.keyColumn} ${ascending ? 'ASC' : 'DESC'} LIMIT ${bind(page.limit + 1)}`;
}

/** The page from the rows keysetSql's query returned. */
export function keysetPage<T>(rows: readonly Row[], page: Page, map: (row: Row) => T, keyOf: (item: T) => string): PageResult<T> {
  const backwards = backwardsOf(page);
  const cursor = backwards ? page.iterator!.slice(1) : page.iterator;
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
