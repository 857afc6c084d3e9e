import type pg from 'pg';
import type { SettingsStore } from '../slices/settings.ts';

/** Writes a setting, replacing its value (also the key check, see secrets.ts). */
export const UPSERT_SETTING = 'INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

/** Small named values Herald keeps for itself. */
export function postgresSettings(pool: pg.Pool): SettingsStore {
  return {
    async getSetting(key) {
      const { rows } = await pool.query('SELECT value FROM setting WHERE key = $1', [key]);
      return rows[0]?.value;
    },

    async setSetting(key, value) {
      await pool.query(UPSERT_SETTING, [key, value]);
    },
  };
}
