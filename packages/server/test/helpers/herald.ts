import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startHerald, type RunningHerald } from '../../src/main.ts';
import { until } from './wait.ts';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/herald.js');
export const ADMIN_TOKEN = 'test_admin_token_0123456789abcdef';

export function tempDir(prefix = 'herald-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Herald in this process, on a free port, with its own data directory. */
export async function startTestHerald(env: Record<string, string> = {}): Promise<RunningHerald & { token: string; cleanup(): Promise<void> }> {
  const dataDir = env['HERALD_DATA_DIR'] ?? tempDir();
  const config = loadConfig({
    env: { HERALD_PORT: '0', HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_LOG_LEVEL: 'silent', ...env },
  });
  const herald = await startHerald(config, pino({ level: config.logLevel }));
  return {
    ...herald,
    token: ADMIN_TOKEN,
    async cleanup() {
      await herald.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface HeraldProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Children still running when a test file ends are killed, so a failed assertion never leaves a server behind. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** `herald serve` as a real child process; resolves once it listens. */
export async function spawnHerald(args: string[], env: Record<string, string>, timeoutMs = 20_000, nodeArgs: string[] = []): Promise<HeraldProcess> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', ...args], {
    // No start-up warm-up unless a test asks for it: it adds seconds to each of the suite's many starts.
    env: { PATH: process.env['PATH'] ?? '', HERALD_LOG_LEVEL: 'info', HERALD_WARM_UP: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    // A start that timed out is killed: left running, its pipes would keep the test file from ever ending.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`herald (pid ${child.pid}) did not start within ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    // Detached once found: re-reading the whole output on every chunk would grow with the log (quadratic in benches).
    const check = () => {
      for (const line of out.split('\n')) {
        if (!line.includes('"Herald started"')) continue;
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve((JSON.parse(line) as { url?: string }).url ?? '');
        return;
      }
    };
    child.stdout!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`herald exited with ${code} before listening:\n${out}`));
    });
  });
  return { child, url, output: () => out, exited };
}

/** Runs the CLI to completion and returns its exit code and output; `input`, when given, is its standard input. */
export function runCli(
  args: string[], env: Record<string, string> = {}, timeoutMs = 20_000, input?: string,
): Promise<{ code: number | null; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const stdin = input === undefined ? 'ignore' : 'pipe';
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: [stdin, 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin!.end(input);
    let output = '';
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`herald ${args.join(' ')} did not finish:\n${output}`));
    }, timeoutMs);
    // 'close', not 'exit': by then every byte of its output has been read.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout });
    });
  });
}

/** A small JSON client for tests that need raw HTTP (status codes, headers, malformed bodies). */
export async function api(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: the test will look at text */
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * Points a stored endpoint at `url` behind the API's back: an endpoint saved before the API refused private literal
 * targets, so a test can reach the guard that refuses them at delivery.
 */
export async function storeEndpointUrl(herald: RunningHerald, appId: string, endpointId: string, url: string): Promise<void> {
  const endpoint = await herald.store.catalog.getEndpoint(appId, endpointId);
  if (!endpoint) throw new Error(`no endpoint ${endpointId} in ${appId}`);
  await herald.store.catalog.updateEndpoint({ ...endpoint, url });
}

/** Sends raw bytes and resolves with everything the server answered until it closed the connection. */
export function rawExchange(url: string, send: (socket: ReturnType<typeof connect>) => void): Promise<{ answer: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname, () => send(socket));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, closedAfterMs: Date.now() - started }));
  });
}

/**
 * Resolves once Herald (running in this process) has nothing more to send, for one application or for all: every
 * delivery is final (none is due, waiting for a retry, parked or in flight) and every outcome is recorded. From then
 * on nothing more is sent unless something new is asked, so "exactly once" and "never" can be asserted at once.
 */
export async function deliveriesSettled(herald: RunningHerald, appId?: string, timeoutMs = 10_000): Promise<void> {
  await until(`every delivery${appId === undefined ? '' : ` of ${appId}`} to be final`, async () => {
    if (appId === undefined) return (await herald.store.queue.countQueuedDeliveries()) === 0;
    for (const endpoint of await herald.store.catalog.listAllEndpoints(appId)) {
      const stats = await herald.store.stats.endpointStats(endpoint.id, null, null);
      if (stats.pending + stats.sending > 0) return false;
    }
    return true;
  }, timeoutMs);
  await herald.engine?.idle();
}

/** The same for a Herald in another process, through its API: nothing of the endpoint is pending or in flight. */
export async function endpointSettledOverApi(url: string, appId: string, endpointId: string, timeoutMs = 10_000): Promise<void> {
  await until(`every delivery to ${endpointId} to be final`, async () => {
    const stats = (await api(url, 'GET', `/api/v1/app/${appId}/endpoint/${endpointId}/stats`)).json;
    return stats !== undefined && stats.pending === 0 && stats.sending === 0;
  }, timeoutMs);
}
