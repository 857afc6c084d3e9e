import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { Worker } from 'node:worker_threads';
import { ThreadedHttpTransport } from '../../src/delivery/transports/threaded-http.ts';
import { api, deliveriesSettled, startTestHerald, tempDir } from '../helpers/herald.ts';
import { Receiver, type Received } from '../helpers/receiver.ts';

const silent = pino({ level: 'silent' });

/** A request as an attempt hands it to a transport. */
const signed = (url: string, timeoutMs = 2_000) => ({
  url, headers: { 'content-type': 'application/json' }, body: '{"n":1}', timeoutMs,
  attempt: { appId: 'app_t', messageId: 'msg_t', endpointId: 'ep_t', eventType: 'thread', number: 1 },
});

async function appWithEndpoints(url: string, receivers: Receiver[]) {
  const app = (await api(url, 'POST', '/api/v1/app', { name: 'threads' })).json;
  const endpoints: { id: string; secret: string; receiver: Receiver }[] = [];
  for (const receiver of receivers) {
    const ep = await api(url, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/hook') });
    assert.equal(ep.status, 201, ep.text);
    const secret = (await api(url, 'GET', `/api/v1/app/${app.id}/endpoint/${ep.json.id}/secret`)).json.key as string;
    endpoints.push({ id: ep.json.id, secret, receiver });
  }
  return { appId: app.id as string, endpoints };
}

async function publish(url: string, appId: string, n: number): Promise<string> {
  const res = await api(url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'thread.test', payload: { n } });
  assert.equal(res.status, 202, res.text);
  return res.json.id;
}

async function attemptsOf(url: string, appId: string, msgId: string) {
  return (await api(url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}?limit=250`)).json.data as { responseStatusCode: number; response: string }[];
}

const verify = (secret: string, r: Received) => new Webhook(secret).verify(r.body.toString('utf8'), {
  'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']),
});

for (const threads of ['0', '2']) {
  test(`HERALD_DELIVERY_THREADS=${threads}: signed deliveries reach every receiver, verified, once each`, { timeout: 30_000 }, async () => {
    const receivers = await Promise.all([Receiver.start(), Receiver.start(), Receiver.start()]);
    const herald = await startTestHerald({ HERALD_DELIVERY_THREADS: threads });
    try {
      assert.equal(herald.deliveryThreads === null, threads === '0');
      const { appId, endpoints } = await appWithEndpoints(herald.url, receivers);
      const ids = [];
      for (let n = 0; n < 20; n++) ids.push(await publish(herald.url, appId, n));
      await deliveriesSettled(herald, appId);
      for (const { secret, receiver } of endpoints) {
        assert.deepEqual(receiver.received.map((r) => String(r.headers['webhook-id'])).sort(), [...ids].sort(), 'each message once at each receiver');
        for (const r of receiver.received) assert.equal(typeof (verify(secret, r) as { n: number }).n, 'number');
      }
      const [first] = await attemptsOf(herald.url, appId, ids[0]!);
      assert.equal(first?.responseStatusCode, 200);
    } finally {
      await herald.cleanup();
      await Promise.all(receivers.map((r) => r.close()));
    }
  });
}

test('inside a thread the private-address guard still refuses, and nothing reaches the address', { timeout: 30_000 }, async () => {
  const receiver = await Receiver.start();
  const transport = new ThreadedHttpTransport(1, 2_000, { allowPrivate: false }, silent);
  try {
    await transport.ready();
    const outcome = await transport.send(signed(receiver.url()));
    assert.equal(outcome.statusCode, null);
    assert.match(outcome.body, /refused to deliver to 127\.0\.0\.1: it is a loopback address/);
    const httpsOnly = new ThreadedHttpTransport(1, 2_000, { allowPrivate: true, httpsOnly: true }, silent);
    try {
      assert.match((await httpsOnly.send(signed(receiver.url()))).body, /HERALD_ENDPOINT_HTTPS_ONLY allows https:\/\/ endpoints only/);
    } finally {
      await httpsOnly.close();
    }
    assert.equal(receiver.received.length, 0);
  } finally {
    await transport.close();
    await receiver.close();
  }
});

test('a receiver that does not answer in time is a timed-out attempt, from a thread too', { timeout: 30_000 }, async () => {
  const receiver = await Receiver.start();
  receiver.responder = () => new Promise(() => {}); // never answers
  const transport = new ThreadedHttpTransport(1, 500, { allowPrivate: true }, silent);
  try {
    const outcome = await transport.send(signed(receiver.url(), 500));
    assert.equal(outcome.statusCode, null);
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.body, 'timed out after 0.5s');
    assert.ok(outcome.durationMs >= 450, `took the deadline (${outcome.durationMs} ms)`);
  } finally {
    await transport.close();
    await receiver.close();
  }
});

test('a thread ended mid-flight: its attempts fail and are retried, then delivered, with one success each', { timeout: 60_000 }, async () => {
  const receiver = await Receiver.start();
  const held: ServerResponse[] = [];
  receiver.responder = (_req, res) => held.push(res); // the first ones stay in flight
  // The circuit would open after 5 failures in a row: the 10 attempts lost with the thread must not count.
  const herald = await startTestHerald({ HERALD_DELIVERY_THREADS: '2', HERALD_RETRY_SCHEDULE: '1,1,1', HERALD_CIRCUIT_BREAKER_AFTER: '5' });
  try {
    const { appId, endpoints: [endpoint] } = await appWithEndpoints(herald.url, [receiver]);
    const ids = [];
    for (let n = 0; n < 15; n++) ids.push(await publish(herald.url, appId, n));
    await receiver.waitFor((all) => all.length >= 10, 10_000, 'ten attempts in flight (the endpoint concurrency)');
    const inFlight = new Set(receiver.received.map((r) => String(r.headers['webhook-id'])));
    await herald.deliveryThreads!.workerFor(receiver.url())!.terminate();
    // An open circuit would let one probe through; ten retries in flight at once say it stayed closed.
    await receiver.waitFor((all) => all.length >= 20, 10_000, 'the ten lost attempts retried through the new thread');
    assert.equal((await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint/${endpoint!.id}`)).json.circuit.state, 'closed');
    receiver.responder = (_req, res) => res.writeHead(200).end('ok');
    for (const res of held) if (!res.writableEnded) res.writeHead(200).end('ok');
    await deliveriesSettled(herald, appId, 20_000);

    for (const id of ids) {
      const attempts = await attemptsOf(herald.url, appId, id);
      assert.equal(attempts.filter((a) => a.responseStatusCode === 200).length, 1, `${id}: one success`);
      const lost = attempts.filter((a) => a.responseStatusCode === 0);
      if (inFlight.has(id)) {
        assert.equal(lost.length, 1, `${id} was in flight: one failed attempt`);
        assert.match(lost[0]!.response, /the delivery thread ended \(exit code 1\) before the answer came back/);
      } else {
        assert.equal(lost.length, 0, `${id} was not in flight: no failed attempt`);
      }
    }
    const seen = new Map<string, number>();
    for (const r of receiver.received) seen.set(String(r.headers['webhook-id']), (seen.get(String(r.headers['webhook-id'])) ?? 0) + 1);
    for (const id of ids) assert.equal(seen.get(id), inFlight.has(id) ? 2 : 1, `${id}: sent again only when its answer was lost with the thread`);
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});

