/**
 * docs/destinations.md promises that its worked examples work as written: its CREATE TABLE is the one Herald inserts
 * into, its destination and message requests fill the table with the rows its query shows, and its RabbitMQ
 * destination delivers to the queue it names (retrying while the queue is missing, as the page says).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import amqp from 'amqplib';
import pg from 'pg';
import { POSTGRES_DESTINATION_TABLE_SQL } from '../../src/destinations/publishers/index.ts';
import { docBlocks } from '../helpers/doc-blocks.ts';
import { api, startTestHerald } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';

const { block } = docBlocks('destinations.md');

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let client: pg.Client;
let appId: string;

before(async () => {
  herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '0.5,0.5,0.5,0.5,0.5,0.5' });
  client = new pg.Client(PG_URL);
  await client.connect();
  await client.query('DROP TABLE IF EXISTS public.webhook_events');
  appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'doc destinations' })).json.id;
});
after(async () => {
  await client.query('DROP TABLE IF EXISTS public.webhook_events');
  await client.end();
  await herald.cleanup();
});

test('the CREATE TABLE on the page is the one Herald documents in code', () => {
  assert.equal(block('sql', 'create-table'), POSTGRES_DESTINATION_TABLE_SQL('webhook_events'));
});

test('the PostgreSQL example fills the table with the rows the page shows', async () => {
  await client.query(block('sql', 'create-table'));
  const created = await api(herald.url, 'POST', `/api/v1/app/${appId}/destination`, JSON.parse(block('request', 'create-postgres')));
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.config.password, undefined, 'the password is not shown');
  const sent = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, JSON.parse(block('request', 'message')));
  assert.equal(sent.status, 202, sent.text);
  const query = block('sql', 'query');
  await until('the row', async () => (await client.query(query)).rows.length === 1, 10_000);
  assert.deepEqual((await client.query(query)).rows, JSON.parse(block('rows', 'query')));
});

test('the RabbitMQ example delivers to the queue it names, once the consumer declared it', async () => {
  const body = JSON.parse(block('request', 'create-rabbitmq'));
  const queue = body.config.routingKey as string;
  const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue);
  try {
    const created = await api(herald.url, 'POST', `/api/v1/app/${appId}/destination`, body);
    assert.equal(created.status, 201, created.text);
    const msg = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'invoice.paid', payload: { invoice: 'in_1002' } })).json;
    await until('an attempt refused for the missing queue', async () => {
      const attempts = (await api(herald.url, 'GET', `/api/v1/app/${appId}/attempt/endpoint/${created.json.id}`)).json.data;
      return attempts.some((a: { status: number; response: string }) => a.status !== 0 && /route/i.test(a.response));
    }, 10_000);
    await channel.assertQueue(queue);
    let got: amqp.GetMessage | false = false;
    await until('the message in the queue', async () => (got = await channel.get(queue, { noAck: true })) !== false, 10_000);
    assert.equal((got as unknown as amqp.GetMessage).properties.messageId, msg.id);
  } finally {
    await channel.deleteQueue(queue);
    await connection.close();
  }
});
