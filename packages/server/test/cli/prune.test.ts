import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { ADMIN_TOKEN, api, runCli, spawnHerald, tempDir } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

test('herald prune --older-than deletes delivered messages beside a running server, with progress', { timeout: 60_000 }, async () => {
  const dataDir = tempDir('herald-prune-');
  const receiver = await Receiver.start();
  const env = { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_PORT: '0' };
  const server = await spawnHerald([], env);
  try {
    const app = (await api(server.url, 'POST', '/api/v1/app', { name: 'prune' })).json;
    const endpoint = (await api(server.url, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/p') })).json;
    for (let n = 0; n < 30; n++) await api(server.url, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: 'e', payload: { n } });
    const waiting = await api(server.url, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: 'e', payload: {}, deliverAt: new Date(Date.now() + 3_600_000).toISOString() });
    await receiver.waitFor((all) => all.length >= 30, 10_000, 'deliveries');
    // Outcomes are recorded right after the responses: wait until they are (the one for later is not due yet).
    await until('the 30 outcomes to be recorded', async () =>
      (await api(server.url, 'GET', `/api/v1/app/${app.id}/endpoint/${endpoint.id}/stats`)).json?.success === 30);

    const bad = await runCli(['prune', '--older-than', 'ninety days'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.output, /--older-than must look like 90d, 12h or 30m/);

    const pruned = await runCli(['prune', '--older-than', '0m'], env);
    assert.equal(pruned.code, 0, pruned.output);
    assert.match(pruned.output, /pruning \[[=\- ]*\] \d+\/31 messages/, 'plain progress lines when not on a terminal');
    assert.match(pruned.output, /deleted 30 messages older than 0m \(1 kept: still being delivered\)/);

    const left = (await api(server.url, 'GET', `/api/v1/app/${app.id}/msg?limit=250`)).json.data;
    assert.deepEqual(left.map((m: { id: string }) => m.id), [waiting.json.id], 'only the message still waiting to be delivered');
    assert.equal((await api(server.url, 'GET', '/api/v1/health')).status, 204, 'the server kept running');
  } finally {
    server.child.kill('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
