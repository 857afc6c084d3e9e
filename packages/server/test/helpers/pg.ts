import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the tests use: HERALD_TEST_DATABASE_URL, or the CI machine's. */
export const PG_TEST_URL = process.env['HERALD_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/**
 * Whether PostgreSQL answers. When it does not, tests skip loudly, except under CI=true, where they must fail:
 * CI has a PostgreSQL, so not reaching it is a broken run, not a reason to skip.
 */
export async function postgresUnavailable(): Promise<string | false> {
  const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return false;
  } catch (err) {
    const reason = `PostgreSQL is not reachable at ${PG_TEST_URL} (${(err as Error).message})`;
    if (process.env['CI'] === 'true') throw new Error(`${reason}; CI=true requires it`);
    process.stderr.write(`\n!!! ${reason}: skipping the PostgreSQL tests. Set HERALD_TEST_DATABASE_URL to run them.\n\n`);
    return reason;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
