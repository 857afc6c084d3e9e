import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SignedRequest } from '../../src/delivery/transport.ts';
import type { Publisher, PublishedMessage } from '../../src/destinations/publishers/publisher.ts';
import { DestinationTransport } from '../../src/destinations/transport.ts';
import type { EndpointDestination } from '../../src/store/types.ts';

/** DestinationTransport with a fake publisher: batching, outcomes shared by a batch, reconnection on a config change, idle closing. */

class FakePublisher implements Publisher {
  readonly batches: PublishedMessage[][] = [];
  closed = false;
  failWith: Error | null = null;
  async publish(batch: readonly PublishedMessage[]): Promise<void> {
    this.batches.push([...batch]);
    if (this.failWith) throw this.failWith;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function rig(idleCloseMs?: number) {
  const made: { config: Record<string, unknown>; publisher: FakePublisher }[] = [];
  const transport = new DestinationTransport({ allowPrivate: true }, (_type, config) => {
    const publisher = new FakePublisher();
    made.push({ config, publisher });
    return publisher;
  }, idleCloseMs);
  return { transport, made };
}

const destination = (batchSize: number, maxWaitSecs: number, routingKey = 'q'): EndpointDestination =>
  ({ type: 'rabbitMq', config: { uri: 'amqp://127.0.0.1:5672', routingKey }, batchSize, maxWaitSecs });

const request = (n: number, dest: EndpointDestination, endpointId = 'dest_1'): SignedRequest => ({
  url: 'amqp://127.0.0.1:5672', headers: { 'webhook-id': `msg_${n}`, 'webhook-timestamp': '1700000000' }, body: `{"n":${n}}`, timeoutMs: 5_000,
  destination: dest, attempt: { appId: 'app_1', messageId: `msg_${n}`, endpointId, eventType: 'e', number: 1 },
});

test('a full batch is published at once, in one publish, and every attempt in it is acknowledged', async () => {
  const { transport, made } = rig();
  const dest = destination(3, 60);
  const outcomes = await Promise.all([1, 2, 3].map((n) => transport.send(request(n, dest))));
  assert.equal(made.length, 1, 'one connection for the destination');
  assert.deepEqual(made[0]!.publisher.batches.map((b) => b.map((m) => m.id)), [['msg_1', 'msg_2', 'msg_3']]);
  assert.ok(outcomes.every((o) => o.statusCode === 200 && o.body === 'acknowledged in a batch of 3 by RabbitMQ'));
  assert.equal(made[0]!.publisher.batches[0]![0]!.timestamp, 1_700_000_000_000, 'the message time is its signing time');
  await transport.close();
  assert.ok(made[0]!.publisher.closed);
});

test('a batch that does not fill goes after maxWaitSecs', async () => {
  const { transport, made } = rig();
  const started = Date.now();
  const outcome = await transport.send(request(1, destination(10, 0.2)));
  assert.ok(Date.now() - started >= 180, 'it waited for the batch to fill');
  assert.equal(outcome.statusCode, 200);
  assert.equal(made[0]!.publisher.batches.length, 1);
  await transport.close();
});

test('a failed publish fails every attempt of its batch with the reason, and no answer', async () => {
  const { transport, made } = rig();
  const dest = destination(2, 60);
  const first = transport.send(request(1, dest));
  made[0]!.publisher.failWith = new Error('RabbitMQ refused the connection: ECONNREFUSED 127.0.0.1:5672');
  const outcomes = await Promise.all([first, transport.send(request(2, dest))]);
  for (const outcome of outcomes) {
    assert.equal(outcome.statusCode, null);
    assert.equal(outcome.body, 'RabbitMQ refused the connection: ECONNREFUSED 127.0.0.1:5672');
  }
  await transport.close();
});

test('a changed config opens a new connection and closes the old one; an idle one is closed', async () => {
  const { transport, made } = rig(50);
  await transport.send(request(1, destination(1, 0, 'a')));
  await transport.send(request(2, destination(1, 0, 'b')));
  assert.equal(made.length, 2);
  assert.ok(made[0]!.publisher.closed, 'the connection under the old config is closed');
  assert.equal(made[1]!.config['routingKey'], 'b');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(made[1]!.publisher.closed, 'unused for longer than the idle time: closed');
  await transport.send(request(3, destination(1, 0, 'b')));
  assert.equal(made.length, 3, 'a new connection for the next message');
  await transport.close();
});

test('it takes the broker schemes only', () => {
  const { transport } = rig();
  for (const url of ['amqp://h', 'amqps://h', 'postgres://h/db', 'postgresql://h/db', 'nats://h', 'mqtt://h', 'mqtts://h', 'redis://h', 'rediss://h']) {
    assert.ok(transport.accepts(url), url);
  }
  for (const url of ['http://h', 'https://h', 'herald-listen://x', 'herald-poller:']) assert.ok(!transport.accepts(url), url);
  void transport.close();
});
