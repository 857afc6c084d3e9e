import { assertKeyUnchanged, endpointKeyContext, KEY_CHECK_SETTING, type SecretBox, type SecretCodec } from '../../security/secret-box.ts';
import { SEALED_TEXT_COLUMNS } from '../common/sealed-columns.ts';
import type { SqliteConnection } from './connection.ts';
import { headersOf, sealHeaders } from './rows.ts';
import { deleteSetting, readSetting, writeSetting } from './settings.ts';

/** Set while old copies of resealed values may still be in the file (see scrubIfPending). */
const SCRUB_PENDING_SETTING = 'encryption_scrub_pending';

type Sql = Pick<SqliteConnection, 'db' | 'stmt'>;

/**
 * At open: the key must be the one the database's secrets are encrypted with (the first keyed open records its
 * check value), and any value still in clear (stored before encryption, or by an older version) is sealed now.
 */
export function prepareSecrets(c: Sql & Pick<SqliteConnection, 'secrets'>): void {
  c.db.transaction(() => {
    const stored = readSetting(c, KEY_CHECK_SETTING);
    c.secrets.adopt(stored);
    if (c.secrets.check === undefined) return;
    if (stored === undefined) writeSetting(c, KEY_CHECK_SETTING, c.secrets.check);
    if (reseal(c, c.secrets, c.secrets, true) > 0) writeSetting(c, SCRUB_PENDING_SETTING, '1');
  }).immediate();
  scrubIfPending(c);
}

/**
 * Inside a write: seals every secret value again with `to`, reading them with `from`, and records `to` as the
 * database's key; the file is to be scrubbed of the old copies (scrubIfPending). Returns how many values were sealed.
 */
export function resealAll(c: Sql, from: SecretCodec, to: SecretBox): number {
  const count = reseal(c, from, to, false);
  writeSetting(c, KEY_CHECK_SETTING, to.check);
  writeSetting(c, SCRUB_PENDING_SETTING, '1');
  return count;
}

/** Seals secret values again with `to` (with onlyClear, just those still in clear), reading them with `from`. */
function reseal(c: Sql, from: SecretCodec, to: SecretCodec, onlyClear: boolean): number {
  const { db } = c;
  const keys = db
    .prepare(`SELECT rowid, endpoint_id, key FROM endpoint_key${onlyClear ? " WHERE key NOT LIKE 'enc:%'" : ''}`)
    .all() as { rowid: number; endpoint_id: string; key: string }[];
  const updateKey = db.prepare('UPDATE endpoint_key SET key = ? WHERE rowid = ?');
  for (const k of keys) {
    const context = endpointKeyContext(k.endpoint_id);
    updateKey.run(to.seal(from.open(k.key, context), context), k.rowid);
  }
  const endpoints = db
    .prepare(`SELECT id, headers FROM endpoint${onlyClear ? " WHERE headers NOT LIKE 'enc:%'" : ''}`)
    .all() as { id: string; headers: string }[];
  const updateHeaders = db.prepare('UPDATE endpoint SET headers = ? WHERE id = ?');
  for (const ep of endpoints) updateHeaders.run(sealHeaders(ep.id, headersOf(ep, from), to), ep.id);
  let values = 0;
  for (const { table, key, column, context } of SEALED_TEXT_COLUMNS) {
    const rows = db
      .prepare(`SELECT ${key} AS id, ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL${onlyClear ? ` AND ${column} NOT LIKE 'enc:%'` : ''}`)
      .all() as { id: string; sealed: string }[];
    const update = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`);
    for (const row of rows) update.run(to.seal(from.open(row.sealed, context(row.id)), context(row.id)), row.id);
    values += rows.length;
  }
  return keys.length + endpoints.length + values;
}

/**
 * After values were resealed, their old copies (in clear, or under a retired key) can linger in freed cells and
 * pages and in the unused space of pages that b-tree rebalancing rewrote: the whole file is rewritten once (VACUUM)
 * and the WAL emptied. The marker is set in the resealing transaction, so a VACUUM that fails (a full disk) is
 * retried at the next open rather than skipped.
 */
export function scrubIfPending(c: Sql): void {
  if (readSetting(c, SCRUB_PENDING_SETTING) === undefined) return;
  try {
    c.db.exec('VACUUM');
  } catch (err) {
    throw new Error(
      `the database was not rewritten to remove old copies of its re-encrypted secrets (${(err as Error).message}); ` +
        'it needs free disk space about its own size: Herald tries again at the next start',
    );
  }
  deleteSetting(c, SCRUB_PENDING_SETTING);
  c.db.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * Inside the write transaction, before a value is sealed: another process may have rotated the key meanwhile (see
 * assertKeyUnchanged).
 */
export function checkKeyUnchanged(c: Pick<SqliteConnection, 'stmt' | 'secrets'>): void {
  assertKeyUnchanged(readSetting(c, KEY_CHECK_SETTING), c.secrets);
}
