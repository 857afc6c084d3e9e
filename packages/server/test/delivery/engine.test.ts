import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { EndpointCache } from '../../src/delivery/endpoint-cache.ts';
import { Attempts, type AttemptOptions } from '../../src/delivery/attempt.ts';
import { DeliveryEngine, type EngineOptions } from '../../src/delivery/engine.ts';
import { ListenHub } from '../../src/delivery/listen-hub.ts';
import { Publisher } from '../../src/delivery/publish.ts';
import { Recorder } from '../../src/delivery/recorder.ts';
import { HttpTransport } from '../../src/delivery/transports/http.ts';
import { ListenTransport } from '../../src/delivery/transports/listen.ts';
import { TransformRunner } from '../../src/transform/runner.ts';
import { openSqliteStorage } from '../../src/store/sqlite/index.ts';
import type { App } from '../../src/store/types.ts';
import { tempDir } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { expectQuietFor, until } from '../helpers/wait.ts';

async function rig(options: Partial<EngineOptions & AttemptOptions>) {
  const dir = tempDir();
  const store = openSqliteStorage({ file: path.join(dir, 'h.db'), synchronous: 'normal' });
  const endpoints = new EndpointCache(store.catalog, store.transformations, store.endpointAuth);
  const http = new HttpTransport(5_000, { allowPrivate: true });
  const log = pino({ level: 'silent' });
  const engine = new DeliveryEngine(store, endpoints, {
    requestTimeoutMs: 5_000, perEndpointConcurrency: 10, maxInFlight: 1_000, maxHeld: 1_000, maxQueuedPerEndpoint: 100, claimBatch: 100, shared: null, ...options,
  }, log);
  const recorder = new Recorder(store, log, (at) => engine.noteDue(at));
  // Nothing here has a transformation: the runner is never asked, and so never starts its thread.
  const transforms = new TransformRunner({ cpuMs: 100, memoryBytes: 1 << 24, outputBytes: 1 << 20 });
  engine.sendThrough(new Attempts(store.catalog, endpoints, [new ListenTransport(new ListenHub()), http], recorder, transforms, {
    retrySchedule: [1], requestTimeoutMs: 5_000, userAgent: 'test', disableFailingEndpointAfterMs: 0, notify: () => {}, ...options,
  }, log));
  const publisher = new Publisher(store, endpoints, engine);
  const now = Date.now();
  const app: App = { id: 'app_test', uid: null, name: 't', metadata: {}, throttleRate: null, createdAt: now, updatedAt: now };
  await store.catalog.createApp(app);
  const addEndpoint = async (id: string, url: string) => {
    await store.catalog.createEndpoint(
      { id, appId: app.id, uid: null, url, description: '', eventTypes: null, channels: null, disabled: false, throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: {}, createdAt: now, updatedAt: now },
      { key: Buffer.alloc(24, 1).toString('base64'), createdAt: now, expiresAt: null },
    );
    // Written behind the cache's back (no announcing storage here): it is told directly.
    endpoints.forgetApp(app.id);
  };
  const publish = (n: number) =>
    publisher.publish({ app, message: { eventType: 'e', payload: { n } } });
  return {
    store, engine, addEndpoint, publish,
    async close() {
      await engine.stop();
      await http.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('an endpoint with a full queue parks the rest and takes them back in order as it drains', async () => {
  const receiver = await Receiver.start();
  receiver.responder = (_req, res) => setTimeout(() => res.writeHead(200).end(), 2);
  const r = await rig({ perEndpointConcurrency: 1, maxQueuedPerEndpoint: 5 });
  try {
    await r.addEndpoint('ep_ordered', receiver.url('/ordered'));
    for (let n = 0; n < 200; n++) await r.publish(n);
    await receiver.waitFor((all) => all.length >= 200, 20_000);
    await r.engine.idle();
    const order = receiver.received.map((x) => JSON.parse(x.body.toString()).n as number);
    assert.deepEqual(order, Array.from({ length: 200 }, (_, n) => n), 'each delivered once, oldest first');
    const stats = await r.store.stats.endpointStats('ep_ordered', null, null);
    assert.equal(stats.success, 200);
    assert.equal(stats.pending + stats.sending, 0, 'nothing left parked or leased');
  } finally {
    await r.close();
    await receiver.close();
  }
});

test('when memory is full new deliveries wait in the database and are claimed as room frees up', async () => {
  const receiver = await Receiver.start();
  const r = await rig({ maxHeld: 20, claimBatch: 7 });
  try {
    await r.addEndpoint('ep_a', receiver.url('/a'));
    await r.addEndpoint('ep_b', receiver.url('/b'));
    await Promise.all(Array.from({ length: 300 }, (_, n) => r.publish(n)));
    await receiver.waitFor((all) => all.length >= 600, 20_000);
    await r.engine.idle();
    for (const path of ['/a', '/b']) {
      const ns = receiver.on(path).map((x) => JSON.parse(x.body.toString()).n as number).sort((a, b) => a - b);
      assert.deepEqual(ns, Array.from({ length: 300 }, (_, n) => n), `${path}: each message exactly once`);
    }
  } finally {
    await r.close();
    await receiver.close();
  }
});

test('an endpoint that keeps failing is probed instead of hammered, and its backlog drains once it answers', async () => {
  const receiver = await Receiver.start();
  let up = false;
  receiver.responder = (_req, res) => res.writeHead(up ? 200 : 500).end();
  const r = await rig({ retrySchedule: [1, 1, 1, 1], perEndpointConcurrency: 2, circuit: { openAfterFailures: 10, firstProbeMs: 300, maxProbeMs: 600 } });
  try {
    await r.addEndpoint('ep_down', receiver.url('/down'));
    for (let n = 0; n < 300; n++) await r.publish(n);
    await receiver.waitFor((all) => all.length >= 10, 10_000);
    await until('the circuit to open', async () => (await r.store.circuits.listCircuits()).length === 1);
    const atOpen = receiver.received.length;
    await receiver.waitFor((all) => all.length > atOpen, 5_000, 'a probe of the open circuit');
    const attemptRows = async () => (await r.store.history.listAttempts({ endpointId: 'ep_down' }, { limit: 1000, iterator: null, order: 'ascending' })).data.length;
    const whileDown = await until('every request so far to be recorded', async () => {
      const rows = await attemptRows();
      return rows === receiver.received.length && rows;
    });
    // Open after 10 failures (plus the ones still in flight), then one probe per 300-600 ms: without the breaker
    // every one of the 300 deliveries would have been tried at least once, most twice.
    assert.ok(whileDown < 20, `requests while down, a probe included: ${whileDown}`);
    assert.equal(await attemptRows(), receiver.received.length, 'every request is an attempt row, and no others were made');

    up = true;
    const back = Date.now();
    await receiver.waitFor((all) => new Set(all.filter((x) => x.at >= back).map((x) => x.headers['webhook-id'])).size >= 300 - 0, 15_000, 'the whole backlog');
    await r.engine.idle();
    const stats = await r.store.stats.endpointStats('ep_down', null, null);
    assert.equal(stats.success, 300);
    assert.equal(stats.pending + stats.sending + stats.fail, 0);
  } finally {
    await r.close();
    await receiver.close();
  }
});

test('a probe takes a delivery waiting for its retry when none is parked: a 503 that opened the circuit does not hold it open for a minute', async () => {
  const receiver = await Receiver.start();
  receiver.responder = (_req, res) => res.writeHead(503).end('down for maintenance');
  // 503 is an overload answer: each failed delivery waits at least 48 s (60 s less the jitter) for its retry.
  const r = await rig({ retrySchedule: [1, 1, 1], circuit: { openAfterFailures: 3, firstProbeMs: 300, maxProbeMs: 600 } });
  try {
    await r.addEndpoint('ep_503', receiver.url('/maintenance'));
    for (let n = 0; n < 3; n++) await r.publish(n);
    await until('the circuit to open', async () => (await r.store.circuits.listCircuits()).length === 1);
    const atOpen = receiver.received.length;
    await receiver.waitFor((all) => all.length > atOpen, 5_000, 'a probe, though nothing is parked');
    receiver.responder = (_req, res) => res.writeHead(204).end();
    await until('every delivery to succeed, long before their retries were due', async () => (await r.store.stats.endpointStats('ep_503', null, null)).success === 3, 5_000);
    assert.deepEqual(await r.store.circuits.listCircuits(), [], 'the circuit closed');
  } finally {
    await r.close();
    await receiver.close();
  }
});

test('a manual resend to an endpoint whose circuit is open is sent at once', async () => {
  const receiver = await Receiver.start();
  receiver.responder = (_req, res) => res.writeHead(500).end();
  const r = await rig({ retrySchedule: [60], circuit: { openAfterFailures: 3, firstProbeMs: 60_000, maxProbeMs: 60_000 } });
  try {
    await r.addEndpoint('ep_resend', receiver.url('/resend'));
    for (let n = 0; n < 5; n++) await r.publish(n);
    await receiver.waitFor((all) => all.length >= 3, 10_000);
    // Open, and every request made so far recorded (none still in flight).
    await until('the circuit to open with nothing in flight', async () =>
      (await r.store.circuits.listCircuits()).length === 1 &&
      (await r.store.history.listAttempts({ endpointId: 'ep_resend' }, { limit: 1000, iterator: null, order: 'ascending' })).data.length === receiver.received.length);
    const before = receiver.received.length;
    const last = (await r.store.history.listMessages('app_test', {}, { limit: 10, iterator: null, order: 'descending' })).data[0]!;
    receiver.responder = (_req, res) => res.writeHead(200).end();
    await r.store.queue.scheduleResend(last.id, 'ep_resend', Date.now(), 1);
    r.engine.noteDue(Date.now());
    await receiver.waitFor((all) => all.length > before && all.at(-1)!.headers['webhook-id'] === last.id, 5_000, 'the resend');
    // Its success closes the circuit: the others, failed and waiting a minute for their retry, go at once.
    await until('every delivery to succeed', async () => (await r.store.stats.endpointStats('ep_resend', null, null)).success === 5, 5_000);
  } finally {
    await r.close();
    await receiver.close();
  }
});

test('attempts in flight across all endpoints stay within maxInFlight, each endpoint still within its own limit, and a stop gives back those still waiting for a slot', async () => {
  const receiver = await Receiver.start();
  let open = 0;
  let mostOpen = 0;
  const openPer = new Map<string, number>();
  let mostPer = 0;
  let hold = true;
  const held: (() => void)[] = [];
  receiver.responder = (req, res) => {
    open++;
    mostOpen = Math.max(mostOpen, open);
    const path = req.path;
    openPer.set(path, (openPer.get(path) ?? 0) + 1);
    mostPer = Math.max(mostPer, openPer.get(path)!);
    const answer = () => {
      open--;
      openPer.set(path, openPer.get(path)! - 1);
      res.writeHead(200).end();
    };
    if (hold) held.push(answer);
    else setTimeout(answer, 2);
  };
  const r = await rig({ maxInFlight: 7, perEndpointConcurrency: 3 });
  try {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await r.addEndpoint(`ep_${name}`, receiver.url(`/${name}`));
    for (let n = 0; n < 20; n++) await r.publish(n);
    // 5 endpoints × 3 would be 15 at once: the total limit holds it at 7.
    await until('7 requests open', () => open === 7, 5_000);
    await expectQuietFor(200, 'an 8th request');
    assert.equal(open, 7, 'no more than maxInFlight requests open');
    hold = false;
    for (const answer of held.splice(0)) answer();
    await receiver.waitFor((all) => all.length >= 100, 20_000);
    await r.engine.idle();
    assert.equal(mostOpen, 7);
    assert.ok(mostPer <= 3, `an endpoint had ${mostPer} open; its limit is 3`);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const ns = receiver.on(`/${name}`).map((x) => JSON.parse(x.body.toString()).n as number).sort((a, b) => a - b);
      assert.deepEqual(ns, Array.from({ length: 20 }, (_, n) => n), `/${name}: each message exactly once`);
    }

    // Stopping while attempts wait for a slot: the waiting ones are given back, due, not sent and not lost.
    hold = true;
    for (let n = 20; n < 30; n++) await r.publish(n);
    await until('7 requests open again', () => open === 7, 5_000);
    const stopping = r.engine.stop(3_000);
    for (const answer of held.splice(0)) answer();
    await stopping;
    const received = receiver.received.length;
    assert.equal(received, 107, 'only the 7 attempts on the wire went out');
    let left = 0;
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const stats = await r.store.stats.endpointStats(`ep_${name}`, null, null);
      assert.equal(stats.sending, 0, 'nothing left leased by the stopped engine');
      left += stats.pending;
    }
    assert.equal(left, 43, 'the rest wait, due, for the next start');
  } finally {
    await r.close();
    await receiver.close();
  }
});
