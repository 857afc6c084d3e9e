/**
 * Storage conformance for group commit: messages published in the same turn of the event loop are written together
 * (one transaction in SQLite's write queue, one statement in PostgreSQL), yet each publish keeps its own outcome: a
 * repeated eventId or an idempotency key already used fails or replays only its own message.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import type { Admission, NewMessage, Storage } from '../../src/store/storage.ts';
import { Status } from '../../src/store/types.ts';
import { T0, mkApp, mkEndpoint, mkKey, mkMessage, expect409, page, deliveriesOf } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

function input(id: string, deliveries: [string, Admission][], over: Partial<NewMessage> & { eventId?: string } = {}): NewMessage {
  const { eventId, ...rest } = over;
  return {
    message: mkMessage(id, 'app_A', { eventId: eventId ?? null }),
    deliveries: deliveries.map(([endpointId, admission]) => ({ endpointId, admission })),
    dueAt: T0 + 10,
    leaseUntil: T0 + 500,
    ...rest,
  };
}

const keyed = (id: string, key: string): NewMessage =>
  input(id, [['ep_a', 'due']], { idempotency: { scope: 'app_A', key, response: { statusCode: 202, body: `body of ${id}` }, expiresAt: T0 + 10_000 } });

async function setUp(store: Storage): Promise<void> {
  await store.catalog.createApp(mkApp('app_A'));
  for (const id of ['ep_a', 'ep_b']) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey('k'));
}

describeEachBackend('messages published together', backends, (test) => {
  test('each message gets its own deliveries; a repeated eventId fails only its own publish', async (store) => {
    await setUp(store);
    assert.ok('deliveryIds' in (await store.history.createMessage(input('msg_0', [], { eventId: 'evt_taken' }))));

    // Started in one turn, so they are written together.
    const results = await Promise.all([
      store.history.createMessage(input('msg_1', [['ep_b', 'leased'], ['ep_a', 'due']])),
      store.history.createMessage(input('msg_3', [])),
      store.history.createMessage(input('msg_4', [['ep_a', 'parked'], ['ep_b', 'turn']], { eventId: 'evt_new' })),
    ]);
    assert.deepStrictEqual(results[1], { deliveryIds: [] }, 'a message without deliveries');
    const [ids1, ids4] = [results[0], results[2]].map((r) => ('deliveryIds' in r! ? r.deliveryIds : assert.fail('written, not replayed')));
    assert.equal(new Set([...ids1!, ...ids4!]).size, 4, 'distinct delivery ids');
    // A second turn, where one message repeats an eventId.
    const [taken, fine] = [
      store.history.createMessage(input('msg_2', [['ep_a', 'due']], { eventId: 'evt_taken' })),
      store.history.createMessage(input('msg_5', [['ep_a', 'due']])),
    ];
    await expect409(taken, 'the repeated eventId');
    assert.ok('deliveryIds' in (await fine), 'the other message of that turn is written');

    const stored = (await store.history.listMessages('app_A', {}, page())).data.map((m) => m.id);
    assert.deepEqual(stored, ['msg_0', 'msg_1', 'msg_3', 'msg_4', 'msg_5'], 'the refused message is not stored; the others are');
    assert.deepStrictEqual(await deliveriesOf(store, 'msg_2'), []);
    const state = async (messageId: string) =>
      new Map((await deliveriesOf(store, messageId)).map((d) => [d.endpointId, { id: d.id, status: d.status, nextAttemptAt: d.nextAttemptAt }]));
    assert.deepStrictEqual(await state('msg_1'), new Map([
      ['ep_b', { id: ids1![0], status: Status.Sending, nextAttemptAt: T0 + 500 }],
      ['ep_a', { id: ids1![1], status: Status.Pending, nextAttemptAt: T0 + 10 }],
    ]), 'ids in input order, each delivery as admitted');
    assert.deepStrictEqual(await state('msg_4'), new Map([
      ['ep_a', { id: ids4![0], status: Status.Pending, nextAttemptAt: null }],
      ['ep_b', { id: ids4![1], status: Status.Pending, nextAttemptAt: null }],
    ]));
    assert.equal((await store.history.getMessage('app_A', 'evt_new'))?.id, 'msg_4', 'found by its eventId');
  });

  test('idempotency keys in one turn: a stored key replays, fresh keys write, a key used twice writes once', async (store) => {
    await setUp(store);
    await store.history.putIdempotentResponse('app_A', 'k_stored', { statusCode: 409, body: 'stored before' }, T0 + 10_000);
    const results = await Promise.all([
      store.history.createMessage(keyed('msg_1', 'k_stored')),
      store.history.createMessage(keyed('msg_2', 'k_fresh')),
      store.history.createMessage(input('msg_3', [['ep_a', 'due']])),
      store.history.createMessage(keyed('msg_4', 'k_twice')),
      store.history.createMessage(keyed('msg_5', 'k_twice')),
    ]);
    assert.deepStrictEqual(results[0], { replay: { statusCode: 409, body: 'stored before' } });
    assert.ok('deliveryIds' in results[1]! && 'deliveryIds' in results[2]!, 'a fresh key and no key: written');
    const twice = results.slice(3);
    const writer = twice.findIndex((r) => 'deliveryIds' in r);
    assert.ok(writer >= 0 && 'replay' in twice[1 - writer]!, 'of one key used twice, one writes and the other replays');
    const written = `msg_${4 + writer}`;
    assert.deepStrictEqual(twice[1 - writer], { replay: { statusCode: 202, body: `body of ${written}` } });
    assert.deepEqual((await store.history.listMessages('app_A', {}, page())).data.map((m) => m.id), ['msg_2', 'msg_3', written].sort());
    assert.deepStrictEqual(await store.history.getIdempotentResponse('app_A', 'k_fresh', T0), { statusCode: 202, body: 'body of msg_2' });
  });

  test('a message to an endpoint deleted meanwhile fails alone', async (store) => {
    await setUp(store);
    const results = await Promise.allSettled([
      store.history.createMessage(input('msg_1', [['ep_a', 'due']])),
      store.history.createMessage(input('msg_2', [['ep_gone', 'due']])),
      store.history.createMessage(input('msg_3', [['ep_b', 'due']])),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual((await store.history.listMessages('app_A', {}, page())).data.map((m) => m.id), ['msg_1', 'msg_3']);
  });

  test('two stores taking the same keys in opposite orders: each key writes once', async (store, { another }) => {
    await setUp(store);
    const other = await another();
    const keys = ['k1', 'k2', 'k3', 'k4'];
    const results = await Promise.all([
      ...keys.map((key) => store.history.createMessage(keyed(`msg_a_${key}`, key))),
      ...[...keys].reverse().map((key) => other.history.createMessage(keyed(`msg_b_${key}`, key))),
    ]);
    assert.equal(results.filter((r) => 'deliveryIds' in r).length, keys.length, 'one write per key');
    assert.equal((await store.history.listMessages('app_A', {}, page())).data.length, keys.length);
  });
});
