import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import amqp, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { Redis } from 'ioredis';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { connect as connectNats, type JetStreamManager, type Msg, type NatsConnection } from 'nats';
import pg from 'pg';
import { POSTGRES_DESTINATION_TABLE_SQL, createPublisher, validMqttTopic, validNatsSubject, validTableName, type PublishedMessage, type Publisher } from '../../src/destinations/publishers/index.ts';
import { PG_TEST_URL, postgresUnavailable } from '../helpers/pg.ts';
import { until } from '../helpers/wait.ts';

const TIMEOUT_MS = 5_000;
/** A refused connection must fail this fast: far under TIMEOUT_MS, so it was not the timeout that ended it. */
const PROMPT_MS = 1_500;
const RUN = randomBytes(5).toString('hex');
const PG_PORT = Number(new URL(PG_TEST_URL).port || 5432);

/** Whether a local service answers on its port: the reason to skip if not, except under CI=true, where it throws. */
async function serviceUnavailable(name: string, port: number): Promise<string | false> {
  const socket = net.connect({ host: '127.0.0.1', port, timeout: 2_000 });
  const answered = await new Promise<boolean>((resolve) => {
    socket.on('connect', () => resolve(true)).on('error', () => resolve(false)).on('timeout', () => resolve(false));
  });
  socket.destroy();
  if (answered) return false;
  const reason = `${name} is not reachable at 127.0.0.1:${port}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason}; CI=true requires it`);
  process.stderr.write(`\n!!! ${reason}: SKIPPING the ${name} destination tests.\n\n`);
  return reason;
}

/** Probed before any test is defined, so that under CI=true a missing service fails the file before anything runs. */
const unavailable = {
  rabbitMq: await serviceUnavailable('RabbitMQ', 5672),
  postgres: await postgresUnavailable(),
  nats: await serviceUnavailable('NATS', 4222),
  mqtt: await serviceUnavailable('MQTT', 1883),
  redis: await serviceUnavailable('Redis', 6379),
};

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP relay to a local service that can be cut (listener and open connections) and restored on the same port. */
class Relay {
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  constructor(readonly port: number, private readonly target: number) {}

  async start(): Promise<void> {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('error', () => {}).on('close', () => this.#sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    if (this.#server) await new Promise((resolve) => this.#server!.close(resolve));
    this.#server = undefined;
  }
}

let sequence = 0;
function batchOf(count: number): PublishedMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `msg_${RUN}_${++sequence}`;
    const timestamp = Date.now() - i * 1_000;
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(timestamp / 1000)), 'webhook-signature': `v1,${randomBytes(32).toString('base64')}`, 'x-tenant': 'acme' };
    return { id, eventType: 'invoice.paid', headers, body: JSON.stringify({ n: i, note: 'héllo ✓ "quoted"' }), timestamp };
  });
}

async function assertRefusedPromptly(publisher: Publisher, service: string, port: number): Promise<void> {
  const started = performance.now();
  await assert.rejects(publisher.publish(batchOf(1), TIMEOUT_MS), { message: `${service} refused the connection: ECONNREFUSED 127.0.0.1:${port}` });
  assert.ok(performance.now() - started < PROMPT_MS, `refused after ${Math.round(performance.now() - started)} ms`);
}

/**
 * Refused while the service is away, delivers once it is back, fails when cut mid-connection, delivers again after;
 * and a publish after close() opens a new connection.
 */
async function assertRecovers(service: string, target: number, publisherAt: (port: number) => Publisher): Promise<void> {
  const relay = new Relay(await closedPort(), target);
  const publisher = publisherAt(relay.port);
  try {
    await assertRefusedPromptly(publisher, service, relay.port);
    await relay.start();
    await publisher.publish(batchOf(2), TIMEOUT_MS);
    await relay.cut();
    await assert.rejects(publisher.publish(batchOf(1), TIMEOUT_MS), { message: new RegExp(`^${service}`) });
    await relay.start();
    await publisher.publish(batchOf(2), TIMEOUT_MS);
    await publisher.close();
    await publisher.publish(batchOf(1), TIMEOUT_MS);
  } finally {
    await publisher.close();
    await relay.cut();
  }
}

