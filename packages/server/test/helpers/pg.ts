import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the tests use: HERALD_TEST_DATABASE_URL, or the CI machine's. */
/** The master key every process of a PostgreSQL test shares, as production processes must (HERALD_ENCRYPTION_KEY). */
export const PG_TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
export const PG_TEST_URL = process.env['HERALD_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Connects once with a short timeout: undefined when PostgreSQL answers, else why not. */
export async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 2_000 });
  // A server that dies mid-probe must not crash the test process through an unhandled 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL is not reachable at ${PG_TEST_URL} (${(err as Error).message}); HERALD_TEST_DATABASE_URL sets where to look`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The reason to skip PostgreSQL tests, or false when it answers. Not reaching it skips loudly, except under CI=true,
 * where it throws: CI has a PostgreSQL, so not reaching it is a broken run, not a reason to skip.
 */
export async function postgresUnavailable(): Promise<string | false> {
  const reason = await probePostgres();
  if (reason === undefined) return false;
  if (process.env['CI'] === 'true') throw new Error(`${reason}; CI=true requires it`);
  process.stderr.write(`\n!!! ${reason}: SKIPPING the PostgreSQL tests.\n\n`);
  return reason;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A whole Herald on one store: the environment that picks it (a fresh schema on PostgreSQL), and its cleanup. */
export interface HeraldBackend {
  name: 'sqlite' | 'postgres';
  skip: string | false;
  env: () => Record<string, string>;
  cleanup: (env: Record<string, string>) => Promise<void>;
}

/** SQLite and PostgreSQL (skipped when it does not answer, as postgresUnavailable says), each schema named `prefix_…`. */
export async function heraldBackends(schemaPrefix: string): Promise<HeraldBackend[]> {
  return [
    { name: 'sqlite', skip: false, env: () => ({}), cleanup: async () => {} },
    {
      name: 'postgres',
      skip: await postgresUnavailable(),
      env: () => ({ HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: uniqueSchema(schemaPrefix), HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY }),
      cleanup: (env) => dropSchema(env['HERALD_DATABASE_SCHEMA']!),
    },
  ];
}
