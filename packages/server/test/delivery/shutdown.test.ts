import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { ADMIN_TOKEN, api, endpointSettledOverApi, spawnHerald, tempDir, type HeraldProcess } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';

/**
 * SIGTERM while deliveries are in flight and queued: claiming stops, the attempts in flight finish and are recorded,
 * the queued ones are given back, and the process exits 0. After a restart every message arrives exactly once.
 */
test('graceful shutdown: in-flight attempts finish and are recorded, queued ones wait, nothing is sent twice', { timeout: 60_000 }, async () => {
  const dataDir = tempDir('herald-shutdown-');
  const receiver = await Receiver.start();
  receiver.responder = (_req, res) => setTimeout(() => res.writeHead(200).end('ok'), 1_500);
  const env = { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_PORT: '0', HERALD_REQUEST_TIMEOUT: '5' };
  const running: HeraldProcess[] = [];
  try {
    const first = await spawnHerald([], env);
    running.push(first);
    const app = (await api(first.url, 'POST', '/api/v1/app', { name: 'shutdown' })).json;
    const endpoint = (await api(first.url, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/slow') })).json;
    const ids: string[] = [];
    for (let n = 0; n < 30; n++) ids.push((await api(first.url, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: 'e', payload: { n } })).json.id);
    await receiver.waitFor((all) => all.length >= 10, 5_000, 'the first ten in flight');
    const inFlight = receiver.received.map((r) => String(r.headers['webhook-id']));
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, 'exits cleanly');
    const took = Date.now() - stoppedAt;
    assert.ok(took >= 1_000 && took < 7_000, `waited for the attempts in flight (${took} ms), within the request timeout`);
    assert.equal(receiver.received.length, 10, 'nothing new was sent after SIGTERM');

    const second = await spawnHerald([], env);
    running.push(second);
    await receiver.waitFor((all) => all.length >= 30, 20_000, 'the rest after the restart');
    await endpointSettledOverApi(second.url, app.id, endpoint.id);
    const perId = new Map<string, number>();
    for (const r of receiver.received) perId.set(String(r.headers['webhook-id']), (perId.get(String(r.headers['webhook-id'])) ?? 0) + 1);
    assert.deepEqual([...perId.keys()].sort(), [...ids].sort(), 'every message arrived');
    assert.ok([...perId.values()].every((n) => n === 1), 'and each exactly once');
    for (const id of inFlight) {
      const attempts = (await api(second.url, 'GET', `/api/v1/app/${app.id}/attempt/msg/${id}`)).json.data;
      assert.equal(attempts.length, 1, 'the attempt in flight at SIGTERM was recorded before exit');
      assert.equal(attempts[0].responseStatusCode, 200);
    }
  } finally {
    for (const p of running) p.child.kill('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