test('stop waits for the attempts in flight in the threads and records them; nothing is sent again', { timeout: 60_000 }, async () => {
  const dataDir = tempDir('herald-threads-stop-');
  const receiver = await Receiver.start();
  receiver.responder = (_req, res) => setTimeout(() => res.writeHead(200).end('ok'), 1_000);
  const env = { HERALD_DATA_DIR: dataDir, HERALD_DELIVERY_THREADS: '2' };
  try {
    const first = await startTestHerald(env);
    const { appId } = await appWithEndpoints(first.url, [receiver]);
    const ids = [];
    for (let n = 0; n < 5; n++) ids.push(await publish(first.url, appId, n));
    await receiver.waitFor((all) => all.length >= 5, 10_000, 'five attempts in flight');
    const stoppedAt = Date.now();
    await first.stop();
    assert.ok(Date.now() - stoppedAt >= 700, `stop waited for the answers (${Date.now() - stoppedAt} ms)`);

    const second = await startTestHerald({ ...env, HERALD_DELIVERY_THREADS: '0' });
    try {
      await deliveriesSettled(second, appId);
      for (const id of ids) {
        const attempts = await attemptsOf(second.url, appId, id);
        assert.deepEqual(attempts.map((a) => a.responseStatusCode), [200], `${id}: the attempt in flight at stop was recorded, once`);
      }
      assert.equal(receiver.received.length, 5, 'nothing was sent again');
    } finally {
      await second.stop();
    }
  } finally {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a thread that is alive but stuck is ended past its requests\' deadlines: they fail as Herald\'s fault, and a new thread takes its place', { timeout: 30_000 }, async () => {
  // Loads, then spins forever on the first batch it is handed: alive, never answering.
  const stuck = () => new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.postMessage({ type: 'ready' });
     parentPort.on('message', (m) => { if (m.type === 'send') for (;;) {} });`,
    { eval: true },
  );
  const transport = new ThreadedHttpTransport(1, 500, { allowPrivate: true }, silent, stuck);
  try {
    await transport.ready();
    const first = transport.workerFor('http://127.0.0.1:9/')!;
    const started = Date.now();
    const outcomes = await Promise.all([1, 2, 3].map(() => transport.send(signed('http://127.0.0.1:9/x', 500))));
    const waited = Date.now() - started;
    for (const outcome of outcomes) {
      assert.equal(outcome.statusCode, null);
      assert.equal(outcome.heraldFault, true, 'not counted against the endpoint');
      assert.match(outcome.body, /the delivery thread ended/);
    }
    // The deadline (0.5 s) and the grace (5 s), seen at two checks a second apart.
    assert.ok(waited >= 5_500 && waited < 10_000, `failed after ${waited} ms`);
    assert.notEqual(transport.workerFor('http://127.0.0.1:9/'), first, 'a new thread took its place');
  } finally {
    await transport.close();
  }
});
