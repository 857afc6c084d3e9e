import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { chmodSync, existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/config.ts';
import { UsageError } from './client.ts';

/** The most pages better-sqlite3 lets one backup step copy: in effect, all of them. */
const ALL_PAGES = 0x7fffffff;

interface BackupOptions {
  to: string;
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
}

/**
 * `herald backup --to FILE`: a consistent copy of the SQLite database taken while the server keeps running, through
 * SQLite's online backup API. A plain file copy of a database in WAL mode can catch a write half done, and the
 * sqlite3 shell (whose `.backup` does the same) is not on every machine, nor in the container image.
 */
export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite database to a file while Herald runs (for PostgreSQL use pg_dump)')
    .requiredOption('--to <file>', 'the copy to write; it must not exist yet')
    .option('--data-dir <dir>', 'where the SQLite database lives (HERALD_DATA_DIR, default ./.herald)')
    .option('--database-url <url>', 'refused: PostgreSQL is backed up with its own tools (HERALD_DATABASE_URL)')
    .option('--config <file>', 'JSON config file (HERALD_CONFIG)')
    .action(async (opts: BackupOptions) => {
      const config = loadConfig({ flags: { dataDir: opts.dataDir, databaseUrl: opts.databaseUrl }, env: process.env, configFile: opts.config });
      if (config.databaseUrl) {
        throw new UsageError('herald backup copies the embedded SQLite database; back up PostgreSQL with pg_dump (docs/deploy.md#backups)');
      }
      const source = path.join(config.dataDir, 'herald.db');
      if (!existsSync(source)) throw new UsageError(`no Herald database at ${source} (set --data-dir or HERALD_DATA_DIR)`);
      const target = path.resolve(opts.to);
      if (existsSync(target)) throw new UsageError(`${target} already exists; give a new file (a backup never overwrites)`);
      if (!existsSync(path.dirname(target))) throw new UsageError(`the folder ${path.dirname(target)} does not exist`);

      const started = Date.now();
      // Read-only: the server keeps writing meanwhile, and whatever it committed before the copy began is in it.
      const db = new Database(source, { readonly: true, fileMustExist: true });
      try {
        // After the first (empty) step, every page in one step, under one read transaction: a consistent snapshot. In
        // smaller steps, each commit the server makes in between restarts the copy, which under steady traffic may
        // never finish.
        await db.backup(target, { progress: () => ALL_PAGES });
      } catch (err) {
        rmSync(target, { force: true });
        throw err;
      } finally {
        db.close();
      }
      // The copy holds everything the database does (the secrets sealed, the rest in the clear): owner only.
      chmodSync(target, 0o600);
      const mb = (statSync(target).size / 1_048_576).toFixed(1);
      const key = config.encryptionKey ? 'HERALD_ENCRYPTION_KEY' : path.join(config.dataDir, 'encryption.key');
      process.stdout.write(
        `herald: backed up ${source} to ${target} (${mb} MB) in ${Date.now() - started} ms\n` +
          `Its secrets are sealed with the encryption key (${key}), which is not in the copy: a restore needs it too.\n`,
      );
    });
}
