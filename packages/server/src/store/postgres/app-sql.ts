import type pg from 'pg';
import type { App } from '../types.ts';

/**
 * Writes of an application that other concerns make too: a source is created with its application in one
 * transaction and deleted with it (inbound.ts). On the pool, or on a transaction's client.
 */

export async function insertApp(db: pg.Pool | pg.ClientBase, app: App): Promise<void> {
  await db.query(
    'INSERT INTO app (id, uid, name, metadata, throttle_rate, created_at, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)',
    [app.id, app.uid, app.name, JSON.stringify(app.metadata), app.throttleRate, app.createdAt, app.updatedAt],
  );
}

/** The application with everything it holds (its endpoints, messages and sources go by foreign key). */
export async function deleteApp(db: pg.Pool | pg.ClientBase, id: string): Promise<void> {
  // Attempts are an append-only log without foreign keys; they go with their app explicitly.
  await db.query('WITH attempts AS (DELETE FROM attempt WHERE app_id = $1) DELETE FROM app WHERE id = $1', [id]);
}
