import type { Database } from 'better-sqlite3';
import { listMigrations, migrationsBeside, readMigration } from '../common/migrations.ts';

const MIGRATIONS_DIR = migrationsBeside(import.meta.url);

/**
 * Applies numbered migrations (NNN_name.sql) not yet recorded, each in its own transaction.
 * BEGIN IMMEDIATE takes the write lock first, so two processes starting at once apply each migration once.
 */
export function migrate(db: Database): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied: number[] = [];
  for (const file of listMigrations(MIGRATIONS_DIR)) {
    const apply = db.transaction(() => {
      const done = db.prepare('SELECT 1 FROM schema_migration WHERE version = ?').get(file.version);
      if (done) return false;
      db.exec(readMigration(file));
      db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)').run(file.version, file.name, Date.now());
      return true;
    });
    if (apply.immediate()) applied.push(file.version);
  }
  return applied;
}
