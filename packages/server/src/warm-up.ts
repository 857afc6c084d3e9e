import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { Pool } from 'undici';
import type { HeraldConfig } from './config/config.ts';
import type { ThreadedHttpTransport } from './delivery/transports/threaded-http.ts';

/**
 * Start-up warming. A Herald that has just started runs its hot paths (HTTP parsing, routing, authentication and
 * validation, the publish transaction, lanes, signing, the outgoing request, the outcome's write) as cold code: the
 * JIT has not compiled them yet and each message costs a few times what it costs a minute later. At 500 msg/s that
 * is more than the core has, so the first second's messages queue up behind each other (a p99 of 250 ms where a warm
 * process has 15). So before the real Herald starts, a throwaway one (SQLite in a temporary directory, the same code)
 * in this process publishes messages over loopback HTTP to a local receiver until they are all delivered; then it
 * is stopped and deleted. The compiled code stays, and so do its delivery threads (they carry on in the real Herald,
 * under its own targets); nothing of it reaches the real store.
 */

/** A Herald as the warm-up needs it: where its API listens, and how to stop it. */
export interface WarmUpHerald {
  url: string;
  /** Started with handOverThreads: its stop leaves them running. */
  deliveryThreads: ThreadedHttpTransport | null;
  stop(): Promise<void>;
}

/** Messages published through the throwaway Herald, and how many at once (a closed loop, like a busy client). */
const MESSAGES = 500;
const IN_FLIGHT = 16;
/** A warm-up that takes longer than this is given up on: the real Herald starts anyway, only colder. */
const TIMEOUT_MS = 10_000;

/** The receiver's answers, counted until `expected` arrived. */
function startReceiver(expected: number) {
  let received = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200).end();
      if (++received >= expected) done();
    });
  });
  server.keepAliveTimeout = 10_000;
  return new Promise<{ url: string; all: Promise<void>; close(): void }>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/warm-up`,
      all,
      close: () => {
        server.closeAllConnections();
        server.close();
      },
    }));
  });
}

/** Calls the throwaway Herald's API; an answer other than `expect` fails the warm-up. */
async function call(pool: Pool, token: string, method: 'POST', path: string, body: unknown, expect: number): Promise<{ id?: string }> {
  const res = await pool.request({
    method, path, body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  const text = await res.body.text();
  if (res.statusCode !== expect) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as { id?: string };
}

async function publishAll(url: string, token: string, receiverUrl: string): Promise<void> {
  const pool = new Pool(url, { connections: IN_FLIGHT });
  try {
    const app = await call(pool, token, 'POST', '/api/v1/app', { name: 'warm-up' }, 201);
    await call(pool, token, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiverUrl }, 201);
    const pad = 'x'.repeat(1_000);
    let next = 0;
    const publisher = async () => {
      while (next < MESSAGES) {
        const i = next++;
        await call(pool, token, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: 'warm.up', payload: { i, at: Date.now(), pad } }, 202);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, publisher));
  } finally {
    await pool.close();
  }
}

/**
 * Runs the warm-up with `start` (startHerald, given so that this module does not import the composition root), on a
 * copy of `config` that keeps the code paths and drops everything that would leave the process: its own SQLite in a
 * temporary directory, loopback only, no TLS, no tracing, no proxy. A failure is logged and the start goes on.
 * Returns the warm-up's delivery threads, still running and warm, for the real Herald (null when it had none, or when
 * the warm-up failed: then they are closed).
 */
export async function warmUp(config: HeraldConfig, start: (config: HeraldConfig) => Promise<WarmUpHerald>, log: Logger): Promise<ThreadedHttpTransport | null> {
  const began = Date.now();
  let dataDir: string | undefined;
  const token = `warmup_${randomBytes(24).toString('base64url')}`;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let herald: WarmUpHerald | undefined;
  let timer: NodeJS.Timeout | undefined;
  let warmed = false;
  let stopped = false;
  try {
    dataDir = mkdtempSync(path.join(tmpdir(), 'herald-warm-up-'));
    receiver = await startReceiver(MESSAGES);
    herald = await start({
      ...config,
      role: 'all', dataDir, databaseUrl: undefined, host: '127.0.0.1', port: 0, adminToken: token, logLevel: 'silent',
      allowPrivateTargets: true, endpointHttpsOnly: false, egressProxy: undefined, tlsCert: undefined, tlsKey: undefined,
      otlpEndpoint: undefined, otlpTracesEndpoint: undefined, apiRateLimit: 0, encryptionKey: undefined,
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not done within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    });
    await Promise.race([publishAll(herald.url, token, receiver.url).then(() => receiver!.all), timeout]);
    warmed = true;
    log.info({ messages: MESSAGES, durationMs: Date.now() - began }, 'warmed up: the delivery path ran on a throwaway store');
  } catch (err) {
    log.warn({ err, durationMs: Date.now() - began }, 'start-up warm-up failed; starting without it (the first seconds run slower)');
  } finally {
    clearTimeout(timer);
    stopped = (await herald?.stop().then(() => true, (err: unknown) => {
      log.warn({ err }, 'could not stop the warm-up Herald');
      return false;
    })) ?? false;
    receiver?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  const threads = herald?.deliveryThreads ?? null;
  if (threads && warmed && stopped) return threads;
  await threads?.close();
  return null;
}
