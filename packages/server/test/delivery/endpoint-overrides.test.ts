import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

/**
 * Per-endpoint overrides (Herald extensions): a retry schedule and a request timeout of the endpoint's own, over the
 * server's HERALD_RETRY_SCHEDULE and HERALD_REQUEST_TIMEOUT; kept by updates that leave them out (as Svix clients
 * do), reset with null, and refused with a clear 422 when out of range.
 */

describe('per-endpoint retry schedule and request timeout', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let receiver: Receiver;
  let appId = '';
  before(async () => {
    // The server's own schedule waits ten minutes: a retry seen within the test is the endpoint's schedule at work.
    herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '600', HERALD_REQUEST_TIMEOUT: '5' });
    receiver = await Receiver.start();
    appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'overrides' })).json.id;
  });
  after(async () => {
    await herald.cleanup();
    await receiver.close();
  });

  const attemptsOf = async (msgId: string) =>
    (await api(herald.url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}?limit=250`)).json.data as { status: number; response: string; responseDurationMs?: number }[];

  test('set, shown, kept by an update that leaves them out, reset with null', async () => {
    const created = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/a'), retrySchedule: [1, 30], requestTimeout: 2.5 });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual([created.json.retrySchedule, created.json.requestTimeout], [[1, 30], 2.5]);
    const path = `/api/v1/app/${appId}/endpoint/${created.json.id}`;
    const put = await api(herald.url, 'PUT', path, { url: receiver.url('/a2') });
    assert.deepEqual([put.json.retrySchedule, put.json.requestTimeout], [[1, 30], 2.5], 'a Svix client that knows nothing of them keeps them');
    const patched = await api(herald.url, 'PATCH', path, { retrySchedule: null, requestTimeout: null });
    assert.deepEqual([patched.json.retrySchedule, patched.json.requestTimeout], [null, null]);
    const plain = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/b') });
    assert.deepEqual([plain.json.retrySchedule, plain.json.requestTimeout], [null, null]);
  });

  test('out of range is a 422 that says why, and nothing is stored', async () => {
    const cases: [object, RegExp][] = [
      [{ requestTimeout: 6 }, /at most the server's HERALD_REQUEST_TIMEOUT \(5 s\)/],
      [{ requestTimeout: 0 }, /requestTimeout/],
      [{ retrySchedule: [5, -1] }, /retrySchedule/],
      [{ retrySchedule: Array(51).fill(1) }, /retrySchedule/],
    ];
    const before = (await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint?limit=250`)).json.data.length;
    for (const [fields, reason] of cases) {
      const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/bad'), ...fields });
      assert.equal(res.status, 422, JSON.stringify(fields));
      assert.match(res.text, reason);
    }
    assert.equal((await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint?limit=250`)).json.data.length, before);
  });

  test("an endpoint's schedule is used for its retries; another endpoint keeps the server's", async () => {
    appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'retries' })).json.id;
    receiver.responder = (_req, res) => res.writeHead(500).end('down');
    const own = (await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/own'), retrySchedule: [0.1, 0.1], filterTypes: ['retry.own'] })).json;
    await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/server'), filterTypes: ['retry.server'] });
    const ownMsg = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'retry.own', payload: {} })).json.id;
    const serverMsg = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'retry.server', payload: {} })).json.id;
    const attempts = await until('the first attempt and two quick retries', async () => {
      const list = await attemptsOf(ownMsg);
      return list.length === 3 && list.every((a) => a.status === 2) && list;
    });
    assert.equal(attempts.length, 3);
    const delivery = (await api(herald.url, 'GET', `/api/v1/app/${appId}/msg/${ownMsg}/endpoint`)).json.data.find((d: { id: string }) => d.id === own.id);
    assert.equal(delivery.status, 2, 'failed for good once its own schedule ran out');
    assert.equal((await attemptsOf(serverMsg)).length, 1, "the other endpoint's retry waits the server's ten minutes");
    receiver.responder = (_req, res) => res.writeHead(200).end('ok');
  });

  test("an endpoint's timeout ends its attempts sooner than the server's", async () => {
    appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'timeouts' })).json.id;
    receiver.responder = (req, res) => {
      if (req.path === '/slow') setTimeout(() => res.writeHead(200).end('late'), 3_000);
      else res.writeHead(200).end('ok');
    };
    await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/slow'), requestTimeout: 0.5, filterTypes: ['slow'] });
    const msgId = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'slow', payload: {} })).json.id;
    const started = Date.now();
    const [attempt] = await until('the timed-out attempt', async () => {
      const list = await attemptsOf(msgId);
      return list.length > 0 && list;
    });
    assert.equal(attempt!.status, 2);
    assert.match(attempt!.response, /timed out|timeout/i);
    assert.ok(Date.now() - started < 2_500, `recorded after ${Date.now() - started} ms, before the 3 s answer and the server's 5 s timeout`);
    receiver.responder = (_req, res) => res.writeHead(200).end('ok');
  });
});
