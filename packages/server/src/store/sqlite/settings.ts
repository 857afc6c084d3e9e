import type { SettingsStore } from '../slices/settings.ts';
import type { SqliteConnection } from './connection.ts';

type Sql = Pick<SqliteConnection, 'stmt'>;

/** Reads a setting now (inside a write, or at open). */
export function readSetting(c: Sql, key: string): string | undefined {
  return (c.stmt('SELECT value FROM setting WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

/** Inside a write, or at open. */
export function writeSetting(c: Sql, key: string, value: string): void {
  c.stmt('INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function deleteSetting(c: Sql, key: string): void {
  c.stmt('DELETE FROM setting WHERE key = ?').run(key);
}

export function sqliteSettings(c: SqliteConnection): SettingsStore {
  return {
    async getSetting(key) {
      return readSetting(c, key);
    },
    setSetting(key, value) {
      return c.writes.run(() => writeSetting(c, key, value));
    },
  };
}
