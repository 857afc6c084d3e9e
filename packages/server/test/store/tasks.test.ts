/**
 * Storage conformance for background tasks and the replays they read.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import { T0, mkApp, mkEndpoint, mkKey, mkMessage } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

describeEachBackend('tasks store', backends, (test) => {
  test('background tasks: created, claimed by one taker at a time, saved; replays read messages with their delivery status', async (store, { another }) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    for (const [id, at] of [['msg_1', T0], ['msg_2', T0 + 10], ['msg_3', T0 + 20]] as const) {
      await store.history.createMessage({ message: mkMessage(id, 'app_A', { createdAt: at }), deliveries: id === 'msg_3' ? [] : [{ endpointId: 'ep_1', admission: 'due' }], dueAt: at, leaseUntil: at });
    }
    const rows = await store.tasks.messagesForReplay('app_A', 'ep_1', T0, T0 + 20, null, 10);
    assert.deepEqual(rows.map((r) => [r.message.id, r.deliveryStatus]), [['msg_1', 1], ['msg_2', 1]], 'until is exclusive');
    assert.deepEqual((await store.tasks.messagesForReplay('app_A', 'ep_1', T0, null, 'msg_1', 10)).map((r) => [r.message.id, r.deliveryStatus]), [['msg_2', 1], ['msg_3', null]]);
    assert.deepEqual((await store.tasks.messagesForReplay('app_A', 'ep_2', T0 + 5, null, null, 1)).map((r) => r.message.id), ['msg_2']);
    assert.equal(await store.tasks.countMessagesForReplay('app_A', T0, T0 + 20), 2, 'the messages a replay walks: until is exclusive');
    assert.equal(await store.tasks.countMessagesForReplay('app_A', T0 + 5, null), 2);
    assert.equal(await store.tasks.countMessagesForReplay('app_B', T0, null), 0, 'only the app\'s own');

    const task = {
      id: 'qtask_1', kind: 'endpoint.recover' as const, status: 'running' as const, appId: 'app_A', endpointId: 'ep_1',
      params: { since: T0, until: null, filter: { eventTypes: ['a'] } }, cursor: null, total: 3, processed: 0, scheduled: 0, leaseUntil: null,
      error: null, createdAt: T0, updatedAt: T0,
    };
    await store.tasks.createTask(task);
    assert.deepStrictEqual(await store.tasks.getTask('qtask_1'), task);
    const other = await another();
    const [a, b] = await Promise.all([store.tasks.claimTask(T0, T0 + 100), other.tasks.claimTask(T0, T0 + 100)]);
    assert.equal([a, b].filter(Boolean).length, 1, 'one taker wins');
    assert.equal(await store.tasks.claimTask(T0 + 50, T0 + 150), undefined, 'held until its lease ends');
    const again = await store.tasks.claimTask(T0 + 101, T0 + 200);
    assert.equal(again?.leaseUntil, T0 + 200, 'taken back after the lease ran out');
    await store.tasks.saveTask({ ...task, status: 'finished', cursor: 'msg_2', processed: 2, scheduled: 1, leaseUntil: null, updatedAt: T0 + 300 });
    assert.deepStrictEqual(await store.tasks.getTask('qtask_1'), { ...task, status: 'finished', cursor: 'msg_2', processed: 2, scheduled: 1, updatedAt: T0 + 300 });
    assert.equal(await store.tasks.claimTask(T0 + 1_000, T0 + 2_000), undefined, 'a finished task is not taken');
    assert.deepEqual((await store.tasks.listTasks({ limit: 10, iterator: null, order: 'descending' })).data.map((t) => t.id), ['qtask_1']);
  });
});
