import type { IdempotentResponse } from '../types.ts';
import type { SqliteConnection } from './connection.ts';

/** Idempotency records: the response a request with a given key got, replayed until it expires. */

type Sql = Pick<SqliteConnection, 'stmt'>;

/** Read now: also inside createMessage's write, so a record stored meanwhile is seen. */
export function readIdempotentResponse(c: Sql, scope: string, key: string, now: number): IdempotentResponse | undefined {
  const row = c.stmt('SELECT status_code, body FROM idempotency WHERE scope = ? AND key = ? AND expires_at > ?')
    .get(scope, key, now) as { status_code: number; body: string } | undefined;
  return row ? { statusCode: row.status_code, body: row.body } : undefined;
}

/** Inside a write: also in createMessage's transaction, with the message it answers for. */
export function writeIdempotentResponse(c: Sql, scope: string, key: string, response: IdempotentResponse, expiresAt: number): void {
  c.stmt(
    `INSERT INTO idempotency (scope, key, status_code, body, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (scope, key) DO UPDATE SET status_code = excluded.status_code, body = excluded.body, expires_at = excluded.expires_at`,
  ).run(scope, key, response.statusCode, response.body, expiresAt);
}
