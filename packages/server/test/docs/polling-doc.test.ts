/**
 * docs/polling.md promises that its example works as written: the poller it creates, after the messages it sends,
 * answers the page it shows through the svix client (ids, times and the iterator are the run's own), and a named
 * consumer reads on where it stopped and reads again after a seek.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Svix } from 'svix';
import { docBlocks } from '../helpers/doc-blocks.ts';
import { api, startTestHerald } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';

const { block } = docBlocks('polling.md');

let herald: Awaited<ReturnType<typeof startTestHerald>>;
before(async () => {
  herald = await startTestHerald();
});
after(() => herald.cleanup());

test('the poller answers the page the doc shows, and a named consumer reads on and seeks back', async () => {
  const appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'doc polling' })).json.id;
  const created = await api(herald.url, 'POST', `/api/v1/app/${appId}/destination`, JSON.parse(block('request', 'create-poller')));
  assert.equal(created.status, 201, created.text);
  const ids: string[] = [];
  for (const message of JSON.parse(block('request', 'messages'))) ids.push((await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, message)).json.id);

  const poller = created.json.uid as string;
  let answer = (await api(herald.url, 'GET', `/api/v1/app/${appId}/poller/${poller}`)).json;
  await until('the messages settled', async () => (answer = (await api(herald.url, 'GET', `/api/v1/app/${appId}/poller/${poller}`)).json).data.length === 2, 5000);
  // The doc writes ids as msg_1…msg_3 in the order sent, and times as "…".
  const docId = new Map(ids.map((id, i) => [id, `msg_${i + 1}`]));
  const asInDoc = {
    ...answer,
    iterator: docId.get(answer.iterator),
    data: answer.data.map((m: Record<string, unknown>) => ({ ...m, id: docId.get(m['id'] as string), timestamp: '…' })),
  };
  assert.deepEqual(asInDoc, JSON.parse(block('answer', 'poll')));

  const svix = new Svix(herald.token, { serverUrl: herald.url });
  const first = await svix.message.poller.consumerPoll(appId, poller, 'nightly', { limit: 1 });
  assert.deepEqual(first.data.map((m) => m.id), [ids[0]]);
  const second = await svix.message.poller.consumerPoll(appId, poller, 'nightly');
  assert.deepEqual(second.data.map((m) => m.id), [ids[2]]);
  await svix.message.poller.consumerSeek(appId, poller, 'nightly', { after: new Date(Date.now() - 3_600_000) });
  assert.equal((await svix.message.poller.consumerPoll(appId, poller, 'nightly')).data.length, 2);
});
