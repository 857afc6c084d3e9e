import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startCli } from '../helpers/cli-process.ts';
import { ADMIN_TOKEN, api, runCli, startTestHerald, tempDir } from '../helpers/herald.ts';

/**
 * `herald destination` and `herald poll` as a user runs them (child processes against a running server): create a
 * broker destination with its credentials from a file, list it without them, and read a poller's messages as JSON
 * lines, with a named consumer that goes on where the last run stopped.
 */

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let env: Record<string, string>;
let appId: string;

before(async () => {
  herald = await startTestHerald();
  env = { HERALD_URL: herald.url, HERALD_TOKEN: ADMIN_TOKEN };
  appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'cli-destinations' })).json.id;
});
after(() => herald.cleanup());

const cli = (...args: string[]) => runCli(args, env);
const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));

test('herald destination create/list/update/secret/delete, the config from a file and never printed back with its password', async () => {
  const dir = tempDir('herald-cli-dest-');
  const file = path.join(dir, 'rabbit.json');
  writeFileSync(file, JSON.stringify({ uri: 'amqp://guest:very-secret@127.0.0.1:5672', routingKey: 'webhooks' }));
  const created = await cli('destination', 'create', 'rabbitMq', '--app', appId, '--config-file', file, '--event-types', 'order.paid,order.refunded', '--json');
  assert.equal(created.code, 0, created.output);
  const dest = JSON.parse(created.stdout);
  assert.equal(dest.type, 'rabbitMq');
  assert.deepEqual(dest.eventTypes, ['order.paid', 'order.refunded']);
  const list = await cli('destination', 'list', '--app', appId);
  assert.equal(list.code, 0, list.output);
  assert.match(list.stdout, new RegExp(dest.id));
  assert.match(list.stdout, /rabbitMq/);
  assert.doesNotMatch(list.stdout + created.stdout, /very-secret/);
  const updated = await cli('destination', 'update', dest.id, '--app', appId, '--config', '{"routingKey":"other"}', '--batch-size', '10', '--max-wait', '1', '--json');
  assert.equal(updated.code, 0, updated.output);
  assert.equal(JSON.parse(updated.stdout).config.routingKey, 'other');
  assert.equal(JSON.parse(updated.stdout).batchSize, 10);
  assert.equal(JSON.parse(updated.stdout).config.uri, 'amqp://guest@127.0.0.1:5672', 'the stored URI was kept by the merge');
  const secret = await cli('destination', 'secret', dest.id, '--app', appId);
  assert.match(secret.stdout.trim(), /^whsec_/);
  const refused = await cli('destination', 'create', 'sqs', '--app', appId, '--config', '{}');
  assert.notEqual(refused.code, 0);
  assert.match(refused.output, /sqs is a Svix Cloud destination this server cannot deliver to/);
  const deleted = await cli('destination', 'delete', dest.id, '--app', appId);
  assert.equal(deleted.code, 0, deleted.output);
});

test('herald poll prints the poller\'s messages as JSON lines; a --consumer goes on where its last run stopped', async () => {
  const created = await cli('destination', 'create', 'pollingEndpoint', '--app', appId, '--event-types', 'a.b', '--json');
  assert.equal(created.code, 0, created.output);
  const poller = JSON.parse(created.stdout).id as string;
  const sent: string[] = [];
  for (let i = 0; i < 3; i++) sent.push((await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload: { i } })).json.id);
  await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'not.polled', payload: {} });
  // A poll returns messages once they have settled (about a second).
  await new Promise((resolve) => setTimeout(resolve, 1200));

  const all = await cli('poll', poller, '--app', appId);
  assert.equal(all.code, 0, all.output);
  assert.deepEqual(lines(all.stdout).map((m) => m.id), sent);
  assert.match(all.output, new RegExp(`iterator: ${sent[2]}`), "the iterator to go on from is printed (on stderr)");

  const first = await cli('poll', poller, '--app', appId, '--consumer', 'nightly', '--limit', '2');
  assert.deepEqual(lines(first.stdout).map((m) => m.payload.i), [0, 1, 2], 'every page, two messages a request');
  const none = await cli('poll', poller, '--app', appId, '--consumer', 'nightly');
  assert.equal(none.code, 0, none.output);
  assert.equal(none.stdout.trim(), '', 'nothing new since the last run');
  for (let i = 3; i < 5; i++) sent.push((await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload: { i } })).json.id);
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const rest = await cli('poll', poller, '--app', appId, '--consumer', 'nightly');
  assert.deepEqual(lines(rest.stdout).map((m) => m.payload.i), [3, 4], 'the consumer went on where it stopped');

  const fromIterator = await cli('poll', poller, '--app', appId, '--iterator', sent[0]!);
  assert.deepEqual(lines(fromIterator.stdout).map((m) => m.id), sent.slice(1));

  const following = await cli('poll', poller, '--app', appId, '--consumer', 'nope', '--after', '1h');
  assert.notEqual(following.code, 0, 'a consumer takes no --after');
});

test('herald poll --follow prints messages as they arrive, and a consumer that was stopped goes on from where it was', async () => {
  const poller = JSON.parse((await cli('destination', 'create', 'pollingEndpoint', '--app', appId, '--event-types', 'live.event', '--json')).stdout).id as string;
  const following = startCli(['poll', poller, '--app', appId, '--consumer', 'tail', '--follow', '--interval', '0.2'], env);
  try {
    const first = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'live.event', payload: { n: 1 } })).json.id as string;
    await following.waitFor('stdout', first);
    const second = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'live.event', payload: { n: 2 } })).json.id as string;
    await following.waitFor('stdout', second);
  } finally {
    assert.equal(await following.stop(), 0, 'an interrupt ends it cleanly');
  }
  assert.deepEqual(lines(following.stdout()).map((m) => m.payload.n), [1, 2]);
  await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'live.event', payload: { n: 3 } });
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const resumed = await cli('poll', poller, '--app', appId, '--consumer', 'tail');
  assert.deepEqual(lines(resumed.stdout).map((m) => m.payload.n), [3]);
});
