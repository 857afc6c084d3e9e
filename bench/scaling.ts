/**
 * Scaling figures for docs/scaling.md: the same publish-and-deliver run on the embedded SQLite store and on
 * PostgreSQL with one API process and 1 or 2 worker processes, in one run on this machine.
 *
 *   node --import tsx bench/scaling.ts [messages]
 *
 * Everything runs on loopback: the publishers and the receiver live in this process, Herald in child processes.
 * Writes bench/results/scaling.json.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import pg from 'pg';
import { Agent, request } from 'undici';
import { ADMIN_TOKEN, spawnHerald, tempDir, type HeraldProcess } from '../packages/server/test/helpers/herald.ts';
import { PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../packages/server/test/helpers/pg.ts';

const MESSAGES = Number(process.argv[2] ?? 20_000);
const PUBLISHERS = 64;
const PAYLOAD = { data: 'x'.repeat(1000) };

interface Result {
  setup: string;
  messages: number;
  acceptedPerSecond: number;
  deliveredPerSecond: number;
}

async function receiver() {
  let received = 0;
  let lastAt = 0;
  let onCount: (() => void) | null = null;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      lastAt = Date.now();
      res.writeHead(200).end();
      if (onCount && received >= MESSAGES) onCount();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    all: () => (received >= MESSAGES ? Promise.resolve() : new Promise<void>((r) => (onCount = r))),
    lastAt: () => lastAt,
    close: () => new Promise((r) => server.close(r)),
  };
}

async function run(setup: string, start: () => Promise<{ apiUrl: string; processes: HeraldProcess[] }>, cleanup: () => Promise<void>): Promise<Result> {
  const sink = await receiver();
  const { apiUrl, processes } = await start();
  const agent = new Agent({ connections: PUBLISHERS });
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const res = await request(apiUrl + path, { method: 'POST', headers, body: JSON.stringify(body), dispatcher: agent });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${path}: ${res.statusCode} ${text}`);
    return JSON.parse(text) as { id: string };
  };
  try {
    const app = await post('/api/v1/app', { name: 'bench' });
    await post(`/api/v1/app/${app.id}/endpoint`, { url: sink.url });
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: PUBLISHERS }, async () => {
        while (next++ < MESSAGES) await post(`/api/v1/app/${app.id}/msg`, { eventType: 'bench.event', payload: PAYLOAD });
      }),
    );
    const accepted = Date.now();
    await sink.all();
    const result = {
      setup,
      messages: MESSAGES,
      acceptedPerSecond: Math.round(MESSAGES / ((accepted - started) / 1000)),
      deliveredPerSecond: Math.round(MESSAGES / ((sink.lastAt() - started) / 1000)),
    };
    console.log(`${setup.padEnd(36)} accepted ${String(result.acceptedPerSecond).padStart(6)}/s   delivered ${String(result.deliveredPerSecond).padStart(6)}/s`);
    return result;
  } finally {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await agent.close();
    await sink.close();
    await cleanup();
  }
}

/** On-disk bytes per row of the big tables after a run (heap, indexes and TOAST together). */
async function tableSizes(schema: string): Promise<Record<string, { rows: number; bytesPerRow: number }>> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    const out: Record<string, { rows: number; bytesPerRow: number }> = {};
    for (const table of ['message', 'delivery', 'attempt']) {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n, pg_total_relation_size('"${schema}".${table}')::bigint AS bytes FROM "${schema}".${table}`,
      );
      const n = rows[0].n as number;
      out[table] = { rows: n, bytesPerRow: n > 0 ? Math.round(Number(rows[0].bytes) / n) : 0 };
    }
    return out;
  } finally {
    await client.end();
  }
}

let sizes: Record<string, { rows: number; bytesPerRow: number }> = {};
const common = { HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_PORT: '0', HERALD_LOG_LEVEL: 'info' };
const results: Result[] = [];

results.push(
  await run('SQLite, one process', async () => {
    const herald = await spawnHerald([], { ...common, HERALD_DATA_DIR: tempDir('herald-bench-') });
    return { apiUrl: herald.url, processes: [herald] };
  }, async () => {}),
);

if (!(await postgresUnavailable())) {
  const schema = uniqueSchema('herald_bench');
  const env = { ...common, HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema };
  results.push(
    await run('PostgreSQL, one process (role all)', async () => {
      const herald = await spawnHerald([], env);
      return { apiUrl: herald.url, processes: [herald] };
    }, async () => {
      sizes = await tableSizes(schema);
      await dropSchema(schema);
    }),
  );
  for (const workers of [1, 2]) {
    const schema = uniqueSchema('herald_bench');
    const env = { ...common, HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema };
    results.push(
      await run(`PostgreSQL, 1 API + ${workers} worker${workers > 1 ? 's' : ''}`, async () => {
        const apiProcess = await spawnHerald(['--role', 'api'], env);
        const workerProcesses = [];
        for (let i = 0; i < workers; i++) workerProcesses.push(await spawnHerald(['--role', 'worker'], env));
        return { apiUrl: apiProcess.url, processes: [apiProcess, ...workerProcesses] };
      }, () => dropSchema(schema)),
    );
  }
}

const machine = { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, cpu: os.cpus()[0]?.model };
console.log('PostgreSQL bytes per row after the one-process run:', JSON.stringify(sizes));
writeFileSync(new URL('./results/scaling.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), machine, publishers: PUBLISHERS, payloadBytes: 1000, results, postgresTableSizes: sizes }, null, 2) + '\n');