/** A server that accepts connections and never says a word: a publisher's only way out is its timeout. */
async function silentServer(): Promise<{ port: number; accepted: () => number; open: () => number; stop: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.resume().on('error', () => {});
    socket.on('end', () => socket.destroy()).on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    open: () => sockets.size,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('every publisher, against a server that never answers', () => {
  const silentAt: Record<string, (port: number) => Publisher> = {
    RabbitMQ: (port) => createPublisher('rabbitMq', { uri: `amqp://guest:guest@127.0.0.1:${port}`, routingKey: 'q' }),
    PostgreSQL: (port) => createPublisher('postgres', { url: `postgres://postgres@127.0.0.1:${port}/test`, tableName: 'events' }),
    NATS: (port) => createPublisher('nats', { url: `nats://127.0.0.1:${port}`, subject: 's' }),
    MQTT: (port) => createPublisher('mqtt', { url: `mqtt://127.0.0.1:${port}`, topic: 't' }),
    Redis: (port) => createPublisher('redis', { url: `redis://127.0.0.1:${port}`, stream: 's' }),
  };
  for (const [service, publisherAt] of Object.entries(silentAt)) {
    test(`${service}: times out at timeoutMs, lets the connection go, and opens a new one for the next publish`, async () => {
      const server = await silentServer();
      const publisher = publisherAt(server.port);
      try {
        for (const attempt of [1, 2]) {
          const started = performance.now();
          await assert.rejects(publisher.publish(batchOf(1), 300), { message: `${service}: timed out after 0.3s` });
          // At timeoutMs, not at a library's own default (20 s for nats.js, 30 s for mqtt.js): the margin is for a busy machine.
          assert.ok(performance.now() - started < 1_000, `timed out after ${Math.round(performance.now() - started)} ms`);
          assert.equal(server.accepted(), attempt);
        }
        // nats.js 2.x never closes the socket of a connection that timed out before the server's INFO (its transport's
        // close() returns early when not connected), and gives no handle to close it with.
        if (service !== 'NATS') await until(`${service} to close its sockets`, () => server.open() === 0, 2_000);
      } finally {
        await publisher.close();
        await server.stop();
      }
    });
  }
});

test('a NATS subject or MQTT topic no message can be published on is refused before connecting', async () => {
  for (const subject of ['orders', 'orders.paid', 'a-b_c.D$1']) assert.ok(validNatsSubject(subject), subject);
  for (const subject of ['', 'a b', 'a.*', 'a.>', 'a..b', '.a', 'a.', 'a\tb']) assert.ok(!validNatsSubject(subject), subject);
  for (const topic of ['orders', 'a/b/c', '/a', 'a b']) assert.ok(validMqttTopic(topic), topic);
  for (const topic of ['', 'a/+/c', 'a/#', 'a\u0000b']) assert.ok(!validMqttTopic(topic), topic);
  const port = await closedPort();
  const nats = createPublisher('nats', { url: `nats://127.0.0.1:${port}`, subject: 'a b' });
  await assert.rejects(nats.publish(batchOf(1), TIMEOUT_MS), { message: /^NATS: "a b" is not a subject/ });
  const mqtt = createPublisher('mqtt', { url: `mqtt://127.0.0.1:${port}`, topic: 'a/#' });
  await assert.rejects(mqtt.publish(batchOf(1), TIMEOUT_MS), { message: /^MQTT: "a\/#" is not a topic/ });
});

describe('RabbitMQ publisher', { skip: unavailable.rabbitMq }, () => {
  const uri = (port = 5672): string => `amqp://guest:guest@127.0.0.1:${port}`;
  const queue = `herald-test-${RUN}`;
  let admin: ChannelModel;
  let channel: Channel;
  before(async () => {
    admin = await amqp.connect(uri());
    channel = await admin.createChannel();
    await channel.assertQueue(queue, { durable: false });
  });
  after(async () => {
    await channel.deleteQueue(queue);
    await admin.close();
  });

  test('a batch reaches a queue intact, with its id, type, timestamp and headers', async () => {
    const publisher = createPublisher('rabbitMq', { uri: uri(), routingKey: queue });
    const batch = batchOf(3);
    try {
      await publisher.publish(batch, TIMEOUT_MS);
    } finally {
      await publisher.close();
    }
    const got: GetMessage[] = [];
    await until('3 messages in the queue', async () => {
      const message = await channel.get(queue, { noAck: true });
      if (message !== false) got.push(message);
      return got.length === 3;
    });
    for (const [i, message] of got.entries()) {
      const sent = batch[i]!;
      assert.equal(message.content.toString(), sent.body);
      assert.equal(message.properties.messageId, sent.id);
      assert.equal(message.properties.type, 'invoice.paid');
      assert.equal(message.properties.contentType, 'application/json');
      assert.equal(message.properties.deliveryMode, 2);
      assert.equal(message.properties.timestamp, Math.floor(sent.timestamp / 1000));
      assert.deepEqual(message.properties.headers, sent.headers);
    }
  });

  test('a message no queue is bound for is a failure, not a silent drop', async () => {
    const publisher = createPublisher('rabbitMq', { uri: uri(), routingKey: `nobody-${RUN}` });
    try {
      await assert.rejects(publisher.publish(batchOf(3), TIMEOUT_MS), { message: `RabbitMQ could not route the message: no queue is bound to routing key nobody-${RUN} on the default exchange` });
      // The channel survives a returned message: the same publisher goes on publishing.
      await assert.rejects(publisher.publish(batchOf(1), TIMEOUT_MS), { message: /^RabbitMQ could not route/ });
    } finally {
      await publisher.close();
    }
  });

  test('a message the broker refuses (a full queue that rejects new ones) is a failure', async () => {
    const full = `herald-test-${RUN}-full`;
    await channel.assertQueue(full, { durable: false, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    const publisher = createPublisher('rabbitMq', { uri: uri(), routingKey: full });
    try {
      await assert.rejects(publisher.publish(batchOf(3), TIMEOUT_MS), { message: /^RabbitMQ refused the message \(nack\)/ });
    } finally {
      await publisher.close();
      await channel.deleteQueue(full);
    }
  });

  test('a missing exchange is named; a named exchange routes to its bound queue', async () => {
    const missing = createPublisher('rabbitMq', { uri: uri(), routingKey: queue, exchange: `absent-${RUN}` });
    try {
      await assert.rejects(missing.publish(batchOf(1), TIMEOUT_MS), { message: new RegExp(`^RabbitMQ: .*no exchange 'absent-${RUN}'`) });
    } finally {
      await missing.close();
    }
    const exchange = `herald-test-${RUN}`;
    await channel.assertExchange(exchange, 'direct', { durable: false, autoDelete: true });
    await channel.bindQueue(queue, exchange, 'invoices');
    const publisher = createPublisher('rabbitMq', { uri: uri(), routingKey: 'invoices', exchange });
    try {
      const [sent] = batchOf(1);
      await publisher.publish([sent!], TIMEOUT_MS);
      const got = await until('the message in the bound queue', () => channel.get(queue, { noAck: true }));
      assert.equal(got.properties.messageId, sent!.id);
    } finally {
      await publisher.close();
      await channel.deleteExchange(exchange);
    }
  });

  test('a refused connection fails promptly, and the publisher reconnects once the broker is back', async () => {
    await assertRecovers('RabbitMQ', 5672, (port) => createPublisher('rabbitMq', { uri: uri(port), routingKey: queue }));
    await channel.purgeQueue(queue);
  });
});

describe('PostgreSQL publisher', { skip: unavailable.postgres }, () => {
  const schema = `herald_dest_${RUN}`;
  const table = `${schema}.Events`;
  const urlAt = (port: number): string => Object.assign(new URL(PG_TEST_URL), { port: String(port) }).href;
  const admin = new pg.Pool({ connectionString: PG_TEST_URL, max: 1 });
  before(async () => {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(POSTGRES_DESTINATION_TABLE_SQL(table));
  });
  after(async () => {
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  });

  test('table names: 1 to 3 plain identifiers, each quoted', () => {
    for (const name of ['events', 'public.events', 'db.public.Events_2', `e$${'x'.repeat(61)}`]) assert.ok(validTableName(name), name);
    for (const name of ['', 'a.b.c.d', '"events"', 'ev-ents', '1events', 'a..b', 'x'.repeat(64), 'events; DROP TABLE x']) assert.ok(!validTableName(name), name);
    assert.match(POSTGRES_DESTINATION_TABLE_SQL('public.Events'), /^CREATE TABLE "public"\."Events" \(/);
    assert.throws(() => POSTGRES_DESTINATION_TABLE_SQL('a"b'), /not a table name/);
  });

  test('a batch becomes rows intact; a redelivered message is not inserted twice', async () => {
    const publisher = createPublisher('postgres', { url: PG_TEST_URL, tableName: table });
    const batch = batchOf(3);
    try {
      await publisher.publish(batch, TIMEOUT_MS);
      await publisher.publish(batch, TIMEOUT_MS);
    } finally {
      await publisher.close();
    }
    const { rows } = await admin.query(`SELECT id, event_type, payload, headers, created_at FROM "${schema}"."Events" WHERE id = ANY($1) ORDER BY id`, [batch.map((m) => m.id)]);
    assert.equal(rows.length, 3);
    for (const [i, row] of rows.entries()) {
      const sent = batch[i]!;
      assert.deepEqual(row, { id: sent.id, event_type: 'invoice.paid', payload: JSON.parse(sent.body), headers: sent.headers, created_at: new Date(sent.timestamp) });
    }
  });

  test('a missing table is named', async () => {
    const publisher = createPublisher('postgres', { url: PG_TEST_URL, tableName: `${schema}.missing` });
    try {
      await assert.rejects(publisher.publish(batchOf(3), TIMEOUT_MS), { message: `PostgreSQL: relation "${schema}.missing" does not exist` });
    } finally {
      await publisher.close();
    }
  });

  test('a refused connection fails promptly, and the pool reconnects once the server is back', async () => {
    await assertRecovers('PostgreSQL', PG_PORT, (port) => createPublisher('postgres', { url: urlAt(port), tableName: table }));
  });
});

describe('NATS publisher', { skip: unavailable.nats }, () => {
  const url = (port = 4222): string => `nats://127.0.0.1:${port}`;
  let consumer: NatsConnection;
  let streams: JetStreamManager;
  before(async () => {
    consumer = await connectNats({ servers: url() });
    streams = await consumer.jetstreamManager();
  });
  after(() => consumer.close());

  test('core NATS: a subscriber receives a batch intact, with the headers and Nats-Msg-Id', async () => {
    const subject = `herald.test.${RUN}.core`;
    const got: Msg[] = [];
    const subscription = consumer.subscribe(subject, { callback: (_err, message) => got.push(message) });
    await consumer.flush();
    const publisher = createPublisher('nats', { url: url(), subject });
    const batch = batchOf(3);
    try {
      await publisher.publish(batch, TIMEOUT_MS);
      await until('3 messages on the subject', () => got.length === 3);
    } finally {
      subscription.unsubscribe();
      await publisher.close();
    }
    for (const [i, message] of got.entries()) {
      const sent = batch[i]!;
      assert.equal(message.string(), sent.body);
      assert.equal(message.headers?.get('Nats-Msg-Id'), sent.id);
      for (const [name, value] of Object.entries(sent.headers)) assert.equal(message.headers?.get(name), value, name);
    }
  });

  test('JetStream: the stream stores a batch once, however often it is published', async () => {
    const stream = `HERALD_TEST_${RUN}`;
    const subject = `herald.test.${RUN}.js`;
    await streams.streams.add({ name: stream, subjects: [subject] });
    const publisher = createPublisher('nats', { url: url(), subject, jetStream: true });
    const batch = batchOf(3);
    try {
      await publisher.publish(batch, TIMEOUT_MS);
      await publisher.publish(batch, TIMEOUT_MS);
      assert.equal((await streams.streams.info(stream)).state.messages, 3);
      for (const [i, sent] of batch.entries()) {
        const stored = await streams.streams.getMessage(stream, { seq: i + 1 });
        assert.equal(stored.string(), sent.body);
        assert.equal(stored.header.get('Nats-Msg-Id'), sent.id);
        assert.equal(stored.header.get('webhook-signature'), sent.headers['webhook-signature']);
      }
    } finally {
      await publisher.close();
      await streams.streams.delete(stream);
    }
  });

  test('JetStream: a subject no stream listens on is a failure', async () => {
    const subject = `herald.test.${RUN}.nostream`;
    const publisher = createPublisher('nats', { url: url(), subject, jetStream: true });
    try {
      await assert.rejects(publisher.publish(batchOf(3), TIMEOUT_MS), { message: `NATS JetStream: no stream listens on subject ${subject}` });
    } finally {
      await publisher.close();
    }
  });

  test('a refused connection fails promptly, and the publisher reconnects once the server is back', async () => {
    await assertRecovers('NATS', 4222, (port) => createPublisher('nats', { url: url(port), subject: `herald.test.${RUN}.relay` }));
  });
});

describe('MQTT publisher', { skip: unavailable.mqtt }, () => {
  const url = (port = 1883): string => `mqtt://127.0.0.1:${port}`;
  let subscriber: MqttClient;
  before(async () => {
    subscriber = await connectAsync(url(), { protocolVersion: 5, reconnectPeriod: 0 });
  });
  after(() => subscriber.endAsync());

  // 60 is past Mosquitto's Receive Maximum (20): more QoS 2 publishes in flight than that fail with "Quota exceeded".
  for (const [qos, count] of [[1, 3], [2, 3], [2, 60]] as const) {
    test(`QoS ${qos}: a subscriber receives a batch of ${count} intact, the headers as user properties`, async () => {
      const topic = `herald/test/${RUN}/qos${qos}-${count}`;
      const got: IPublishPacket[] = [];
      const onMessage = (_topic: string, _payload: Buffer, packet: IPublishPacket): void => {
        if (packet.topic === topic) got.push(packet);
      };
      subscriber.on('message', onMessage);
      await subscriber.subscribeAsync(topic, { qos });
      const publisher = createPublisher('mqtt', { url: url(), topic, qos });
      const batch = batchOf(count);
      try {
        await publisher.publish(batch, TIMEOUT_MS);
        await until(`${count} messages on the topic`, () => got.length === count);
      } finally {
        subscriber.off('message', onMessage);
        await subscriber.unsubscribeAsync(topic);
        await publisher.close();
      }
      const byId = new Map(got.map((packet) => [packet.properties?.userProperties?.['webhook-id'], packet]));
      for (const sent of batch) {
        const packet = byId.get(sent.id);
        assert.ok(packet, `${sent.id} arrived`);
        assert.equal(packet.payload.toString(), sent.body);
        assert.equal(packet.properties?.contentType, 'application/json');
        assert.deepEqual({ ...packet.properties?.userProperties }, sent.headers);
      }
    });
  }

  test('a refused connection fails promptly, and the publisher reconnects once the broker is back', async () => {
    await assertRecovers('MQTT', 1883, (port) => createPublisher('mqtt', { url: url(port), topic: `herald/test/${RUN}/relay` }));
  });
});

describe('Redis publisher', { skip: unavailable.redis }, () => {
  const url = (port = 6379): string => `redis://127.0.0.1:${port}`;
  const stream = `herald:test:${RUN}`;
  const reader = new Redis(url(), { lazyConnect: true });
  after(async () => {
    await reader.del(stream, `${stream}:relay`);
    reader.disconnect();
  });

  test('a batch becomes stream entries intact, with the headers as JSON', async () => {
    const publisher = createPublisher('redis', { url: url(), stream, maxLen: 1_000 });
    const batch = batchOf(3);
    try {
      await publisher.publish(batch, TIMEOUT_MS);
    } finally {
      await publisher.close();
    }
    const entries = await reader.xrange(stream, '-', '+');
    assert.equal(entries.length, 3);
    for (const [i, [, fields]] of entries.entries()) {
      const sent = batch[i]!;
      assert.deepEqual(fields, ['id', sent.id, 'event-type', 'invoice.paid', 'timestamp', String(sent.timestamp), 'headers', JSON.stringify(sent.headers), 'payload', sent.body]);
    }
  });

  test('a key that is not a stream is a failure', async () => {
    const key = `${stream}:string`;
    await reader.set(key, 'x');
    const publisher = createPublisher('redis', { url: url(), stream: key });
    try {
      await assert.rejects(publisher.publish(batchOf(2), TIMEOUT_MS), { message: /^Redis: WRONGTYPE/ });
    } finally {
      await publisher.close();
      await reader.del(key);
    }
  });

  test('a refused connection fails promptly, and the publisher reconnects once the server is back', async () => {
    await assertRecovers('Redis', 6379, (port) => createPublisher('redis', { url: url(port), stream: `${stream}:relay` }));
  });
});
