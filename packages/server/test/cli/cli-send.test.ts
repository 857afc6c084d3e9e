import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, api, runCli, spawnHerald, tempDir, type HeraldProcess } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

// One server and one receiver for the file; retries come 0.2 s apart, so a failing endpoint gives up at once.
let server: HeraldProcess;
let receiver: Receiver;
let dataDir: string;
let env: Record<string, string>;
/** Paths the receiver answers 500 on, until a test repairs them. */
const failing = new Set<string>();

before(async () => {
  dataDir = tempDir('herald-cli-send-');
  receiver = await Receiver.start();
  receiver.responder = (req, res) => res.writeHead(failing.has(req.path) ? 500 : 200).end();
  server = await spawnHerald([], {
    HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_PORT: '0', HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_RETRY_SCHEDULE: '0.2',
  });
  env = { HERALD_URL: server.url, HERALD_TOKEN: ADMIN_TOKEN };
});

after(async () => {
  server.child.kill('SIGKILL');
  await server.exited;
  await receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const herald = (args: string[], input?: string) => runCli(args, env, 20_000, input);

/** An app with one endpoint on the receiver at `hookPath`, made through the API. */
async function appWithEndpoint(uid: string, hookPath: string): Promise<{ app: string; endpoint: string }> {
  const app = (await api(server.url, 'POST', '/api/v1/app', { name: uid, uid })).json;
  const endpoint = (await api(server.url, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url(hookPath) })).json;
  return { app: app.id, endpoint: endpoint.id };
}

const payloadsAt = (hookPath: string) => receiver.on(hookPath).map((r) => JSON.parse(r.body.toString()));

test('herald send publishes a payload given inline, in a file or on stdin; invalid JSON is exit 2 and sends nothing', async () => {
  await appWithEndpoint('shop', '/shop');
  const dir = tempDir('herald-cli-payload-');
  try {
    writeFileSync(path.join(dir, 'order.json'), JSON.stringify({ order: 2, lines: [{ sku: 'a' }] }));
    const base = ['send', '--app', 'shop', '--event-type', 'order.created'];
    const [inline, file, stdin] = await Promise.all([
      herald([...base, '--data', '{"order": 1}', '--event-id', 'order-1']),
      herald([...base, '--file', path.join(dir, 'order.json'), '--json']),
      herald([...base, '--channels', 'eu,us'], '{"order": 3}\n'),
    ]);
    assert.equal(inline.code, 0, inline.output);
    assert.match(inline.stdout, /^msg_\w+\n$/, 'only the id, for scripts');
    assert.equal(file.code, 0, file.output);
    const fromFile = JSON.parse(file.stdout);
    assert.deepEqual([fromFile.eventType, fromFile.payload], ['order.created', { order: 2, lines: [{ sku: 'a' }] }], "the API's response");
    assert.equal(stdin.code, 0, stdin.output);

    const [broken, brokenStdin, notObject, duplicate] = await Promise.all([
      herald([...base, '--data', '{"order": 4']),
      herald(base, 'order 5\n'),
      herald([...base, '--data', '[6]']),
      herald([...base, '--data', '{"order": 1}', '--event-id', 'order-1']),
    ]);
    assert.equal(broken.code, 2);
    assert.match(broken.output, /herald: the payload from --data is not valid JSON/);
    assert.equal(brokenStdin.code, 2);
    assert.match(brokenStdin.output, /the payload from standard input is not valid JSON/);
    assert.equal(notObject.code, 2);
    assert.match(notObject.output, /must be a JSON object/);
    assert.equal(duplicate.code, 6, 'a second message with the same event id is a conflict');

    await receiver.waitFor(() => receiver.on('/shop').length >= 3, 10_000, 'the three deliveries');
    assert.deepEqual(payloadsAt('/shop').map((p) => p.order).sort(), [1, 2, 3]);
    const listed = (await api(server.url, 'GET', '/api/v1/app/shop/msg')).json.data;
    assert.equal(listed.length, 3, 'nothing refused was sent');
    assert.deepEqual(listed.find((m: { payload: { order: number } }) => m.payload.order === 3).channels, ['eu', 'us']);

    const table = await herald(['message', 'list', '--app', 'shop']);
    assert.match(table.stdout, /^ID\s+EVENT TYPE\s+EVENT ID\s+CHANNELS\s+TAGS\s+CREATED$/m);
    assert.match(table.stdout, /^msg_\w+\s+order\.created\s+order-1\s+/m);
    const got = await herald(['message', 'get', 'order-1', '--app', 'shop']);
    assert.match(got.stdout, /^eventId\s+order-1$/m);
    assert.match(got.stdout, /"order": 1/, 'the payload, pretty-printed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('message resend makes a new, manual attempt; attempt list and get show it', async () => {
  const { app, endpoint } = await appWithEndpoint('resend', '/resend');
  const sent = await herald(['send', '--app', app, '--event-type', 'ping', '--data', '{"n": 1}']);
  const msg = sent.stdout.trim();
  await receiver.waitFor(() => receiver.on('/resend').length === 1, 10_000, 'the first delivery');

  const resent = await herald(['message', 'resend', msg, '--app', 'resend', '--endpoint', endpoint]);
  assert.equal(resent.code, 0, resent.output);
  await receiver.waitFor(() => receiver.on('/resend').length === 2, 10_000, 'the resent delivery');
  const attempts = await until('two attempts recorded', async () => {
    const listed = await herald(['attempt', 'list', '--app', app, '--msg', msg, '--json']);
    const data = JSON.parse(listed.stdout).data as { id: string; triggerType: number }[];
    return data.length === 2 && data;
  });
  assert.deepEqual(attempts.map((a) => a.triggerType), [1, 0], 'newest first: the manual one, then the scheduled one');

  const [byEndpoint, one, missing] = await Promise.all([
    herald(['attempt', 'list', '--app', app, '--endpoint', endpoint]),
    herald(['attempt', 'get', attempts[0]!.id, '--app', app, '--msg', msg, '--json']),
    herald(['message', 'resend', 'msg_nope', '--app', app, '--endpoint', endpoint]),
  ]);
  assert.match(byEndpoint.stdout, /^atmpt_\w+\s+msg_\w+\s+ep_\w+\s+success\s+200\s+\d+\s+manual\s+/m);
  assert.equal(JSON.parse(one.stdout).msgId, msg);
  assert.equal(missing.code, 5);
  assert.match(missing.output, /herald: Message not found/);
});

test('recover and bulk-replay follow their task with progress lines when not on a terminal, and end with a summary', async () => {
  const { app, endpoint } = await appWithEndpoint('flaky', '/flaky');
  failing.add('/flaky');
  for (let n = 0; n < 3; n++) await api(server.url, 'POST', `/api/v1/app/${app}/msg`, { eventType: 'e', payload: { n } });
  await until('three messages to fail for good', async () => {
    const stats = (await api(server.url, 'GET', `/api/v1/app/${app}/endpoint/${endpoint}/stats`)).json;
    return stats.fail === 3;
  });
  failing.delete('/flaky');
  const before = receiver.on('/flaky').length;

  const recover = await herald(['endpoint', 'recover', endpoint, '--app', app, '--since', '10m']);
  assert.equal(recover.code, 0, recover.output);
  assert.match(recover.output, /recovering \[[=\- ]*\] \d\/3 messages, \d sent again\n/, 'plain progress lines');
  assert.match(recover.stdout, /endpoint\.recover qtask_\w+ finished: 3 messages looked at, 3 sent again/);
  await receiver.waitFor(() => receiver.on('/flaky').length === before + 3, 10_000, 'the recovered deliveries');
  await until('the recovered deliveries to be recorded', async () =>
    (await api(server.url, 'GET', `/api/v1/app/${app}/endpoint/${endpoint}/stats`)).json.success === 3);

  const replay = await herald(['endpoint', 'bulk-replay', endpoint, '--app', app, '--since', '10m', '--status', 'success']);
  assert.equal(replay.code, 0, replay.output);
  assert.match(replay.output, /replaying \[[=\- ]*\] \d\/3 messages, \d sent again\n/);
  assert.match(replay.stdout, /finished: 3 messages looked at, 3 sent again/);

  const started = await herald(['endpoint', 'replay-missing', endpoint, '--app', app, '--since', '10m', '--no-wait', '--json']);
  const task = JSON.parse(started.stdout);
  assert.deepEqual([task.task, task.status], ['endpoint.replay', 'running']);
  const followed = await herald(['task', 'get', task.id, '--wait', '--json']);
  assert.equal(followed.code, 0, followed.output);
  assert.deepEqual(JSON.parse(followed.stdout).data, { total: 3, processed: 3, scheduled: 0, error: null }, 'it got every message already');
  assert.match((await herald(['task', 'list'])).stdout, new RegExp(`^${task.id}\\s+endpoint\\.replay\\s+finished\\s+3/3\\s+0\\s+`, 'm'));
});
