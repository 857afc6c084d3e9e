import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_TOKEN, api, runCli, spawnHerald, type HeraldProcess } from '../helpers/herald.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';

const skip = await postgresUnavailable();
const MESSAGES = 10_000;

/**
 * Horizontal scale-out on PostgreSQL: one API process and three workers share one database. One worker is killed
 * with SIGKILL while deliveries are in flight; every acknowledged message must still arrive (at least once).
 */
test('1 API + 3 workers on PostgreSQL: every acknowledged message is delivered when a worker is SIGKILLed', { skip, timeout: 240_000 }, async (t) => {
  const schema = uniqueSchema('herald_mp');
  const receiver = await Receiver.start();
  receiver.responder = (_req, res) => setTimeout(() => res.writeHead(200).end('ok'), 2);
  const env = {
    HERALD_DATABASE_URL: PG_TEST_URL,
    HERALD_DATABASE_SCHEMA: schema,
    HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY,
    HERALD_ADMIN_TOKEN: ADMIN_TOKEN,
    HERALD_ALLOW_PRIVATE_TARGETS: 'true',
    HERALD_REQUEST_TIMEOUT: '2',
    HERALD_RETRY_SCHEDULE: '1,1,1,1,1',
    HERALD_PORT: '0',
  };
  const processes: HeraldProcess[] = [];
  try {
    const migrated = await runCli(['migrate'], env);
    assert.equal(migrated.code, 0, migrated.output);
    const apiProcess = await spawnHerald(['--role', 'api'], env);
    processes.push(apiProcess);
    // Started together: their migration checks race, and the advisory lock must keep that safe.
    const workers = await Promise.all([0, 1, 2].map(() => spawnHerald(['--role', 'worker'], env)));
    processes.push(...workers);

    const app = await api(apiProcess.url, 'POST', '/api/v1/app', { name: 'scale-out' });
    const ep = await api(apiProcess.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: receiver.url('/scaled') });
    assert.equal(ep.status, 201, ep.text);

    const acknowledged = new Set<string>();
    let next = 0;
    let killedAt = -1;
    const publisher = async () => {
      while (next < MESSAGES) {
        const n = next++;
        const res = await api(apiProcess.url, 'POST', `/api/v1/app/${app.json.id}/msg`, { eventType: 'order.created', payload: { n } });
        assert.equal(res.status, 202, res.text);
        acknowledged.add(res.json.id);
      }
    };
    const started = Date.now();
    const publishing = Promise.all(Array.from({ length: 32 }, publisher));
    await receiver.waitFor((all) => all.length >= 1_500, 60_000, '1,500 deliveries before the kill');
    workers[0]!.child.kill('SIGKILL');
    killedAt = receiver.received.length;
    await publishing;
    const published = Date.now();
    assert.equal(acknowledged.size, MESSAGES);

    await receiver.waitFor(
      (all) => {
        if (all.length < MESSAGES) return false;
        const seen = new Set(all.map((r) => String(r.headers['webhook-id'])));
        return [...acknowledged].every((id) => seen.has(id));
      },
      120_000,
      'every acknowledged message',
    );
    const done = Date.now();
    const perId = new Map<string, number>();
    for (const r of receiver.received) perId.set(String(r.headers['webhook-id']), (perId.get(String(r.headers['webhook-id'])) ?? 0) + 1);
    const duplicates = [...perId.values()].reduce((sum, n) => sum + n - 1, 0);
    assert.equal(perId.size, MESSAGES, 'nothing but the acknowledged messages arrived');
    t.diagnostic(
      `multi-process: ${MESSAGES} acknowledged in ${published - started} ms; worker killed after ${killedAt} deliveries; ` +
        `all delivered ${done - started} ms after the first publish; ${duplicates} duplicate deliveries`,
    );

    // Deliveries the killed worker sent but never recorded stay 'sending' until their lease runs out; then another
    // worker sends them again (the duplicates above) and the state settles.
    const deadline = Date.now() + 60_000;
    let stats: Record<string, number> = {};
    while (Date.now() < deadline) {
      stats = (await api(apiProcess.url, 'GET', `/api/v1/app/${app.json.id}/endpoint/${ep.json.id}/stats`)).json;
      if (stats['success'] === MESSAGES) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(stats, { success: MESSAGES, pending: 0, sending: 0, fail: 0, canceled: 0 });
  } finally {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await receiver.close();
    if (!skip) await dropSchema(schema);
  }
});

/**
 * One API process and `workers` worker processes on a fresh schema, with a receiver; everything is stopped and the
 * schema dropped when `body` ends, whatever happens in it.
 */
async function withCluster(
  prefix: string,
  workers: number,
  body: (cluster: { apiUrl: string; receiver: Receiver }) => Promise<void>,
): Promise<void> {
  const schema = uniqueSchema(prefix);
  const receiver = await Receiver.start();
  const env = { HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_PORT: '0' };
  const processes: HeraldProcess[] = [];
  try {
    const apiProcess = await spawnHerald(['--role', 'api'], env);
    processes.push(apiProcess);
    processes.push(...(await Promise.all(Array.from({ length: workers }, () => spawnHerald(['--role', 'worker'], env)))));
    await body({ apiUrl: apiProcess.url, receiver });
  } finally {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await receiver.close();
    await dropSchema(schema);
  }
}

test('throttleRate holds across worker processes sharing PostgreSQL', { skip, timeout: 120_000 }, () =>
  withCluster('herald_throttle', 2, async ({ apiUrl, receiver }) => {
    const app = (await api(apiUrl, 'POST', '/api/v1/app', { name: 'throttled' })).json;
    await api(apiUrl, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/limited'), throttleRate: 10 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 40 }, (_, n) => api(apiUrl, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: 'e', payload: { n } })));
    await receiver.waitFor((all) => all.length >= 40, 30_000, '40 throttled deliveries');
    const times = receiver.received.map((r) => r.at - started).sort((a, b) => a - b);
    // Both workers take from one bucket: a burst of 10, then 10 per second in total, so the 40th comes after 3 s.
    assert.ok(times[39]! >= 2_700, `40 messages at 10/s over two workers took ${times[39]} ms`);
    for (let from = 0; from < times[39]!; from += 500) {
      const inWindow = times.filter((t) => t >= from && t < from + 1_000).length;
      assert.ok(inWindow <= 10 + 10, `${inWindow} deliveries within one second from ${from} ms`);
    }
  }));

test('ordered delivery holds across worker processes sharing PostgreSQL', { skip, timeout: 120_000 }, () =>
  withCluster('herald_ordered', 2, async ({ apiUrl, receiver }) => {
    // A little latency so that, were order not enforced, the workers would overtake each other.
    receiver.responder = (_req, res) => setTimeout(() => res.writeHead(200).end(), 5);
    const app = (await api(apiUrl, 'POST', '/api/v1/app', { name: 'ordered' })).json;
    await api(apiUrl, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/in-order'), ordered: true });
    for (let n = 0; n < 60; n++) await api(apiUrl, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: 'e', payload: { n } });
    await receiver.waitFor((all) => all.length >= 60, 60_000, '60 ordered deliveries');
    const sequence = receiver.received.map((r) => JSON.parse(r.body.toString()).n as number);
    assert.deepEqual(sequence, Array.from({ length: 60 }, (_, n) => n));
  }));
