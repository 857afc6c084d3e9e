import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One numbered migration file of a dialect: NNN_name.sql, applied in order of NNN. */
export interface MigrationFile {
  version: number;
  /** The file name, as recorded in schema_migration. */
  name: string;
  path: string;
}

/** The `migrations` directory next to a dialect's module (pass its import.meta.url). */
export const migrationsBeside = (moduleUrl: string): string => path.join(path.dirname(fileURLToPath(moduleUrl)), 'migrations');

/** The migration files in `dir`, oldest first; other files are ignored. */
export function listMigrations(dir: string): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((name) => ({ version: Number(name.slice(0, 3)), name, path: path.join(dir, name) }));
}

export const readMigration = (file: MigrationFile): string => readFileSync(file.path, 'utf8');
