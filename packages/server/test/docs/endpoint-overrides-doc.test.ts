/**
 * docs/endpoint-overrides.md promises that its example works as written: the endpoint it creates is attempted three
 * times about a second and then two seconds apart while its receiver fails, an attempt to a slower receiver times out
 * after the endpoint's one second with the response the page shows, and a timeout above the server's is refused with
 * the answer it shows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { docBlocks } from '../helpers/doc-blocks.ts';
import { api, deliveriesSettled, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const { block } = docBlocks('endpoint-overrides.md');

type AttemptOut = { response: string; responseStatusCode: number; status: number; timestamp: string };

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Receiver;
let appId: string;
before(async () => {
  // The server's own defaults (no HERALD_RETRY_SCHEDULE, HERALD_REQUEST_TIMEOUT 15): the endpoint's fields decide.
  herald = await startTestHerald();
  receiver = await Receiver.start();
  receiver.responder = (req, res) => (req.path === '/slow'
    ? new Promise((resolve) => setTimeout(() => resolve(res.writeHead(200).end('late')), 3_000))
    : res.writeHead(500).end('down'));
  appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'doc overrides' })).json.id;
});
after(async () => {
  await herald.cleanup();
  await receiver.close();
});

const attemptsOf = async (msgId: string): Promise<AttemptOut[]> =>
  (await api(herald.url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}`)).json.data.reverse();

async function endpointAt(path: string, uid: string) {
  const body = { ...JSON.parse(block('request', 'create-endpoint')), url: receiver.url(path), uid };
  const created = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, body);
  assert.equal(created.status, 201, created.text);
  assert.deepEqual([created.json.retrySchedule, created.json.requestTimeout], [[1, 2], 1]);
  return created.json.id as string;
}

test('a failing receiver is attempted three times on the endpoint\'s schedule, then the delivery has failed for good', async () => {
  await endpointAt('/fragile', 'fragile');
  const msg = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'invoice.paid', payload: {} })).json;
  await deliveriesSettled(herald, appId, 20_000);
  const attempts = await attemptsOf(msg.id);
  assert.equal(attempts.length, 3, 'the first attempt and two retries');
  assert.ok(attempts.every((a) => a.responseStatusCode === 500 && a.status === 2));
  const [first, second, third] = attempts.map((a) => Date.parse(a.timestamp));
  // Each delay is the schedule's, give or take 20 %.
  assert.ok(second! - first! >= 800 && second! - first! < 5_000, `${second! - first!} ms between the first two`);
  assert.ok(third! - second! >= 1_600 && third! - second! < 6_000, `${third! - second!} ms between the last two`);
});

test('an attempt to a slower receiver ends after the endpoint\'s timeout, as the page shows', async () => {
  await endpointAt('/slow', 'slow');
  const msg = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'invoice.paid', payload: {} })).json;
  await until('the attempt to the slow receiver', async () => (await attemptsOf(msg.id)).some((a) => a.response === block('attempt-response', 'slow')), 10_000);
});

test('a timeout above the server\'s is refused with the answer the page shows, and nothing changes', async () => {
  const refused = await api(herald.url, 'PATCH', `/api/v1/app/${appId}/endpoint/fragile`, JSON.parse(block('request', 'too-long')));
  assert.equal(refused.status, 422);
  assert.deepEqual(refused.json, JSON.parse(block('answer', 'too-long')));
  assert.equal((await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint/fragile`)).json.requestTimeout, 1, 'nothing changed');
});
