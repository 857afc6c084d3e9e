import pg from 'pg';
import { listMigrations, migrationsBeside, readMigration } from '../common/migrations.ts';
import { checkSchema, migrationLockKey } from './connection.ts';

const MIGRATIONS_DIR = migrationsBeside(import.meta.url);

/**
 * Creates the schema if missing and applies the numbered migrations (NNN_name.sql) not yet recorded, all in one
 * transaction. Processes starting at once queue on an advisory lock of this schema, so the schema, the migration
 * table and every migration are created exactly once, and a failed migration leaves nothing behind.
 */
export async function migrate(client: pg.ClientBase, schema: string): Promise<number[]> {
  const files = listMigrations(MIGRATIONS_DIR);
  const quoted = pg.escapeIdentifier(checkSchema(schema));
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [migrationLockKey(schema)]);
    // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even when the schema
    // exists, and an operator may have created it for a role without that privilege.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migration')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const file of files) {
      if (done.has(file.version)) continue;
      await client.query(readMigration(file));
      await client.query('INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)', [file.version, file.name, Date.now()]);
      applied.push(file.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    // If the connection itself failed, ROLLBACK fails too; the first error is the one that explains.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Applies pending migrations to a schema over a connection of its own (for `herald migrate`); returns their versions. */
export async function migratePostgres(url: string, schema: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await migrate(client, schema);
  } finally {
    await client.end();
  }
}
