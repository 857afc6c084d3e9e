import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { ADMIN_TOKEN, api, deliveriesSettled, spawnHerald, startTestHerald, tempDir } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';
import { Receiver } from '../helpers/receiver.ts';

type Herald = { url: string };


const finished = (herald: Herald, id: string) =>
  until(`task ${id} to finish`, async () => {
    const task = (await api(herald.url, 'GET', `/api/v1/background-task/${id}`)).json;
    return task.status === 'finished' && task;
  });

const countsBy = (receiver: Receiver, path: string) => {
  const counts = new Map<number, number>();
  for (const r of receiver.on(path)) {
    const n = JSON.parse(r.body.toString()).n as number;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
};

test('recover, replay-missing and bulk-replay run as background tasks and never resend what succeeded unless asked', { timeout: 60_000 }, async () => {
  const herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '0.2' });
  const receiver = await Receiver.start();
  let down = true;
  receiver.responder = (req, res) => res.writeHead(req.path === '/main' && down ? 500 : 200).end();
  try {
    const since = new Date(Date.now() - 1_000).toISOString();
    const app = (await api(herald.url, 'POST', '/api/v1/app', { name: 'recovery' })).json;
    const main = (await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/main') })).json;
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) {
      if (n === 5) down = false; // the last one succeeds at once
      ids.push((await api(herald.url, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: n % 2 ? 'odd' : 'even', payload: { n } })).json.id);
      if (n < 5) {
        await until(`message ${n} to be exhausted`, async () =>
          (await api(herald.url, 'GET', `/api/v1/app/${app.id}/msg/${ids[n]}/endpoint`)).json.data[0]?.statusText === 'fail');
      }
    }
    await until('the last to succeed', async () => (await api(herald.url, 'GET', `/api/v1/app/${app.id}/msg/${ids[5]}/endpoint`)).json.data[0]?.statusText === 'success');
    const before = countsBy(receiver, '/main');
    assert.deepEqual([...before.entries()].sort(), [[0, 2], [1, 2], [2, 2], [3, 2], [4, 2], [5, 1]], 'two attempts for each failed, one for the success');

    // recover: the five failed ones again, once each; not the delivered one.
    const recover = await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${main.id}/recover`, { since });
    assert.equal(recover.status, 202, recover.text);
    assert.match(recover.json.id, /^qtask_/);
    assert.equal(recover.json.task, 'endpoint.recover');
    const task = await finished(herald, recover.json.id);
    assert.deepEqual(task.data, { total: 6, processed: 6, scheduled: 5, error: null });
    await receiver.waitFor(() => receiver.on('/main').length >= 11 + 5, 10_000, 'the recovered deliveries');
    await deliveriesSettled(herald, app.id);
    assert.deepEqual([...countsBy(receiver, '/main').entries()].sort(), [[0, 3], [1, 3], [2, 3], [3, 3], [4, 3], [5, 1]]);
    const again = await finished(herald, (await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${main.id}/recover`, { since })).json.id);
    assert.equal(again.data.scheduled, 0, 'recovering again sends nothing: everything has succeeded now');

    // replay-missing: an endpoint added later gets every message it never had, once, honouring its filter.
    const late = (await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/late'), eventTypes: ['even'] })).json;
    const replay = await finished(herald, (await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${late.id}/replay-missing`, { since })).json.id);
    assert.equal(replay.task, 'endpoint.replay');
    assert.equal(replay.data.scheduled, 3);
    await receiver.waitFor(() => receiver.on('/late').length >= 3, 10_000, 'replayed deliveries');
    const twice = await finished(herald, (await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${late.id}/replay-missing`, { since })).json.id);
    assert.equal(twice.data.scheduled, 0, 'a second replay-missing finds nothing missing');
    await deliveriesSettled(herald, app.id);
    assert.deepEqual([...countsBy(receiver, '/late').entries()].sort(), [[0, 1], [2, 1], [4, 1]]);

    // bulk-replay: asked explicitly, it sends delivered messages again, filtered.
    const bulk = await finished(herald, (await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${main.id}/bulk-replay`, { since, eventTypes: ['odd'] })).json.id);
    assert.equal(bulk.data.scheduled, 3);
    await receiver.waitFor(() => receiver.on('/main').length >= 16 + 3, 10_000, 'bulk-replayed deliveries');

    const bad = await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${main.id}/recover`, { since: 'yesterday' });
    assert.equal(bad.status, 422);
    const backwards = await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${main.id}/recover`, { since, until: new Date(0).toISOString() });
    assert.equal(backwards.status, 422);
    assert.equal((await api(herald.url, 'GET', '/api/v1/background-task/qtask_missing')).status, 404);
    const listed = (await api(herald.url, 'GET', '/api/v1/background-task')).json.data.map((t: { id: string }) => t.id);
    assert.ok(listed.includes(recover.json.id));
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});

test('a background task interrupted by a restart resumes from its cursor', { timeout: 90_000 }, async () => {
  const dataDir = tempDir('herald-task-resume-');
  const receiver = await Receiver.start();
  const env = { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_PORT: '0' };
  let server = await spawnHerald([], env);
  try {
    const since = new Date(Date.now() - 1_000).toISOString();
    const app = (await api(server.url, 'POST', '/api/v1/app', { name: 'resume' })).json;
    const messages = 1_500;
    for (let n = 0; n < messages; n += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => api(server.url, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: 'e', payload: { n: n + i } })));
    }
    // The endpoint exists only now, so every message is missing there.
    receiver.responder = (_req, res) => setTimeout(() => res.writeHead(200).end(), 1);
    const ep = (await api(server.url, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/resume') })).json;
    const started = (await api(server.url, 'POST', `/api/v1/app/${app.id}/endpoint/${ep.id}/replay-missing`, { since })).json;
    await until('the task to be under way', async () => {
      const t = (await api(server.url, 'GET', `/api/v1/background-task/${started.id}`)).json;
      return t.data.processed > 0 && t.status === 'running';
    }, 30_000);
    server.child.kill('SIGKILL');
    await server.exited;

    server = await spawnHerald([], env);
    const task = await finished(server, started.id);
    assert.equal(task.data.processed, messages, 'every message was looked at once: the restart resumed, not restarted');
    await receiver.waitFor(() => new Set(receiver.received.map((r) => String(r.headers['webhook-id']))).size >= messages, 60_000, 'all replayed');
    assert.equal(new Set(receiver.received.map((r) => String(r.headers['webhook-id']))).size, messages);
  } finally {
    server.child.kill('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
