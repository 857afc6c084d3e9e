import { createHash } from 'node:crypto';
import pg from 'pg';

/** PostgreSQL truncates longer identifiers, and pg_notify refuses longer channel names. */
const MAX_IDENTIFIER = 63;

/** Herald's schema names are plain lower-case identifiers: safe in SQL, startup options and channel names alike. */
export function checkSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`PostgreSQL schema must be a lower-case identifier of at most 63 letters, digits and _ (got ${JSON.stringify(schema)})`);
  }
  return schema;
}

/**
 * The NOTIFY channel of one schema. LISTEN is database-wide, so the schema is part of the name; a name that would
 * be too long keeps a prefix of the schema and a hash of all of it.
 */
export function channelOf(schema: string): string {
  const name = `herald_events_${schema}`;
  if (name.length <= MAX_IDENTIFIER) return name;
  const hash = createHash('sha256').update(schema).digest('hex').slice(0, 12);
  return `${name.slice(0, MAX_IDENTIFIER - hash.length - 1)}_${hash}`;
}

/** An advisory lock key of its own for each schema, so migrations of different schemas never wait on each other. */
export function migrationLockKey(schema: string): string {
  return createHash('sha256').update(`herald-migrate:${schema}`).digest().readBigInt64BE(0).toString();
}

/** int8 (bigint columns, count(*)) as JS numbers on this store's connections only; every other type as pg parses it. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Connection settings for the store's pool: the schema goes on the search_path as a startup option, so every pooled
 * connection starts in it without an extra round trip. Options already in the URL are kept (the URL's would
 * otherwise replace ours).
 */
export function poolConfig(url: string, schema: string, poolSize: number): pg.PoolConfig {
  const parsed = new URL(url);
  const given = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  return {
    connectionString: given === null ? url : parsed.toString(),
    options: [given, `-c search_path=${schema}`].filter(Boolean).join(' '),
    types,
    max: poolSize,
  };
}
