import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { ADMIN_TOKEN, spawnHerald, tempDir } from '../packages/server/test/helpers/herald.ts';
let onRecv: (() => void) | null = null;
const server = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200).end(); onRecv?.(); }); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const h = await spawnHerald([], { HERALD_PORT: '0', HERALD_DATA_DIR: tempDir(), HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_SQLITE_SYNCHRONOUS: process.env.SYNC ?? 'normal' });
const agent = new Agent({ connections: 4 });
const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const post = async (p: string, b: unknown) => { const r = await request(h.url + p, { method: 'POST', headers, body: JSON.stringify(b), dispatcher: agent }); return JSON.parse(await r.body.text()); };
const app = await post('/api/v1/app', { name: 'p' });
await post(`/api/v1/app/${app.id}/endpoint`, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
const payload = { data: 'x'.repeat(1000) };
const acc: number[] = []; const e2e: number[] = [];
for (let i = 0; i < 1500; i++) {
  const got = new Promise<void>((r) => (onRecv = r));
  const t0 = performance.now();
  await post(`/api/v1/app/${app.id}/msg`, { eventType: 'e', payload });
  const t1 = performance.now();
  await got;
  const t2 = performance.now();
  if (i >= 500) { acc.push(t1 - t0); e2e.push(t2 - t0); }
  await new Promise((r) => setTimeout(r, 2));
}
const pct = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)]!.toFixed(2);
console.log('202 p50', pct(acc, 0.5), 'p99', pct(acc, 0.99), '| e2e p50', pct(e2e, 0.5), 'p99', pct(e2e, 0.99));
h.child.kill('SIGTERM'); await h.exited; server.close(); await agent.close();
