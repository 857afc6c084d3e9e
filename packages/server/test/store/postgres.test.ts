import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { HeraldError } from '../../src/lib/errors.ts';
import { newId } from '../../src/lib/ids.ts';
import { openPostgresStorage, migratePostgres } from '../../src/store/postgres/index.ts';
import { Status, Trigger, type Admission, type App, type Endpoint, type Message, type NewMessage, type StoreEvent } from '../../src/store/types.ts';
import type { Storage } from '../../src/store/storage.ts';
import { PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { until } from '../helpers/wait.ts';

/**
 * What only the PostgreSQL store has to get right: racing migrations, concurrent claimers, leases, idempotency
 * races between processes, NOTIFY across processes and int8 handling. (The behaviour both stores share is the
 * conformance suite's.) Two stores on one schema stand in for two Herald processes.
 */

const skip = await postgresUnavailable();
const schema = uniqueSchema('herald_test');
let store: Storage;
let peer: Storage;
const heard: StoreEvent[] = [];

const open = () => openPostgresStorage({ url: PG_TEST_URL, schema, poolSize: 4 });

before(async () => {
  if (skip) return;
  [store, peer] = await Promise.all([open(), open()]);
  await peer.bus.subscribe((event) => heard.push(event));
});

after(async () => {
  if (skip) return;
  await Promise.allSettled([store?.close(), peer?.close()]);
  await dropSchema(schema);
});

async function sql<T extends pg.QueryResultRow = Record<string, any>>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function app(fields: Partial<App> = {}): App {
  const now = Date.now();
  return { id: newId('app'), uid: null, name: 'test', metadata: {}, throttleRate: null, createdAt: now, updatedAt: now, ...fields };
}

function endpoint(appId: string, fields: Partial<Endpoint> = {}): Endpoint {
  const now = Date.now();
  return {
    id: newId('ep'), appId, uid: null, url: 'https://example.com/hook', description: '', eventTypes: null, channels: null,
    disabled: false, throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: {}, createdAt: now, updatedAt: now, ...fields,
  };
}

function message(appId: string, fields: Partial<Message> = {}): Message {
  return {
    id: newId('msg'), appId, eventId: null, eventType: 'order.created', channels: null, tags: null, payload: '{"n":1}',
    createdAt: Date.now(), deliverAt: null, ...fields,
  };
}

function newMessage(m: Message, endpoints: Endpoint[], admission: Admission, extra: Partial<NewMessage> = {}): NewMessage {
  const now = Date.now();
  return {
    message: m, deliveries: endpoints.map((ep) => ({ endpointId: ep.id, admission })), dueAt: now, leaseUntil: now + 60_000, ...extra,
  };
}

async function appWithEndpoints(count: number): Promise<{ a: App; eps: Endpoint[] }> {
  const a = app();
  await store.catalog.createApp(a);
  const eps = Array.from({ length: count }, () => endpoint(a.id));
  for (const ep of eps) await store.catalog.createEndpoint(ep, { key: 'c2VjcmV0', createdAt: Date.now(), expiresAt: null });
  return { a, eps };
}

function deliveryIdsOf(result: Awaited<ReturnType<Storage['history']['createMessage']>>): number[] {
  assert.ok('deliveryIds' in result, 'expected the message to be created');
  return result.deliveryIds;
}

test('two stores opening a new schema at once apply each migration once', { skip }, async () => {
  const applied = await sql(`SELECT version, name FROM "${schema}".schema_migration ORDER BY version`);
  const files = readdirSync(new URL('../../src/store/postgres/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql')).sort();
  assert.ok(files.length >= 2);
  assert.deepEqual(applied, files.map((name) => ({ version: Number(name.slice(0, 3)), name })), 'each migration exactly once');
  assert.deepEqual(await migratePostgres(PG_TEST_URL, schema), []);
});

test('apps, endpoints and messages read back as written; int8 comes back as numbers on the store only', { skip }, async () => {
  const a = app({ uid: 'shop', metadata: { team: 'billing' } });
  await store.catalog.createApp(a);
  assert.deepEqual(await store.catalog.getApp(a.id), a);
  assert.deepEqual(await peer.catalog.getApp('shop'), a);
  await assert.rejects(store.catalog.createApp(app({ uid: 'shop' })), (err: unknown) =>
    err instanceof HeraldError && err.statusCode === 409 && err.detail === 'An application with this uid already exists');

  const ep = endpoint(a.id, { uid: 'main', channels: ['eu'], headers: { 'x-tenant': '7' } });
  await store.catalog.createEndpoint(ep, { key: 'a2V5MQ==', createdAt: ep.createdAt, expiresAt: null });
  const other = endpoint(a.id);
  await store.catalog.createEndpoint(other, { key: 'a2V5Mg==', createdAt: ep.createdAt, expiresAt: null });
  assert.deepEqual(await store.catalog.getEndpoint(a.id, 'main'), ep);
  assert.deepEqual(await store.catalog.getEndpointKeys(ep.id, Date.now()), [{ key: 'a2V5MQ==', createdAt: ep.createdAt, expiresAt: null }]);

  // Signed byte for byte: spacing, key order and number spelling must survive.
  const m = message(a.id, { eventId: 'evt-1', channels: ['eu'], tags: ['t'], payload: '{"z": 1,  "a": [1.50, 2e3]}' });
  const ids = deliveryIdsOf(await store.history.createMessage(newMessage(m, [other, ep], 'due')));
  assert.equal(ids.length, 2);
  assert.ok(ids.every((id) => typeof id === 'number'));
  assert.deepEqual(await store.history.getMessage(a.id, m.id), m);
  assert.deepEqual(await peer.history.getMessage(a.id, 'evt-1'), m);
  const deliveries = await store.history.listMessageDeliveries(m.id, { limit: 10, iterator: null, order: 'ascending' });
  assert.deepEqual(
    Object.fromEntries(deliveries.data.map((d) => [d.endpointId, d.id])),
    { [other.id]: ids[0], [ep.id]: ids[1] },
    'delivery ids are returned in the order of the endpoints given',
  );
  await assert.rejects(store.history.createMessage(newMessage(message(a.id, { eventId: 'evt-1' }), [ep], 'due')), (err: unknown) =>
    err instanceof HeraldError && err.statusCode === 409 && err.detail === 'A message with this eventId already exists');

  assert.equal(typeof (await store.queue.nextDueAt()), 'number');
  assert.deepEqual(await store.stats.endpointStats(ep.id, null, null), { success: 0, pending: 1, sending: 0, fail: 0, canceled: 0 });
  // The parser is the store's own: pg's process-wide default still gives int8 as a string.
  assert.deepEqual(await sql('SELECT 1::int8 AS n'), [{ n: '1' }]);
});

test('concurrent claimers never get the same delivery twice, and together they get all of them', { skip, timeout: 60_000 }, async () => {
  const { a, eps } = await appWithEndpoints(50);
  const created = new Set<number>();
  const past = Date.now() - 1_000;
  for (let i = 0; i < 10; i++) {
    for (const id of deliveryIdsOf(await store.history.createMessage(newMessage(message(a.id), eps, 'due', { dueAt: past })))) created.add(id);
  }
  assert.equal(created.size, 500);

  const claimed: number[] = [];
  const claimer = async (s: Storage) => {
    for (;;) {
      const now = Date.now();
      const batch = await s.queue.claimDueDeliveries(now, now + 60_000, 50);
      if (batch.length === 0) return;
      for (const d of batch) {
        assert.equal(d.leaseUntil, now + 60_000);
        if (created.has(d.deliveryId)) assert.ok(d.payload === '{"n":1}' && d.appId === a.id && d.lease === 1);
      }
      claimed.push(...batch.map((d) => d.deliveryId));
    }
  };
  await Promise.all([claimer(store), claimer(peer), claimer(store), claimer(peer)]);
  assert.equal(new Set(claimed).size, claimed.length, 'a delivery was claimed twice');
  assert.deepEqual([...created].filter((id) => !claimed.includes(id)), [], 'deliveries left unclaimed');
});

test('an outcome or a renewal under a stale lease leaves the delivery alone', { skip }, async () => {
  const { a, eps } = await appWithEndpoints(1);
  const m = message(a.id);
  const [id] = deliveryIdsOf(await store.history.createMessage(newMessage(m, eps, 'leased')));
  assert.ok(id !== undefined);
  // Lease 0 was the publisher's; handed back and claimed again, the delivery is under lease 1.
  await store.queue.releaseDeliveries([id], Date.now() - 1);
  const now = Date.now();
  const reclaimed = (await peer.queue.claimDueDeliveries(now, now + 60_000, 1_000)).find((d) => d.deliveryId === id);
  assert.equal(reclaimed?.lease, 1);

  assert.deepEqual(await store.queue.renewLeases([{ deliveryId: id, lease: 0 }], now + 120_000), []);
  assert.deepEqual(await store.queue.renewLeases([{ deliveryId: id, lease: 1 }], now + 120_000), [id]);

  const outcome = (lease: number, code: number) => ({
    attempt: {
      id: newId('atmpt'), appId: a.id, messageId: m.id, endpointId: eps[0]!.id, url: eps[0]!.url, status: Status.Success,
      responseStatusCode: code, response: 'ok\0', durationMs: 5, trigger: Trigger.Scheduled, createdAt: Date.now(), request: null,
    },
    deliveryId: id, lease, status: Status.Success, attempts: 1, nextAttemptAt: null,
  });
  const stale = outcome(0, 201);
  await store.queue.recordOutcomes([stale]);
  const [held] = (await store.history.listMessageDeliveries(m.id, { limit: 1, iterator: null, order: 'ascending' })).data;
  assert.deepEqual([held?.status, held?.attempts, held?.nextAttemptAt], [Status.Sending, 0, now + 120_000]);
  assert.equal((await store.history.getAttempt(m.id, stale.attempt.id))?.response, 'ok\uFFFD', 'the attempt row is logged all the same');

  await store.queue.recordOutcomes([outcome(1, 200)]);
  const [done] = (await store.history.listMessageDeliveries(m.id, { limit: 1, iterator: null, order: 'ascending' })).data;
  assert.deepEqual([done?.status, done?.attempts, done?.nextAttemptAt, done?.lastStatusCode], [Status.Success, 1, null, 200]);
});

test('two processes publishing under one idempotency key store one message; the other gets its response', { skip }, async () => {
  const { a, eps } = await appWithEndpoints(1);
  for (let round = 0; round < 20; round++) {
    const key = `key-${round}`;
    const publish = (s: Storage, body: string) => {
      const m = message(a.id);
      const idempotency = { scope: a.id, key, response: { statusCode: 202, body }, expiresAt: Date.now() + 60_000 };
      return s.history.createMessage(newMessage(m, eps, 'due', { idempotency })).then((result) => ({ m, body, result }));
    };
    const results = await Promise.all([publish(store, 'first'), publish(peer, 'second')]);
    const winners = results.filter((r) => 'deliveryIds' in r.result);
    const losers = results.filter((r) => 'replay' in r.result);
    assert.equal(winners.length, 1);
    assert.equal(losers.length, 1);
    assert.deepEqual(losers[0]!.result, { replay: { statusCode: 202, body: winners[0]!.body } });
    assert.ok(await store.history.getMessage(a.id, winners[0]!.m.id));
    assert.equal(await store.history.getMessage(a.id, losers[0]!.m.id), undefined);
  }

  // The key taken by a transaction still open elsewhere: the publish waits for its commit, then replays its response.
  const holder = new pg.Client({ connectionString: PG_TEST_URL });
  await holder.connect();
  try {
    const [{ pid: holderPid }] = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    await holder.query('BEGIN');
    await holder.query(`INSERT INTO "${schema}".idempotency VALUES ($1, 'held', 202, 'holder', $2)`, [a.id, Date.now() + 60_000]);
    const idempotency = { scope: a.id, key: 'held', response: { statusCode: 202, body: 'mine' }, expiresAt: Date.now() + 60_000 };
    let settled = false;
    const waiting = store.history.createMessage(newMessage(message(a.id), eps, 'due', { idempotency })).finally(() => (settled = true));
    // PostgreSQL itself says when the publish is blocked by the holder's transaction (or it settled without waiting).
    await until('the publish to block on the holder or settle', async () =>
      settled || (await sql('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [holderPid])).length > 0);
    assert.equal(settled, false, 'the publish should wait for the transaction holding its key');
    await holder.query('COMMIT');
    assert.deepEqual(await waiting, { replay: { statusCode: 202, body: 'holder' } });
  } finally {
    await holder.end();
  }

  // An expired record no longer blocks: the key is taken over.
  await store.history.putIdempotentResponse(a.id, 'old', { statusCode: 202, body: 'stale' }, Date.now() - 1);
  const idempotency = { scope: a.id, key: 'old', response: { statusCode: 202, body: 'fresh' }, expiresAt: Date.now() + 60_000 };
  deliveryIdsOf(await store.history.createMessage(newMessage(message(a.id), eps, 'due', { idempotency })));
  assert.deepEqual(await store.history.getIdempotentResponse(a.id, 'old', Date.now()), { statusCode: 202, body: 'fresh' });
});

test('other processes hear of due deliveries, resends and broadcasts, and again after their connection drops', { skip }, async () => {
  const { a, eps } = await appWithEndpoints(1);
  const dueAt = Date.now() + 3_600_000;
  heard.length = 0;
  await store.history.createMessage(newMessage(message(a.id), eps, 'due', { dueAt }));
  await until('deliveries-due from createMessage', () => heard.some((e) => e.type === 'deliveries-due' && e.at === dueAt));

  const m = message(a.id);
  await store.history.createMessage(newMessage(m, eps, 'parked'));
  const before = Date.now();
  await store.queue.scheduleResend(m.id, eps[0]!.id, before, Trigger.Manual);
  await until('deliveries-due from scheduleResend', () => heard.some((e) => e.type === 'deliveries-due' && e.at === before));

  await store.bus.broadcast({ type: 'endpoints-changed', appId: a.id });
  await until('endpoints-changed', () => heard.some((e) => e.type === 'endpoints-changed' && e.appId === a.id));

  heard.length = 0;
  const cut = Date.now();
  const killed = await sql('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query = $1', [`LISTEN "herald_events_${schema}"`]);
  assert.deepEqual(killed, [{ ok: true }]);
  // Whatever was sent while it was gone is lost, so the reconnect itself says deliveries may be due.
  await until('deliveries-due after the reconnect', () => heard.some((e) => e.type === 'deliveries-due' && e.at >= cut));
  const later = Date.now() + 7_200_000;
  await store.history.createMessage(newMessage(message(a.id), eps, 'due', { dueAt: later }));
  await until('deliveries-due on the new connection', () => heard.some((e) => e.type === 'deliveries-due' && e.at === later));
});
