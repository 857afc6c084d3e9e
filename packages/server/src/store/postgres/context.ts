import type pg from 'pg';
import type { SecretCodec } from '../../security/secret-box.ts';
import type { UniqueViolationTest } from '../common/unique.ts';

/** A row as the store's connections return it (jsonb parsed, booleans as booleans, bigint as numbers). */
export type Row = Record<string, any>;

/**
 * What every slice of the PostgreSQL store shares: the pool (whose connections start on the schema's search_path,
 * see connection.ts) and the codec secrets are sealed with. The codec is replaced when the key is rotated
 * (keys.ts), so slices read it at each call rather than keep it.
 */
export interface PgContext {
  readonly pool: pg.Pool;
  secrets: SecretCodec;
}

/** Runs `work` in one transaction on a connection of its own, committed when it resolves and rolled back when it throws. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    // A connection whose ROLLBACK fails is broken: it leaves the pool instead of going back.
    const broken = await client.query('ROLLBACK').then(() => undefined, (rollbackErr: Error) => rollbackErr);
    client.release(broken);
    throw err;
  }
}

/** PostgreSQL's unique_violation (23505), for common/unique.ts's conflictOnUnique. */
export const isUniqueViolation: UniqueViolationTest = (err) => (err as { code?: unknown } | null)?.code === '23505';
