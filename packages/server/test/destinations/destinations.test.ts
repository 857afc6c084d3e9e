import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { connect as natsConnect } from 'nats';
import pg from 'pg';
import { DestinationStatusIn, Svix, Webhook } from 'svix';
import { POSTGRES_DESTINATION_TABLE_SQL } from '../../src/destinations/publishers/index.ts';
import { api, deliveriesSettled, startTestHerald, tempDir } from '../helpers/herald.ts';
import { heraldBackends } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

/**
 * Destinations through the svix client (where it has the type) against the real brokers and PostgreSQL on this
 * machine: each delivers signed messages its consumer reads, counts as delivered once acknowledged, retries while the
 * broker refuses the connection, batches, keeps its credentials sealed and out of the API, and a type Herald cannot
 * deliver to is refused.
 */

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const unique = (name: string) => `herald_${name}_${randomBytes(4).toString('hex')}`;

type AttemptOut = { status: number; response: string; responseStatusCode: number; url: string };
const attemptsOf = async (url: string, appId: string, msgId: string): Promise<AttemptOut[]> =>
  (await api(url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}?limit=250`)).json.data;

/** A port nothing listens on now; `open()` then relays it to `target`, as a broker coming back would. */
async function refusingRelay(target: number) {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    port,
    open: () => new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve)),
    close: async () => {
      for (const s of sockets) s.destroy();
      if (relay.listening) await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

const verify = (secret: string, id: string, timestamp: string, signature: string, body: string) =>
  new Webhook(secret).verify(body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature });

const backends = await heraldBackends('herald_destinations');

for (const backend of backends) describe(`destinations (${backend.name})`, { skip: backend.skip }, () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let svix: Svix;
  let env: Record<string, string>;
  const dataDir = tempDir();
  before(async () => {
    env = { HERALD_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ...backend.env() };
    herald = await startTestHerald({ ...env, HERALD_DATA_DIR: dataDir, HERALD_RETRY_SCHEDULE: '0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3' });
    svix = new Svix(herald.token, { serverUrl: herald.url });
  });
  after(async () => {
    await herald.cleanup();
    await backend.cleanup(env);
  });

  /** The destination column as stored, read behind Herald's back. */
  async function storedDestination(id: string): Promise<string> {
    const schema = env['HERALD_DATABASE_SCHEMA'];
    if (schema === undefined) {
      const db = new Database(path.join(dataDir, 'herald.db'), { readonly: true });
      try {
        return (db.prepare('SELECT destination FROM endpoint WHERE id = ?').get(id) as { destination: string }).destination;
      } finally {
        db.close();
      }
    }
    const client = new pg.Client(PG_URL);
    await client.connect();
    try {
      return (await client.query(`SELECT destination FROM "${schema}".endpoint WHERE id = $1`, [id])).rows[0].destination;
    } finally {
      await client.end();
    }
  }

  const secretOf = async (appId: string, destId: string): Promise<string> =>
    (await api(herald.url, 'GET', `/api/v1/app/${appId}/destination/${destId}/secret`)).json.key;

  test('rabbitMq: a signed message reaches the queue, after retries while the broker refused the connection', async () => {
    const queue = unique('q');
    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { autoDelete: false });
    const relay = await refusingRelay(5672);
    try {
      const app = await svix.application.create({ name: 'rabbit' });
      const dest = await svix.destination.create(app.id, { type: 'rabbitMq', config: { uri: `amqp://guest:guest@127.0.0.1:${relay.port}`, routingKey: queue } });
      assert.equal(dest.type, 'rabbitMq');
      assert.deepEqual(dest.config, { routingKey: queue }, 'the svix client reads the config back, without the URI that holds the password');
      const raw = (await api(herald.url, 'GET', `/api/v1/app/${app.id}/destination/${dest.id}`)).json;
      assert.equal(raw.config.uri, `amqp://guest@127.0.0.1:${relay.port}`, 'the URI is shown without its password');
      const msg = await svix.message.create(app.id, { eventType: 'order.paid', payload: { order: 7 } });
      await until('two refused attempts', async () => (await attemptsOf(herald.url, app.id, msg.id)).length >= 2, 10_000);
      const refused = await attemptsOf(herald.url, app.id, msg.id);
      assert.ok(refused.every((a) => a.status === 2 && a.responseStatusCode === 0), 'refused attempts failed');
      assert.match(refused[0]!.response, /ECONNREFUSED|refused/i);
      await relay.open();
      let got: amqp.GetMessage | false = false;
      await until('the message in the queue', async () => (got = await channel.get(queue, { noAck: true })) !== false, 10_000);
      const message = got as unknown as amqp.GetMessage;
      const headers = message.properties.headers as Record<string, string>;
      const body = message.content.toString('utf8');
      assert.deepEqual(JSON.parse(body), { order: 7 });
      assert.equal(message.properties.messageId, msg.id);
      verify(await secretOf(app.id, dest.id), String(headers['webhook-id']), String(headers['webhook-timestamp']), String(headers['webhook-signature']), body);
      await deliveriesSettled(herald, app.id);
      const attempts = await attemptsOf(herald.url, app.id, msg.id);
      assert.equal(attempts[0]!.status, 0, 'the last attempt (newest first) succeeded');
      assert.match(attempts[0]!.response, /acknowledged by RabbitMQ/);
    } finally {
      await relay.close();
      await channel.deleteQueue(queue);
      await connection.close();
    }
  });

  test('postgres: batches fill the table, one INSERT per batch, and the password stays sealed', async () => {
    const table = unique('events');
    const client = new pg.Client(PG_URL);
    await client.connect();
    await client.query(POSTGRES_DESTINATION_TABLE_SQL(table));
    try {
      const app = await svix.application.create({ name: 'pg' });
      const dest = await svix.destination.create(app.id, {
        type: 'postgres', batchSize: 5, maxWaitSecs: 0.5, eventTypes: ['row.added'],
        config: { url: PG_URL, password: 'sealed-pg-password', tableName: `public.${table}` },
      });
      assert.equal(dest.batchSize, 5);
      const shown = (await api(herald.url, 'GET', `/api/v1/app/${app.id}/destination/${dest.id}`)).json.config;
      assert.deepEqual(shown, { url: PG_URL, tableName: `public.${table}` }, 'no password in what the API shows');
      for (let i = 0; i < 7; i++) await svix.message.create(app.id, { eventType: 'row.added', payload: { i } });
      await svix.message.create(app.id, { eventType: 'row.ignored', payload: { i: -1 } });
      await until('7 rows', async () => Number((await client.query(`SELECT count(*) FROM ${table}`)).rows[0].count) === 7, 10_000);
      const { rows } = await client.query(`SELECT id, event_type, payload, headers FROM ${table} ORDER BY (payload->>'i')::int`);
      assert.deepEqual(rows.map((r) => r.payload.i), [0, 1, 2, 3, 4, 5, 6]);
      assert.ok(rows.every((r) => r.event_type === 'row.added' && r.id.startsWith('msg_') && typeof r.headers['webhook-signature'] === 'string'));
      await deliveriesSettled(herald, app.id);
      const attempts = await attemptsOf(herald.url, app.id, rows[0].id);
      assert.match(attempts[0]!.response, /acknowledged in a batch of \d by PostgreSQL/);
      const stored = await storedDestination(dest.id);
      assert.ok(stored.startsWith('enc:v1:'), 'the config is sealed at rest');
      assert.ok(!stored.includes('sealed-pg-password'));
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    }
  });

  test('nats (core and JetStream), mqtt and redis deliver to the local brokers', async () => {
    const app = await svix.application.create({ name: 'brokers' });
    const create = async (type: string, config: Record<string, unknown>) => {
      const res = await api(herald.url, 'POST', `/api/v1/app/${app.id}/destination`, { type, config });
      assert.equal(res.status, 201, res.text);
      return res.json.id as string;
    };
    const subject = unique('subject').replace(/_/g, '.');
    const nc = await natsConnect({ servers: '127.0.0.1:4222' });
    const jsm = await nc.jetstreamManager();
    const stream = unique('stream');
    const jsSubject = `${subject}.js`;
    await jsm.streams.add({ name: stream, subjects: [jsSubject] });
    const topic = `herald/${unique('topic')}`;
    const mq = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5 });
    await mq.subscribeAsync(topic, { qos: 1 });
    const mqttGot: { payload: string; props: Record<string, unknown> }[] = [];
    mq.on('message', (_t, payload, packet) => mqttGot.push({ payload: payload.toString('utf8'), props: (packet.properties?.userProperties ?? {}) as Record<string, unknown> }));
    const natsGot: string[] = [];
    const sub = nc.subscribe(subject, { callback: (_err, m) => natsGot.push(m.string()) });
    const redisStream = unique('stream');
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      await create('nats', { url: 'nats://127.0.0.1:4222', subject });
      await create('nats', { url: 'nats://127.0.0.1:4222', subject: jsSubject, jetStream: true });
      await create('mqtt', { url: 'mqtt://127.0.0.1:1883', topic });
      await create('redis', { url: 'redis://127.0.0.1:6379', stream: redisStream });
      const msg = await svix.message.create(app.id, { eventType: 'thing.happened', payload: { n: 1 } });
      await deliveriesSettled(herald, app.id);
      const attempts = await attemptsOf(herald.url, app.id, msg.id);
      assert.equal(attempts.length, 4);
      assert.ok(attempts.every((a) => a.status === 0), JSON.stringify(attempts));
      await until('nats and mqtt consumers got it', async () => natsGot.length === 1 && mqttGot.length === 1, 5000);
      assert.deepEqual(JSON.parse(natsGot[0]!), { n: 1 });
      assert.deepEqual(JSON.parse(mqttGot[0]!.payload), { n: 1 });
      assert.equal(mqttGot[0]!.props['webhook-id'], msg.id, 'the signature headers travel as MQTT 5 user properties');
      const info = await jsm.streams.info(stream);
      assert.equal(info.state.messages, 1, 'the JetStream stream holds it');
      const entries = await redis.xrange(redisStream, '-', '+');
      assert.equal(entries.length, 1);
      const fields = entries[0]![1];
      assert.equal(fields[fields.indexOf('id') + 1], msg.id);
    } finally {
      sub.unsubscribe();
      await jsm.streams.delete(stream);
      await nc.close();
      await mq.endAsync();
      await redis.del(redisStream);
      redis.disconnect();
    }
  });

  test('fifoEndpoint: strict order per key: a failing message holds back its own key only', async () => {
    const receiver = await Receiver.start();
    try {
      let failuresLeft = 2;
      receiver.responder = (req, res) => {
        const { customer, n } = JSON.parse(req.body.toString('utf8'));
        if (customer === 'a' && n === 1 && failuresLeft-- > 0) return res.writeHead(500).end('not yet');
        res.writeHead(200).end('ok');
      };
      const app = await svix.application.create({ name: 'fifo' });
      const dest = await svix.destination.create(app.id, { type: 'fifoEndpoint', config: { url: receiver.url('/fifo'), headers: { 'x-tenant': 'acme' }, key: 'customer' } });
      assert.equal(dest.type, 'fifoEndpoint');
      for (const [customer, n] of [['a', 1], ['a', 2], ['b', 1], ['a', 3], ['b', 2]] as const) {
        await svix.message.create(app.id, { eventType: 'order.updated', payload: { customer, n } });
      }
      await deliveriesSettled(herald, app.id, 15_000);
      const arrivals = receiver.on('/fifo').map((r) => JSON.parse(r.body.toString('utf8')) as { customer: string; n: number });
      const order = (customer: string) => arrivals.filter((a) => a.customer === customer).map((a) => a.n);
      assert.deepEqual(order('a'), [1, 1, 1, 2, 3], 'a is strictly in order: 2 waited until 1 succeeded on its third try');
      assert.deepEqual(order('b'), [1, 2], 'b in order too');
      const firstA2 = arrivals.findIndex((a) => a.customer === 'a' && a.n === 2);
      const lastB = arrivals.findIndex((a) => a.customer === 'b' && a.n === 2);
      assert.ok(lastB < firstA2, `b was not held back by a's failures: ${JSON.stringify(arrivals)}`);
      assert.equal(receiver.on('/fifo')[0]!.headers['x-tenant'], 'acme');
    } finally {
      await receiver.close();
    }
  });

  test('recover resends what a destination failed for good, once the broker is back (the endpoint routes take its id)', async () => {
    const app = await svix.application.create({ name: 'recover' });
    const closed = await refusingRelay(6379);
    const stream = unique('recovered');
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const created = await api(herald.url, 'POST', `/api/v1/app/${app.id}/destination`, { type: 'redis', config: { url: `redis://127.0.0.1:${closed.port}`, stream } });
      assert.equal(created.status, 201, created.text);
      const destId = created.json.id as string;
      const msg = await svix.message.create(app.id, { eventType: 'e.failed', payload: { n: 1 } });
      await deliveriesSettled(herald, app.id, 15_000);
      const failed = await attemptsOf(herald.url, app.id, msg.id);
      assert.equal(failed.length, 9, 'the first attempt and every retry failed');
      assert.ok(failed.every((a) => a.status === 2) && /refused/i.test(failed[0]!.response), failed[0]!.response);
      const patched = await api(herald.url, 'PATCH', `/api/v1/app/${app.id}/destination/${destId}`, { config: { url: 'redis://127.0.0.1:6379' } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.config.stream, stream, 'the patch kept the stream');
      const task = await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${destId}/recover`, { since: new Date(Date.now() - 60_000).toISOString() });
      assert.equal(task.status, 202, task.text);
      await until('the recovered message in the stream', async () => (await redis.xlen(stream)) === 1, 10_000);
    } finally {
      await closed.close();
      await redis.del(stream);
      redis.disconnect();
    }
  });

  test('pollingEndpoint: poll returns the poller\'s messages; a named consumer resumes where it left off and can seek', async () => {
    const app = await svix.application.create({ name: 'poll' });
    const poller = await svix.destination.create(app.id, { type: 'pollingEndpoint', eventTypes: ['a.b'] });
    const first = await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 1 } });
    await svix.message.create(app.id, { eventType: 'other', payload: { n: 0 } });
    const second = await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 2 } });
    let polled = await svix.message.poller.poll(app.id, poller.id);
    await until('both messages settled', async () => (polled = await svix.message.poller.poll(app.id, poller.id)).data.length === 2, 5000);
    assert.deepEqual(polled.data.map((m) => [m.id, m.payload]), [[first.id, { n: 1 }], [second.id, { n: 2 }]]);
    assert.equal(polled.iterator, second.id);
    assert.equal((await svix.message.poller.poll(app.id, poller.id, { iterator: polled.iterator })).data.length, 0);
    const one = await svix.message.poller.consumerPoll(app.id, poller.id, 'billing', { limit: 1 });
    assert.deepEqual(one.data.map((m) => m.id), [first.id]);
    const next = await svix.message.poller.consumerPoll(app.id, poller.id, 'billing', { limit: 1 });
    assert.deepEqual(next.data.map((m) => m.id), [second.id], 'the consumer resumed after what it read');
    assert.equal((await svix.message.poller.consumerPoll(app.id, poller.id, 'billing')).data.length, 0);
    assert.deepEqual((await svix.message.poller.consumerPoll(app.id, poller.id, 'audit')).data.map((m) => m.id), [first.id, second.id], 'another consumer has its own position');
    await svix.message.poller.consumerSeek(app.id, poller.id, 'billing', { after: new Date(Date.now() - 60_000) });
    assert.equal((await svix.message.poller.consumerPoll(app.id, poller.id, 'billing')).data.length, 2, 'seeking back reads again');
    const stats = (await api(herald.url, 'GET', `/api/v1/app/${app.id}/attempt/msg/${first.id}`)).json;
    assert.equal(stats.data.length, 0, 'nothing was delivered to the poller');
    assert.equal((await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${poller.id}/send-test`)).status, 409, 'nor can a test message be');
  });

  test('a type Herald cannot deliver to, bad config and unknown settings are refused with 422 and nothing is stored', async () => {
    const app = await svix.application.create({ name: 'refused' });
    await assert.rejects(svix.destination.create(app.id, { type: 'sqs', config: { queueDsn: 'x', accessKey: 'a', secretKey: 'b', region: 'r' } } as never), (err: { code: number; body: { detail: { type: string; msg: string }[] } }) => {
      assert.equal(err.code, 422);
      assert.equal(err.body.detail[0]!.type, 'destination_type_unsupported');
      assert.match(err.body.detail[0]!.msg, /sqs is a Svix Cloud destination this server cannot deliver to/);
      return true;
    });
    for (const body of [
      { type: 'rabbitMq', config: { uri: 'http://127.0.0.1', routingKey: 'q' } },
      { type: 'rabbitMq', config: { uri: 'amqp://127.0.0.1', routingkey: 'q' } },
      { type: 'postgres', config: { url: 'postgres://u:pw@127.0.0.1/db', tableName: 'events' } },
      { type: 'postgres', config: { url: PG_URL, tableName: 'bad"name' } },
      { type: 'mqtt', config: { url: 'mqtt://127.0.0.1', topic: 'a/#' } },
      { type: 'nats', config: { url: 'nats://127.0.0.1', subject: 'a.*' } },
      { type: 'redis', config: { url: 'redis://127.0.0.1', stream: 's', maxLen: -1 } },
      { type: 'nats', config: { url: 'nats://127.0.0.1', subject: 'a' }, maxWaitSecs: 60 },
    ]) {
      const res = await api(herald.url, 'POST', `/api/v1/app/${app.id}/destination`, body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.text}`);
    }
    assert.equal((await api(herald.url, 'GET', `/api/v1/app/${app.id}/destination`)).json.data.length, 0);
  });

  test('destinations are not endpoints: each list and route keeps to its own', async () => {
    const app = await svix.application.create({ name: 'apart' });
    const ep = await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/hook' });
    const dest = await svix.destination.create(app.id, { type: 'pollingEndpoint' });
    assert.deepEqual((await svix.endpoint.list(app.id)).data.map((e) => e.id), [ep.id]);
    assert.deepEqual((await svix.destination.list(app.id)).data.map((d) => d.id), [dest.id]);
    assert.equal((await api(herald.url, 'GET', `/api/v1/app/${app.id}/endpoint/${dest.id}`)).status, 404);
    assert.equal((await api(herald.url, 'GET', `/api/v1/app/${app.id}/destination/${ep.id}`)).status, 404);
    const patched = await svix.destination.patch(app.id, dest.id, { type: 'pollingEndpoint', status: DestinationStatusIn.Disabled, eventTypes: ['x.y'] });
    assert.equal(patched.status, 'disabled');
    assert.deepEqual(patched.eventTypes, ['x.y']);
    await svix.destination.delete(app.id, dest.id);
    assert.equal((await svix.destination.list(app.id)).data.length, 0);
  });
});
