import { Command, CommanderError } from 'commander';
import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '../config/config.ts';
// The server's modules load only for the commands that run one: every other command starts fast.
import type { RunningHerald } from '../main.ts';
import { limitHeapGrowth } from '../heap.ts';
import { DataDirLockedError } from '../store/sqlite/lock.ts';
import { DatabaseUnreachableError } from '../store/postgres/unreachable.ts';
import { ApiError, UnreachableError, UsageError } from './client.ts';
import { progressBar } from './output.ts';
import { DEFAULT_TOLERANCE_SECONDS, diagnose } from './verify.ts';
import { registerLoginCommands } from './login.ts';
import { registerManagementCommands } from './manage/index.ts';
import { registerSendCommand } from './send.ts';
import { registerEncryptionCommands } from './encryption.ts';
import { registerListenCommand } from './listen.ts';
import { registerPollCommand } from './poll.ts';
import { registerTailCommand } from './tail.ts';
import { registerBackupCommand } from './backup.ts';
import { VERSION } from '../version.ts';

interface ServeOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  role?: string;
  config?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage. */
const EXIT_USAGE = 2;

// A reader that stops early (`herald endpoint list | head -1`) closes the pipe: the rest of the output has nowhere to
// go, and that is no failure. Exit quietly, as ls does, keeping any exit code the command already chose.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

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
  .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate chain (HERALD_TLS_CERT); needs --tls-key')
  .option('--tls-key <file>', 'the PEM private key of --tls-cert (HERALD_TLS_KEY)')
  .action(async (opts: ServeOptions) => {
    const config = loadConfig({
      flags: { port: opts.port, host: opts.host, dataDir: opts.dataDir, databaseUrl: opts.databaseUrl, role: opts.role, tlsCert: opts.tlsCert, tlsKey: opts.tlsKey },
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
    const { createLogger, startHerald } = await import('../main.ts');
    limitHeapGrowth(config.heapGrowingPercent);
    herald = await startHerald(config, await createLogger(config.logLevel), { warmUp: config.warmUp });
    if (herald.generatedAdminToken) {
      process.stdout.write(
        `\nHerald generated an admin token. It is shown only this once and stored only as a hash:\n\n` +
          `    ${herald.generatedAdminToken}\n\n` +
          `Use it as "Authorization: Bearer <token>". Set HERALD_ADMIN_TOKEN to choose your own.\n\n`,
      );
    }
    if (herald.server && config.role !== 'worker') process.stdout.write(`Dashboard: ${herald.url}/ui/ (sign in with an API token)\n`);
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
    const { openStore } = await import('../main.ts');
    const { store, release } = await openStore(config, { sending: true, createKey: false });
    await store.close();
    release();
    const applied = store.migrationsApplied.length;
    process.stdout.write(applied === 0 ? `herald: ${store.dialect} schema is up to date (no migrations to apply)\n`
      : `herald: applied ${applied} ${applied === 1 ? 'migration' : 'migrations'} to the ${store.dialect} schema; it is up to date\n`);
  });

program
  .command('prune')
  .description('delete delivered messages (with their deliveries and attempts) older than a given age, and expired payloads')
  .requiredOption('--older-than <age>', 'age such as 90d, 12h or 30m')
  .option('--data-dir <dir>', 'where the SQLite database lives (HERALD_DATA_DIR, default ./.herald)')
  .option('--database-url <url>', 'prune PostgreSQL instead of SQLite (HERALD_DATABASE_URL)')
  .option('--config <file>', 'JSON config file (HERALD_CONFIG)')
  .action(async (opts: ServeOptions & { olderThan: string }) => {
    const retentionMs = parseAge(opts.olderThan);
    const config = loadConfig({ flags: { dataDir: opts.dataDir, databaseUrl: opts.databaseUrl }, env: process.env, configFile: opts.config });
    const { openStore } = await import('../main.ts');
    const { pruneOnce } = await import('../delivery/pruner.ts');
    const { store, release } = await openStore(config, { sending: false, createKey: false });
    try {
      const now = Date.now();
      const candidates = await store.history.countMessagesBefore(now - retentionMs);
      const bar = progressBar('pruning [{bar}] {value}/{total} messages');
      bar.start(candidates, 0);
      const result = await pruneOnce(store, { retentionMs }, now, (n) => bar.increment(n));
      bar.stop();
      const kept = candidates - result.deletedMessages;
      process.stdout.write(
        `herald: deleted ${result.deletedMessages} messages older than ${opts.olderThan}` +
          (kept > 0 ? ` (${kept} kept: still being delivered)` : '') +
          `; removed ${result.expiredPayloads} expired payloads\n`,
      );
    } finally {
      await store.close();
      release();
    }
  });

program
  .command('verify')
  .description('check a received webhook\'s signature, and if it fails, say why (exit 0 valid, 1 invalid, 2 malformed input)')
  .requiredOption('--secret <key>', "the endpoint's signing secret (whsec_...), or for an ed25519 endpoint its public key (whpk_...)")
  .requiredOption('--id <webhook-id>', 'the webhook-id header')
  .requiredOption('--timestamp <webhook-timestamp>', 'the webhook-timestamp header')
  .requiredOption('--signature <webhook-signature>', 'the webhook-signature header')
  .option('--body-file <file>', 'the raw body as received (default: standard input)')
  .option('--tolerance <seconds>', 'allowed clock difference', String(DEFAULT_TOLERANCE_SECONDS))
  .action(async (opts: { secret: string; id: string; timestamp: string; signature: string; bodyFile?: string; tolerance: string }) => {
    const tolerance = Number(opts.tolerance);
    if (!Number.isInteger(tolerance) || tolerance < 0) throw new ConfigError(`--tolerance must be whole seconds (got "${opts.tolerance}")`);
    const body = opts.bodyFile ? await readFile(opts.bodyFile) : await readStdin();
    const verdict = diagnose({ ...opts, body, toleranceSeconds: tolerance, nowSeconds: Math.floor(Date.now() / 1000) });
    process.stdout.write(`${verdict.valid ? 'valid' : 'invalid'}\n${verdict.reasons.map((r) => `  ${r}`).join('\n')}\n`);
    const malformed = verdict.reasons.some((r) => r.startsWith('malformed'));
    process.exitCode = verdict.valid ? 0 : malformed ? EXIT_USAGE : 1;
  });

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** "90d", "12h", "30m" to milliseconds; anything else is a usage error. */
function parseAge(age: string): number {
  const match = /^(\d+)([dhm])$/.exec(age.trim());
  if (!match) throw new ConfigError(`--older-than must look like 90d, 12h or 30m (got "${age}")`);
  return Number(match[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
}

registerLoginCommands(program);
registerManagementCommands(program);
registerSendCommand(program);
registerTailCommand(program);
registerListenCommand(program);
registerPollCommand(program);
registerEncryptionCommands(program);
registerBackupCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (err instanceof ApiError || err instanceof UnreachableError || err instanceof UsageError) {
    process.stderr.write(`herald: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`herald: invalid configuration: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
  const e = err as NodeJS.ErrnoException;
  if (err instanceof DataDirLockedError || err instanceof DatabaseUnreachableError) {
    process.stderr.write(`herald: ${err.message}\n`);
    process.exit(1);
  }
  // The address is the configuration's to fix, so these are usage errors (exit 2) like any bad setting.
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
    const { address, port } = e as NodeJS.ErrnoException & { address?: string; port?: number };
    const where = address !== undefined && port !== undefined ? `${address.includes(':') ? `[${address}]` : address}:${port}` : 'the configured address';
    const why = e.code === 'EADDRINUSE' ? 'the port is already in use (another Herald, or another program)' : 'permission denied (ports below 1024 need privileges)';
    process.stderr.write(`herald: cannot listen on ${where}: ${why}; choose another with --port or HERALD_PORT (and --host or HERALD_HOST)\n`);
    process.exit(EXIT_USAGE);
  }
  throw err;
}
