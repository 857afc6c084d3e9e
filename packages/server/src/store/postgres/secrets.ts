import type pg from 'pg';
import { assertKeyUnchanged, endpointKeyContext, KEY_CHECK_SETTING, type SecretCodec } from '../../security/secret-box.ts';
import { SEALED_TEXT_COLUMNS } from '../common/sealed-columns.ts';
import { transaction, type PgContext } from './context.ts';
import { headersOf, sealHeaders } from './rows.ts';
import { UPSERT_SETTING } from './settings.ts';

/**
 * A transaction that seals values. It holds the key check row shared, so a rotation (which updates that row) waits
 * for it or it for the rotation; after a rotation it finds a key that is not this process's and writes nothing,
 * since a value sealed with the old key would be unreadable to every process restarted with the new one.
 */
export function sealing<T>(ctx: PgContext, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return transaction(ctx.pool, async (client) => {
    const { rows } = await client.query('SELECT value FROM setting WHERE key = $1 FOR SHARE', [KEY_CHECK_SETTING]);
    assertKeyUnchanged(rows[0]?.value, ctx.secrets);
    return work(client);
  });
}

/**
 * Seals every secret value again with `to` (or, with onlyClear, just those still in clear), reading them with `from`,
 * inside the caller's transaction. endpoint_key has no key column: its rows are matched on the old value.
 */
export async function reseal(client: pg.ClientBase, from: SecretCodec, to: SecretCodec, onlyClear: boolean): Promise<number> {
  const keys = (await client.query(`SELECT endpoint_id, key FROM endpoint_key${onlyClear ? " WHERE key NOT LIKE 'enc:%'" : ''}`)).rows;
  const sealedKeys = keys.map((k) => {
    const context = endpointKeyContext(k.endpoint_id);
    return to.seal(from.open(k.key, context), context);
  });
  await client.query(
    `UPDATE endpoint_key k SET key = n.sealed FROM unnest($1::text[], $2::text[], $3::text[]) AS n(endpoint_id, old, sealed)
     WHERE k.endpoint_id = n.endpoint_id AND k.key = n.old`,
    [keys.map((k) => k.endpoint_id), keys.map((k) => k.key), sealedKeys],
  );
  const endpoints = (await client.query(`SELECT id, headers FROM endpoint${onlyClear ? " WHERE jsonb_typeof(headers) <> 'string'" : ''}`)).rows;
  await client.query('UPDATE endpoint e SET headers = n.sealed FROM unnest($1::text[], $2::jsonb[]) AS n(id, sealed) WHERE e.id = n.id', [
    endpoints.map((e) => e.id), endpoints.map((e) => sealHeaders(e.id, headersOf(e, from), to)),
  ]);
  let values = 0;
  for (const { table, key, column, context } of SEALED_TEXT_COLUMNS) {
    const { rows } = await client.query(
      `SELECT ${key} AS id, ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL${onlyClear ? ` AND ${column} NOT LIKE 'enc:%'` : ''}`,
    );
    await client.query(`UPDATE ${table} t SET ${column} = n.sealed FROM unnest($1::text[], $2::text[]) AS n(id, sealed) WHERE t.${key} = n.id`, [
      rows.map((r) => r.id), rows.map((r) => to.seal(from.open(r.sealed, context(r.id)), context(r.id))),
    ]);
    values += rows.length;
  }
  return keys.length + endpoints.length + values;
}

/**
 * At open: the key must be the one the database's secrets are encrypted with (the first keyed open records its check
 * value), and any value still in clear (stored before encryption, or by an older version) is sealed now. Processes
 * opening the schema at once take turns on an advisory lock, so its first key is recorded once.
 */
export async function prepareSecrets(client: pg.ClientBase, secrets: SecretCodec): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('herald-secrets'), hashtext(current_schema()))");
    const { rows } = await client.query('SELECT value FROM setting WHERE key = $1 FOR UPDATE', [KEY_CHECK_SETTING]);
    const stored: string | undefined = rows[0]?.value;
    secrets.adopt(stored);
    if (secrets.check !== undefined) {
      if (stored === undefined) await client.query(UPSERT_SETTING, [KEY_CHECK_SETTING, secrets.check]);
      await reseal(client, secrets, secrets, true);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
