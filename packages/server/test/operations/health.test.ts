import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_TOKEN, api, spawnHerald, startTestHerald, type HeraldProcess } from '../helpers/herald.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const pgSkip = await postgresUnavailable();

test('health: 204 for the Svix client, the checks as JSON with ?detail=true, no token needed', async () => {
  const herald = await startTestHerald();
  try {
    const plain = await api(herald.url, 'GET', '/api/v1/health', undefined, { authorization: '' });
    assert.equal(plain.status, 204);
    const detail = await api(herald.url, 'GET', '/api/v1/health?detail=true', undefined, { authorization: '' });
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.json, { status: 'ok', checks: { database: 'ok', delivery: 'ok' } });
  } finally {
    await herald.cleanup();
  }
});

test('health: accepted messages with no worker making attempts are a stalled delivery (503), healthy again once one works', { skip: pgSkip }, async () => {
  const schema = uniqueSchema('herald_health');
  const receiver = await Receiver.start();
  const env = {
    HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true',
    HERALD_PORT: '0', HERALD_HEALTH_STALL_AFTER: '1',
  };
  const processes: HeraldProcess[] = [];
  try {
    const apiOnly = await spawnHerald(['--role', 'api'], env);
    processes.push(apiOnly);
    const app = await api(apiOnly.url, 'POST', '/api/v1/app', { name: 'health' });
    await api(apiOnly.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: receiver.url('/health') });
    assert.equal((await api(apiOnly.url, 'GET', '/api/v1/health')).status, 204, 'nothing accepted yet: nothing is late');
    assert.equal((await api(apiOnly.url, 'POST', `/api/v1/app/${app.json.id}/msg`, { eventType: 'e', payload: {} })).status, 202);

    const stalled = await until('health to report the stall', async () => {
      const res = await api(apiOnly.url, 'GET', '/api/v1/health');
      return res.status === 503 ? res : undefined;
    }, 10_000);
    assert.equal(stalled.json.status, 'unhealthy');
    assert.equal(stalled.json.checks.database, 'ok');
    assert.match(stalled.json.checks.delivery, /^stalled: a delivery has been due for \d+ s and no attempt was ever made$/);

    processes.push(await spawnHerald(['--role', 'worker'], env));
    await receiver.waitFor((all) => all.length >= 1, 10_000);
    await until('health to recover', async () => (await api(apiOnly.url, 'GET', '/api/v1/health')).status === 204, 10_000);
  } finally {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    await receiver.close();
    await dropSchema(schema);
  }
});
