import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import { UNENCRYPTED } from '../../security/secret-box.ts';
import type { SqliteConnection, SqliteOptions } from './connection.ts';
import { migrate } from './migrate.ts';
import { prepareSecrets } from './secrets.ts';
import { WriteQueue } from './write-queue.ts';

function statementCache(db: DB): (sql: string) => Statement {
  const statements = new Map<string, Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

/**
 * Opens (creating if needed) the database in WAL mode, applies pending migrations, and checks and seals its secrets
 * (see secrets.ts). The handle is closed again if any of it fails.
 */
export function openConnection(options: SqliteOptions): SqliteConnection {
  const db = new Database(options.file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const migrationsApplied = migrate(db);
    const connection: SqliteConnection = {
      db,
      writes: new WriteQueue(db),
      secrets: options.secrets ?? UNENCRYPTED,
      migrationsApplied,
      stmt: statementCache(db),
    };
    prepareSecrets(connection);
    return connection;
  } catch (err) {
    db.close();
    throw err;
  }
}

export async function closeConnection(c: SqliteConnection): Promise<void> {
  // Let queued writes commit before the handle goes away.
  await c.writes.run(() => undefined);
  c.db.close();
}
