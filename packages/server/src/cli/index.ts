import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/config.ts';
import { openStore, startHerald, type RunningHerald } from '../main.ts';
import { DataDirLockedError } from '../store/sqlite/lock.ts';
import { VERSION } from '../version.ts';

interface ServeOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  role?: string;
  config?: string;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage. */
const EXIT_USAGE = 2;

const program = new Command('herald')
  .description('Herald: a self-hosted webhook gateway')
  .version(VERSION)
  .exitOverride()
  .showHelpAfterError();

program
  .command('serve')
  .description('run the Herald server (API and delivery worker)')
  .option('--port <port>', 'port to listen on (HERALD_PORT, default 8800)')
  .option('--host <host>', 'address to bind (HERALD_HOST, default 127.0.0.1)')
  .option('--data-dir <dir>', 'where the SQLite database lives (HERALD_DATA_DIR, default ./.herald)')
  .option('--database-url <url>', 'use PostgreSQL instead of SQLite (HERALD_DATABASE_URL)')
  .option('--role <role>', 'api, worker or all (HERALD_ROLE, default all); api and worker need PostgreSQL')
  .option('--config <file>', 'JSON config file (HERALD_CONFIG); flags and env override it')
  .action(async (opts: ServeOptions) => {
    const config = loadConfig({
      flags: { port: opts.port, host: opts.host, dataDir: opts.dataDir, databaseUrl: opts.databaseUrl, role: opts.role },
      env: process.env,
      configFile: opts.config,
    });
    // Signals are caught from the start: one that arrives while Herald is still starting stops it once it is up.
    let herald: RunningHerald | undefined;
    let stopSignal: string | undefined;
    const shutdown = (signal: string) => {
      stopSignal = signal;
      if (!herald) return;
      herald.log.info({ signal }, 'shutting down');
      herald.stop().then(
        () => process.exit(0),
        (err) => {
          herald?.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    herald = await startHerald(config);
    if (herald.generatedAdminToken) {
      process.stdout.write(
        `\nHerald generated an admin token. It is shown only this once and stored only as a hash:\n\n` +
          `    ${herald.generatedAdminToken}\n\n` +
          `Use it as "Authorization: Bearer <token>". Set HERALD_ADMIN_TOKEN to choose your own.\n\n`,
      );
    }
    if (stopSignal) shutdown(stopSignal);
  });

program
  .command('migrate')
  .description('apply database migrations and exit (serve also applies them on start)')
  .option('--data-dir <dir>', 'where the SQLite database lives (HERALD_DATA_DIR, default ./.herald)')
  .option('--database-url <url>', 'migrate PostgreSQL instead of SQLite (HERALD_DATABASE_URL)')
  .option('--config <file>', 'JSON config file (HERALD_CONFIG)')
  .action(async (opts: ServeOptions) => {
    const config = loadConfig({ flags: { dataDir: opts.dataDir, databaseUrl: opts.databaseUrl }, env: process.env, configFile: opts.config });
    // Opening a store applies its pending migrations under the dialect's own guard.
    const { store, release } = await openStore(config);
    await store.close();
    release();
    process.stdout.write(`herald: ${store.dialect} schema is up to date\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`herald: invalid configuration: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
  const e = err as NodeJS.ErrnoException;
  if (err instanceof DataDirLockedError) {
    process.stderr.write(`herald: ${err.message}\n`);
    process.exit(1);
  }
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
    process.stderr.write(`herald: cannot listen: ${e.message}\n`);
    process.exit(1);
  }
  throw err;
}
