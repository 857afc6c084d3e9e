import { Agent, request } from 'undici';
import { ADMIN_TOKEN } from '../../packages/server/test/helpers/herald.ts';
import { onCleanup } from './cleanup.ts';
import { now } from './util.ts';

export const PAYLOAD_BYTES = 1024;
export const EVENT_TYPE = 'bench.event';

/**
 * A 1 KiB payload (exactly, as JSON) carrying its message index and its send time, which the receivers read back.
 * Herald delivers the payload as JSON.stringify made it: `i` and `t` first, then padding.
 */
export function benchPayload(index: number): { i: number; t: number; pad: string } {
  const p = { i: index, t: now(), pad: '' };
  p.pad = 'x'.repeat(Math.max(0, PAYLOAD_BYTES - JSON.stringify(p).length));
  return p;
}

/** Herald's Svix-compatible API over undici with a pool of keep-alive connections (never fetch on the hot path). */
export class HeraldClient {
  private readonly agent: Agent;
  private readonly headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  readonly close: () => Promise<void>;

  constructor(
    readonly baseUrl: string,
    connections = 64,
  ) {
    this.agent = new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 });
    this.close = onCleanup(`client of ${baseUrl}`, () => this.agent.close());
  }

  async post<T>(path: string, body: unknown, expected: number): Promise<T> {
    const res = await request(this.baseUrl + path, { method: 'POST', headers: this.headers, body: JSON.stringify(body), dispatcher: this.agent });
    const text = await res.body.text();
    if (res.statusCode !== expected) throw new Error(`POST ${path}: ${res.statusCode} (expected ${expected}) ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async get<T>(path: string): Promise<T> {
    const res = await request(this.baseUrl + path, { headers: this.headers, dispatcher: this.agent });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  async createApp(name: string): Promise<string> {
    return (await this.post<{ id: string }>('/api/v1/app', { name }, 201)).id;
  }

  async createEndpoint(appId: string, url: string): Promise<string> {
    return (await this.post<{ id: string }>(`/api/v1/app/${appId}/endpoint`, { url }, 201)).id;
  }

  /** Publishes one message; resolves once Herald answered 202 (committed). */
  async publish(appId: string, index: number): Promise<void> {
    await this.post(`/api/v1/app/${appId}/msg`, { eventType: EVENT_TYPE, payload: benchPayload(index) }, 202);
  }
}

/**
 * Closed loop: `concurrency` workers each send the next index as soon as their previous request completed, until
 * `total` were sent. Resolves with when the first was sent and when the last was answered.
 */
export async function closedLoop(total: number, concurrency: number, send: (index: number) => Promise<void>): Promise<{ startedAt: number; endedAt: number }> {
  let next = 0;
  let failed = false;
  const startedAt = now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      try {
        while (next < total && !failed) await send(next++);
      } catch (err) {
        failed = true; // the other workers stop too
        throw err;
      }
    }),
  );
  return { startedAt, endedAt: now() };
}

export interface OpenLoopResult {
  sent: number;
  startedAt: number;
  endedAt: number;
  /** The most a send started after its scheduled time (the generator's own lag), ms. */
  maxLagMs: number;
}

/**
 * Open loop: `rate` sends per second for `durationMs`, each at its scheduled time whether or not earlier ones were
 * answered (a timer every `tickMs` sends every index that has come due). Resolves once every send settled; the
 * first failure is thrown then.
 */
export async function openLoop(rate: number, durationMs: number, send: (index: number) => Promise<void>, tickMs = 10): Promise<OpenLoopResult> {
  const total = Math.round((rate * durationMs) / 1000);
  const startedAt = now();
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let maxLagMs = 0;
  let failure: unknown = null;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const t = now();
      const due = Math.min(total, Math.floor(((t - startedAt) * rate) / 1000) + 1);
      while (sent < due) {
        const index = sent++;
        maxLagMs = Math.max(maxLagMs, t - (startedAt + (index * 1000) / rate));
        const p = send(index).catch((err: unknown) => {
          failure ??= err;
        });
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, tickMs);
    tick();
  });
  await Promise.all(pending);
  if (failure) throw failure;
  return { sent, startedAt, endedAt: now(), maxLagMs };
}
