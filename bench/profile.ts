/**
 * Where Herald's CPU goes under the throughput load: runs `herald serve` with `--cpu-prof`, publishes messages from
 * 64 publishers to one endpoint, waits until all are delivered, stops Herald and sums the profile's samples by
 * category. The .cpuprofile it keeps opens as a flame graph in Chrome DevTools (Performance tab) or speedscope.
 *
 *   npm run bench:profile [-- --messages 20000]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { ADMIN_TOKEN, spawnHerald, tempDir } from '../packages/server/test/helpers/herald.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '20000' } } });
const MESSAGES = Number(values.messages);
if (!Number.isInteger(MESSAGES) || MESSAGES < 1) throw new Error('--messages must be a whole number');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

/** The category of a sampled frame, by where its code lives. */
function categoryOf({ functionName: fn, url }: ProfileNode['callFrame']): string {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'garbage collection';
  if (url.includes('store/sqlite') || url.includes('better-sqlite3')) return 'SQLite: statements and commits';
  if (url.includes('undici')) return 'outbound HTTP (undici)';
  if (/fastify|find-my-way|ajv|secure-json-parse|avvio|fast-json-stringify|_http_(server|common|incoming|outgoing)/.test(url)) return 'inbound HTTP (node:http, fastify, ajv)';
  if (fn === 'writev' || url.includes('stream_base_commons') || url.startsWith('node:net') || url.includes('streams/')) return 'socket I/O';
  if (url.includes('crypto') || fn === 'Hmac') return 'crypto: signing, token hash';
  if (url.includes('modules/') || url.includes('tsx')) return 'module loading at start';
  if (url.includes('/src/')) return "Herald's own code";
  return 'promises, timers, events, JSON';
}

const receiver = (() => {
  let received = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(204).end();
      if (++received === MESSAGES) resolveAll();
    });
  });
  server.keepAliveTimeout = 60_000;
  return { server, all };
})();
await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));

const profileDir = mkdtempSync(path.join(tmpdir(), 'herald-profile-'));
const dataDir = tempDir('herald-profile-data-');
const herald = await spawnHerald(
  [],
  { HERALD_PORT: '0', HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true' },
  20_000,
  ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
);
const agent = new Agent({ connections: 64 });
const post = async (apiPath: string, body: unknown): Promise<{ id: string }> => {
  const res = await request(herald.url + apiPath, {
    method: 'POST', dispatcher: agent, body: JSON.stringify(body),
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${apiPath}: ${res.statusCode} ${text}`);
  return JSON.parse(text) as { id: string };
};
const app = await post('/api/v1/app', { name: 'profile' });
await post(`/api/v1/app/${app.id}/endpoint`, { url: `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/` });
const payload = { data: 'x'.repeat(1000) };
let next = 0;
const started = Date.now();
await Promise.all(Array.from({ length: 64 }, async () => {
  while (next++ < MESSAGES) await post(`/api/v1/app/${app.id}/msg`, { eventType: 'profile.event', payload });
}));
await receiver.all;
const seconds = (Date.now() - started) / 1000;
herald.child.kill('SIGTERM');
await herald.exited;
await agent.close();
receiver.server.close();
rmSync(dataDir, { recursive: true, force: true });

// The main thread's profile is the largest (tsx's loader thread writes a small one too).
const file = readdirSync(profileDir).map((f) => path.join(profileDir, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
if (!file) throw new Error(`no profile was written to ${profileDir}`);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const totals = new Map<string, number>();
let all = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  const category = categoryOf(byId.get(id)!.callFrame);
  totals.set(category, (totals.get(category) ?? 0) + delta);
  all += delta;
});
process.stdout.write(`${MESSAGES} messages delivered in ${seconds.toFixed(1)} s (${Math.round(MESSAGES / seconds)}/s, slower than unprofiled)\n\n`);
for (const [category, t] of [...totals].sort((a, b) => b[1] - a[1])) {
  process.stdout.write(`${((t / all) * 100).toFixed(1).padStart(5)} %  ${category}\n`);
}
process.stdout.write(`\nprofile: ${file}\n(open it in Chrome DevTools, Performance tab, or https://www.speedscope.app for a flame graph)\n`);
