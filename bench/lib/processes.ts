import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ADMIN_TOKEN, spawnHerald, tempDir } from '../../packages/server/test/helpers/herald.ts';
import { PG_TEST_URL, dropSchema, uniqueSchema } from '../../packages/server/test/helpers/pg.ts';
import { onCleanup } from './cleanup.ts';
import { RssSampler } from './rss.ts';
import { ROOT } from './util.ts';

export interface ServerProcess {
  url: string;
  pid: number;
  rss: RssSampler;
  /** Everything it printed so far. */
  output(): string;
  /** Kills it (SIGKILL) and removes its data: temp dir, PostgreSQL schema. Safe to call twice. */
  stop(): Promise<void>;
}

export type Database = 'sqlite' | 'postgres';

/** Settings given with --herald-env, for every Herald the bench starts (to compare a setting's effect). */
const heraldEnv: Record<string, string> = {};
export function setHeraldEnv(env: Record<string, string>): void {
  Object.assign(heraldEnv, env);
}

/** What every Herald the bench starts is given, before the database and --herald-env settings. */
function baseEnv(dataDir: string): Record<string, string> {
  return {
    HERALD_ADMIN_TOKEN: ADMIN_TOKEN,
    HERALD_ALLOW_PRIVATE_TARGETS: 'true',
    HERALD_LOG_LEVEL: 'info',
    HERALD_PORT: '0',
    HERALD_DATA_DIR: dataDir,
    // Herald's default, which the test helper that starts it turns off.
    HERALD_WARM_UP: 'true',
  };
}

/**
 * A fresh `herald serve` (role all) as a child process on a free loopback port: SQLite in a new temp data dir, or
 * PostgreSQL in a new schema. Herald's defaults otherwise (SQLite synchronous=normal: a 202 is committed).
 */
export async function startHerald(db: Database = 'sqlite', env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = tempDir('herald-bench-');
  const schema = db === 'postgres' ? uniqueSchema('herald_bench') : null;
  let kill: (() => Promise<void>) | null = null;
  const stop = onCleanup(`herald (${db})`, async () => {
    await kill?.();
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  });
  try {
    const herald = await spawnHerald([], {
      ...baseEnv(dataDir),
      ...(schema ? { HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema } : {}),
      ...heraldEnv,
      ...env,
    });
    const pid = herald.child.pid!;
    const rss = new RssSampler(pid);
    kill = async () => {
      rss.stop();
      if (herald.child.exitCode === null && herald.child.signalCode === null) herald.child.kill('SIGKILL');
      await herald.exited;
    };
    return { url: herald.url, pid, rss, output: herald.output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Herald scaled out: one `herald serve --role api` and `workers` processes of `--role worker`, sharing a new
 * PostgreSQL schema (the API process migrates it before the workers start). The url is the API's and rss samples
 * the API process; stop() kills every process and drops the schema.
 */
export async function startHeraldScaledOut(workers: number): Promise<ServerProcess> {
  const dataDir = tempDir('herald-bench-');
  const schema = uniqueSchema('herald_bench');
  const env = { ...baseEnv(dataDir), HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, ...heraldEnv };
  const started: Awaited<ReturnType<typeof spawnHerald>>[] = [];
  let rss: RssSampler | null = null;
  const stop = onCleanup('herald (api + workers)', async () => {
    rss?.stop();
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    rmSync(dataDir, { recursive: true, force: true });
    await dropSchema(schema);
  });
  try {
    const apiProcess = await spawnHerald(['--role', 'api'], env);
    started.push(apiProcess);
    const spawned = await Promise.allSettled(Array.from({ length: workers }, () => spawnHerald(['--role', 'worker'], env)));
    for (const s of spawned) if (s.status === 'fulfilled') started.push(s.value);
    const failed = spawned.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const pid = apiProcess.child.pid!;
    rss = new RssSampler(pid);
    return { url: apiProcess.url, pid, rss, output: () => started.map((p) => p.output()).join('\n'), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A relay of the bench (the ceiling relay, a peer) as a child process: `script` under bench/, given `args`, prints
 * {"listening": port} once it listens on loopback. Like Herald, a separate process competing for the same cores.
 */
async function startRelayScript(what: string, script: string, args: string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let rss: RssSampler | null = null;
  const stop = onCleanup(what, async () => {
    rss?.stop();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 30_000);
      child.stdout.on('data', () => {
        const line = out.split('\n').find((l) => l.startsWith('{"listening"'));
        if (!line) return;
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${(JSON.parse(line) as { listening: number }).listening}`);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${what} exited before listening:\n${out}`));
      });
    });
    rss = new RssSampler(child.pid!);
    return { url, pid: child.pid!, rss, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The ceiling relay (bench/relay.ts), forwarding to `target`. */
export function startRelay(target: string): Promise<ServerProcess> {
  return startRelayScript('relay', 'relay.ts', [target]);
}

/** A peer relay (bench/peers/<script>) posting to `target`; `args` follow the target. */
export function startPeer(what: string, script: string, target: string, args: string[]): Promise<ServerProcess> {
  return startRelayScript(what, `peers/${script}`, [target, ...args]);
}
