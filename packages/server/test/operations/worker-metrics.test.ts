import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_TOKEN, api, spawnHerald, type HeraldProcess } from '../helpers/herald.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const pgSkip = await postgresUnavailable();

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('a worker-only process serves /metrics (admin token) with its own attempts, and /api/v1/health (open), on HERALD_PORT', { skip: pgSkip, timeout: 60_000 }, async () => {
  const schema = uniqueSchema('herald_wm');
  const receiver = await Receiver.start();
  const env = {
    HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true',
    HERALD_PORT: '0',
  };
  const processes: HeraldProcess[] = [];
  try {
    const apiProcess = await spawnHerald(['--role', 'api'], env);
    processes.push(apiProcess);
    const worker = await spawnHerald(['--role', 'worker'], env);
    processes.push(worker);
    assert.match(worker.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the worker says where it listens');
    assert.notEqual(worker.url, apiProcess.url);

    assert.equal((await fetch(`${worker.url}/metrics`)).status, 401, 'metrics need the token');
    assert.equal((await api(worker.url, 'GET', '/metrics', undefined, { authorization: 'Bearer not-the-admin-token-000' })).status, 401);
    assert.equal((await fetch(`${worker.url}/api/v1/health`)).status, 204, 'health needs none');
    const detail = await fetch(`${worker.url}/api/v1/health?detail=true`);
    assert.equal(detail.status, 200);
    assert.deepEqual(await detail.json(), { status: 'ok', checks: { database: 'ok', delivery: 'ok' } });
    assert.equal((await api(worker.url, 'GET', '/api/v1/app')).status, 404, 'a worker serves no API');
    assert.equal((await api(worker.url, 'POST', '/metrics', {})).status, 405);
    // Named tokens work too, by scope: read-only may read metrics, an application's token may not.
    const readOnly = await api(apiProcess.url, 'POST', '/api/v1/token', { name: 'prometheus', scope: 'read-only' });
    assert.equal((await api(worker.url, 'GET', '/metrics', undefined, { authorization: `Bearer ${readOnly.json.token}` })).status, 200);
    const tenant = await api(apiProcess.url, 'POST', '/api/v1/app', { name: 'tenant' });
    const appToken = await api(apiProcess.url, 'POST', '/api/v1/token', { name: 'tenant', scope: 'app', appId: tenant.json.id });
    assert.equal((await api(worker.url, 'GET', '/metrics', undefined, { authorization: `Bearer ${appToken.json.token}` })).status, 403);

    const app = await api(apiProcess.url, 'POST', '/api/v1/app', { name: 'worker-metrics' });
    await api(apiProcess.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: receiver.url('/w') });
    assert.equal((await api(apiProcess.url, 'POST', `/api/v1/app/${app.json.id}/msg`, { eventType: 'e', payload: {} })).status, 202);
    await receiver.waitFor((all) => all.length >= 1);

    const text = await until('the worker to count its attempt', async () => {
      const res = await api(worker.url, 'GET', '/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      return sample(res.text, 'herald_attempts_total{outcome="success"}') === 1 ? res.text : undefined;
    });
    assert.equal(sample(text, 'herald_attempt_duration_seconds_count{outcome="success"}'), 1);
    assert.equal(sample(text, 'herald_deliveries_queued'), 0);
    assert.ok((sample(text, 'herald_process_resident_memory_bytes') ?? 0) > 0);
    const apiMetrics = await api(apiProcess.url, 'GET', '/metrics');
    assert.equal(sample(apiMetrics.text, 'herald_attempts_total{outcome="success"}'), undefined, 'the attempt was the worker\'s, not the API process\'s');

    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, 'the listener does not hold up a clean stop');
  } finally {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    await receiver.close();
    await dropSchema(schema);
  }
});

test('a worker started before any API process does not make an admin token; it accepts the one the API process makes', { skip: pgSkip, timeout: 60_000 }, async () => {
  const schema = uniqueSchema('herald_wa');
  const env = {
    HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY, HERALD_PORT: '0',
  };
  const processes: HeraldProcess[] = [];
  try {
    const worker = await spawnHerald(['--role', 'worker'], env);
    processes.push(worker);
    assert.equal((await fetch(`${worker.url}/metrics`, { headers: { authorization: 'Bearer anything-at-all-here' } })).status, 401);
    const apiProcess = await spawnHerald(['--role', 'api'], env);
    processes.push(apiProcess);
    // Printed just after the start-up line: a token the worker had made would have been found and not printed.
    const generated = await until('the API process to print its admin token', () => /herald_admin_[A-Za-z0-9_-]+/.exec(apiProcess.output())?.[0]);
    await until('the worker to accept the admin token', async () =>
      (await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${generated}` } })).status === 200, 15_000);
  } finally {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    await dropSchema(schema);
  }
});
