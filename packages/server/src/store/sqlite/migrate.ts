import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Applies numbered migrations (NNN_name.sql) not yet recorded, each in its own transaction.
 * BEGIN IMMEDIATE takes the write lock first, so two processes starting at once apply each migration once.
 */
export function migrate(db: Database): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  const applied: number[] = [];
  for (const file of files) {
    const version = Number(file.slice(0, 3));
    const apply = db.transaction(() => {
      const done = db.prepare('SELECT 1 FROM schema_migration WHERE version = ?').get(version);
      if (done) return false;
      db.exec(readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8'));
      db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)').run(version, file, Date.now());
      return true;
    });
    if (apply.immediate()) applied.push(version);
  }
  return applied;
}
