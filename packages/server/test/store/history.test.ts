/**
 * Storage conformance for history: messages (with idempotency), their deliveries as listed, attempts, and retention.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import type { Admission, Message, Page, StatusValue, Storage, TriggerValue } from '../../src/store/storage.ts';
import { Status, Trigger } from '../../src/store/types.ts';
import { T0, mkApp, mkEndpoint, mkKey, mkMessage, mkAttempt, mkOutcome, page, byteOrder, MIXED, expect409, publish, deliveriesOf, deliveryOf, checkPagination } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

describeEachBackend('history store', backends, (test) => {
  test('createMessage: deliveries per admission, ids in input order', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    for (const id of ['ep_a', 'ep_B', 'ep_c', 'ep_D']) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey('k'));
    const m = mkMessage('msg_1', 'app_A', { createdAt: T0 + 7 });
    const ids = await publish(store, m, [['ep_c', 'leased'], ['ep_a', 'due'], ['ep_B', 'parked'], ['ep_D', 'due']], { dueAt: T0 + 100, leaseUntil: T0 + 500 });
    for (const id of ids) assert.equal(typeof id, 'number', 'delivery ids are numbers');
    assert.equal(new Set(ids).size, 4, 'delivery ids are distinct');
    const base = { messageId: 'msg_1', attempts: 0, lastStatusCode: null, trigger: Trigger.Scheduled, updatedAt: T0 + 7 };
    const byEndpoint = new Map((await deliveriesOf(store, 'msg_1')).map((d) => [d.endpointId, d]));
    assert.equal(byEndpoint.size, 4);
    assert.deepStrictEqual(byEndpoint.get('ep_c'), { ...base, id: ids[0], endpointId: 'ep_c', status: Status.Sending, nextAttemptAt: T0 + 500 }, 'leased: sending until leaseUntil');
    assert.deepStrictEqual(byEndpoint.get('ep_a'), { ...base, id: ids[1], endpointId: 'ep_a', status: Status.Pending, nextAttemptAt: T0 + 100 }, 'due: pending at dueAt');
    assert.deepStrictEqual(byEndpoint.get('ep_B'), { ...base, id: ids[2], endpointId: 'ep_B', status: Status.Pending, nextAttemptAt: null }, 'parked: pending, no due time');
    assert.deepStrictEqual(byEndpoint.get('ep_D'), { ...base, id: ids[3], endpointId: 'ep_D', status: Status.Pending, nextAttemptAt: T0 + 100 });

    const none = await store.history.createMessage({ message: mkMessage('msg_2', 'app_A'), deliveries: [], dueAt: T0, leaseUntil: T0 });
    assert.deepStrictEqual(none, { deliveryIds: [] });
    assert.ok(await store.history.getMessage('app_A', 'msg_2'), 'a message without deliveries is stored');
  });

  test('messages: get by id and by eventId within the app; exact payload text', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const payload = '{"b":1,  "a":[1, 2.50, 1e3],\n "big": 12345678901234567890, "s":"é\\u00e9 ✓ \\"q\\""}';
    const m = mkMessage('msg_1', 'app_A', { eventId: 'evt-1', eventType: 'invoice.paid', channels: ['eu', 'c2'], tags: ['t'], payload, createdAt: T0 + 1, deliverAt: T0 + 9 });
    const bare = mkMessage('msg_2', 'app_A');
    await publish(store, m, []);
    await publish(store, bare, []);
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'msg_1'), m);
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'evt-1'), m);
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'msg_2'), bare);
    assert.equal((await store.history.getMessage('app_A', 'msg_1'))?.payload, payload, 'the payload is the exact text');
    assert.equal(await store.history.getMessage('app_B', 'msg_1'), undefined, 'another app does not see it by id');
    assert.equal(await store.history.getMessage('app_B', 'evt-1'), undefined, 'nor by eventId');
    assert.equal(await store.history.getMessage('app_A', 'EVT-1'), undefined);
    assert.equal(await store.history.getMessage('app_A', 'nope'), undefined);
  });

  test('messages: duplicate eventId in an app is a 409 and writes nothing; fine in another app', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_B'), mkKey('k'));
    await publish(store, mkMessage('msg_1', 'app_A', { eventId: 'evt-1' }), []);
    await expect409(
      store.history.createMessage({
        message: mkMessage('msg_2', 'app_A', { eventId: 'evt-1' }),
        deliveries: [{ endpointId: 'ep_1', admission: 'due' }],
        dueAt: T0,
        leaseUntil: T0 + 1000,
        idempotency: { scope: 'app_A', key: 'idem', response: { statusCode: 202, body: 'b' }, expiresAt: T0 + 10_000 },
      }),
      'duplicate eventId',
    );
    assert.equal(await store.history.getMessage('app_A', 'msg_2'), undefined, 'the message was not written');
    assert.deepStrictEqual(await deliveriesOf(store, 'msg_2'), [], 'nor its deliveries');
    assert.equal(await store.queue.nextDueAt(), null, 'nothing is queued');
    assert.equal(await store.history.getIdempotentResponse('app_A', 'idem', T0), undefined, 'nor its idempotency record');
    assert.equal((await store.history.getMessage('app_A', 'evt-1'))?.id, 'msg_1');

    await publish(store, mkMessage('msg_3', 'app_B', { eventId: 'evt-1' }), [['ep_2', 'due']]);
    assert.equal((await store.history.getMessage('app_B', 'evt-1'))?.id, 'msg_3');
    await publish(store, mkMessage('msg_4', 'app_A'), []);
    await publish(store, mkMessage('msg_5', 'app_A'), []);
    assert.equal((await store.history.listMessages('app_A', {}, page())).data.length, 3, 'any number of messages without eventId');
  });

  test('createMessage with idempotency: stores the response; a stored key replays and writes nothing', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const input = (id: string, key: string, body: string, createdAt = T0) => ({
      message: mkMessage(id, 'app_A', { createdAt }),
      deliveries: [{ endpointId: 'ep_1', admission: 'due' as const }],
      dueAt: createdAt,
      leaseUntil: createdAt + 1000,
      idempotency: { scope: 'app_A', key, response: { statusCode: 202, body }, expiresAt: T0 + 1000 },
    });

    const first = await store.history.createMessage(input('msg_1', 'k1', 'first'));
    assert.ok('deliveryIds' in first && first.deliveryIds.length === 1);
    assert.deepStrictEqual(await store.history.getIdempotentResponse('app_A', 'k1', T0), { statusCode: 202, body: 'first' }, 'stored with the message');

    const again = await store.history.createMessage(input('msg_2', 'k1', 'second'));
    assert.deepStrictEqual(again, { replay: { statusCode: 202, body: 'first' } });
    assert.equal(await store.history.getMessage('app_A', 'msg_2'), undefined, 'a replay writes no message');
    assert.deepStrictEqual(await deliveriesOf(store, 'msg_2'), [], 'nor deliveries');
    assert.deepStrictEqual(await store.history.getIdempotentResponse('app_A', 'k1', T0), { statusCode: 202, body: 'first' }, 'nor a new response');

    // Stored by someone else beforehand (putIdempotentResponse): also a replay.
    await store.history.putIdempotentResponse('app_A', 'k2', { statusCode: 409, body: 'conflict' }, T0 + 1000);
    assert.deepStrictEqual(await store.history.createMessage(input('msg_3', 'k2', 'x')), { replay: { statusCode: 409, body: 'conflict' } });
    assert.equal(await store.history.getMessage('app_A', 'msg_3'), undefined);

    // Expired (at the message's createdAt): the message is written and the record replaced.
    const lateInput = input('msg_4', 'k1', 'fourth', T0 + 1000);
    const late = await store.history.createMessage({ ...lateInput, idempotency: { ...lateInput.idempotency, expiresAt: T0 + 5000 } });
    assert.ok('deliveryIds' in late, 'an expired record does not replay');
    assert.ok(await store.history.getMessage('app_A', 'msg_4'));
    assert.deepStrictEqual(await store.history.getIdempotentResponse('app_A', 'k1', T0 + 2000), { statusCode: 202, body: 'fourth' });
    assert.deepEqual((await store.history.listMessages('app_A', {}, page())).data.map((m) => m.id), ['msg_1', 'msg_4']);
  });

  test('createMessage with idempotency: of two concurrent requests with one key, exactly one writes', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const input = (id: string) => ({
      message: mkMessage(id, 'app_A'),
      deliveries: [{ endpointId: 'ep_1', admission: 'due' as const }],
      dueAt: T0,
      leaseUntil: T0 + 1000,
      idempotency: { scope: 'app_A', key: 'same', response: { statusCode: 202, body: `body of ${id}` }, expiresAt: T0 + 10_000 },
    });
    const results = await Promise.all(['msg_1', 'msg_2', 'msg_3', 'msg_4'].map((id) => store.history.createMessage(input(id))));
    const written = results.flatMap((r, i) => ('deliveryIds' in r ? [`msg_${i + 1}`] : []));
    assert.equal(written.length, 1, 'exactly one request wrote');
    for (const r of results) if ('replay' in r) assert.deepStrictEqual(r.replay, { statusCode: 202, body: `body of ${written[0]}` });
    assert.deepEqual((await store.history.listMessages('app_A', {}, page())).data.map((m) => m.id), written, 'one message stored');
    assert.equal((await store.queue.claimDueDeliveries(T0, T0 + 1000, 100)).length, 1, 'one delivery stored');
  });

  test('idempotency: put/get by scope and key; expired at expiresAt; overwrite', async (store) => {
    assert.equal(await store.history.getIdempotentResponse('app_1', 'k', T0), undefined);
    const body = '{"id":"msg_1",  "x": "é"}';
    await store.history.putIdempotentResponse('app_1', 'k', { statusCode: 202, body }, T0 + 1000);
    assert.deepEqual(await store.history.getIdempotentResponse('app_1', 'k', T0), { statusCode: 202, body });
    assert.deepEqual(await store.history.getIdempotentResponse('app_1', 'k', T0 + 999), { statusCode: 202, body });
    assert.equal(await store.history.getIdempotentResponse('app_1', 'k', T0 + 1000), undefined, 'expired at expiresAt');
    assert.equal(await store.history.getIdempotentResponse('app_2', 'k', T0), undefined, 'another scope');
    assert.equal(await store.history.getIdempotentResponse('app_1', 'K', T0), undefined, 'another key');

    await store.history.putIdempotentResponse('app_1', 'k', { statusCode: 409, body: 'again' }, T0 + 5000);
    assert.deepEqual(await store.history.getIdempotentResponse('app_1', 'k', T0 + 2000), { statusCode: 409, body: 'again' }, 'overwritten');

    await store.history.putIdempotentResponse('app_1', 'old', { statusCode: 200, body: '' }, T0 - 1);
    assert.equal(await store.history.getIdempotentResponse('app_1', 'old', T0), undefined, 'an expired response is not returned');
  });

  test('listMessages: filters by channel, tag, event types, before/after; order and pagination', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const specs: [string, Partial<Message>][] = [
      ['msg_0a', { eventType: 'user.created', channels: ['eu', 'c1'], tags: ['vip'], createdAt: T0 + 10 }],
      ['msg_0B', { eventType: 'invoice.paid', channels: ['c10'], tags: ['vipx', 'new'], createdAt: T0 + 20 }],
      ['msg_9z', { eventType: 'user.deleted', channels: null, tags: null, createdAt: T0 + 30 }],
      ['msg_A0', { eventType: 'user.created', channels: ['c1'], tags: ['new'], createdAt: T0 + 40 }],
      ['msg_Ab', { eventType: 'invoice.paid', channels: ['us'], tags: ['vip'], createdAt: T0 + 50 }],
      ['msg_a0', { eventType: 'user.created', channels: [], tags: [], createdAt: T0 + 60 }],
    ];
    for (const [id, over] of specs) await publish(store, mkMessage(id, 'app_A', over), []);
    await publish(store, mkMessage('msg_other', 'app_B', { channels: ['c1'], tags: ['vip'], createdAt: T0 + 30 }), []);
    const ids = async (filter: Parameters<Storage['history']['listMessages']>[1], order: Page['order'] = 'ascending') =>
      (await store.history.listMessages('app_A', filter, page(order))).data.map((m) => m.id);

    assert.deepEqual(await ids({}), ['msg_0B', 'msg_0a', 'msg_9z', 'msg_A0', 'msg_Ab', 'msg_a0'], 'by id, byte order');
    assert.deepEqual(await ids({}, 'descending'), ['msg_a0', 'msg_Ab', 'msg_A0', 'msg_9z', 'msg_0a', 'msg_0B']);
    assert.deepEqual(await ids({ channel: 'c1' }), ['msg_0a', 'msg_A0'], 'a channel matches whole elements only');
    assert.deepEqual(await ids({ channel: 'C1' }), [], 'channels are case-sensitive');
    assert.deepEqual(await ids({ tag: 'vip' }), ['msg_0a', 'msg_Ab']);
    assert.deepEqual(await ids({ tag: 'new' }), ['msg_0B', 'msg_A0']);
    assert.deepEqual(await ids({ eventTypes: ['invoice.paid', 'user.deleted'] }), ['msg_0B', 'msg_9z', 'msg_Ab']);
    assert.deepEqual(await ids({ eventTypes: [] }), await ids({}), 'no event types: no filter');
    assert.deepEqual(await ids({ before: T0 + 30 }), ['msg_0B', 'msg_0a'], 'before is strict');
    assert.deepEqual(await ids({ after: T0 + 40 }), ['msg_Ab', 'msg_a0'], 'after is strict');
    assert.deepEqual(await ids({ after: T0 + 10, before: T0 + 60 }), ['msg_0B', 'msg_9z', 'msg_A0', 'msg_Ab']);
    assert.deepEqual(await ids({ eventTypes: ['user.created'], channel: 'c1', tag: 'new', after: T0 }), ['msg_A0'], 'filters combine');
    assert.deepStrictEqual((await store.history.listMessages('app_A', { tag: 'vip' }, page())).data[0], mkMessage('msg_0a', 'app_A', specs[0]![1]));

    await checkPagination('listMessages', (p) => store.history.listMessages('app_A', {}, p), (m) => m.id, specs.map(([id]) => id));
    await checkPagination('listMessages(filtered)', (p) => store.history.listMessages('app_A', { eventTypes: ['user.created', 'invoice.paid'] }, p), (m) => m.id,
      ['msg_0a', 'msg_0B', 'msg_A0', 'msg_Ab', 'msg_a0']);
  });

  test('expungeMessageContent removes the payload only; a claim then carries none', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const m = mkMessage('msg_1', 'app_A');
    await store.history.createMessage({ message: m, deliveries: [{ endpointId: 'ep_1', admission: 'due' }], dueAt: T0, leaseUntil: T0 + 1 });
    await store.history.expungeMessageContent('msg_1');
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'msg_1'), { ...m, payload: null });
    const [claimed] = await store.queue.claimDueDeliveries(T0, T0 + 1_000, 10);
    assert.equal(claimed?.payload, null);
  });

  test('tallyDeliveries counts each message\'s deliveries by state: delivered, pending, failing (to be retried), failed', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    for (const ep of ['ep_1', 'ep_2', 'ep_3', 'ep_4']) await store.catalog.createEndpoint(mkEndpoint(ep, 'app_A'), mkKey(`k-${ep}`));
    const all = ['ep_1', 'ep_2', 'ep_3', 'ep_4'].map((endpointId) => ({ endpointId, admission: 'leased' as const }));
    await store.history.createMessage({ message: mkMessage('msg_mixed', 'app_A'), deliveries: all, dueAt: T0, leaseUntil: T0 + 1_000 });
    await store.history.createMessage({ message: mkMessage('msg_waiting', 'app_A'), deliveries: [{ endpointId: 'ep_1', admission: 'due' }], dueAt: T0 + 60_000, leaseUntil: T0 + 1 });
    await store.history.createMessage({ message: mkMessage('msg_nobody', 'app_A'), deliveries: [], dueAt: T0, leaseUntil: T0 + 1 });
    const mixed = (await store.history.listMessageDeliveries('msg_mixed', { limit: 10, iterator: null, order: 'ascending' })).data;
    const outcome = (endpointId: string, status: StatusValue, attempts: number, nextAttemptAt: number | null) => ({
      deliveryId: mixed.find((d) => d.endpointId === endpointId)!.id, lease: 0, status, attempts, nextAttemptAt,
      attempt: mkAttempt(mkMessage('msg_mixed', 'app_A'), endpointId, { status, responseStatusCode: status === Status.Success ? 200 : 503 }),
    });
    // ep_4's delivery stays leased and unattempted: pending.
    await store.queue.recordOutcomes([outcome('ep_1', Status.Success, 1, null), outcome('ep_2', Status.Pending, 2, T0 + 5_000), outcome('ep_3', Status.Fail, 3, null)]);

    const tallies = await store.history.tallyDeliveries(['msg_mixed', 'msg_waiting', 'msg_nobody', 'msg_unknown']);
    assert.deepStrictEqual(tallies.get('msg_mixed'), { delivered: 1, pending: 1, failing: 1, failed: 1, canceled: 0 });
    assert.deepStrictEqual(tallies.get('msg_waiting'), { delivered: 0, pending: 1, failing: 0, failed: 0, canceled: 0 });
    assert.equal(tallies.has('msg_nobody'), false, 'no deliveries: left out');
    assert.equal(tallies.has('msg_unknown'), false);
    assert.equal((await store.history.tallyDeliveries([])).size, 0);
  });

  test('retention: expired payloads go with their response bodies; old finished messages go with everything', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const make = async (id: string, createdAt: number, payloadExpiresAt: number | null, admission: 'due' | 'leased') => {
      await store.history.createMessage({
        message: mkMessage(id, 'app_A', { createdAt }), deliveries: [{ endpointId: 'ep_1', admission }], dueAt: createdAt, leaseUntil: createdAt + 1_000_000, payloadExpiresAt,
      });
    };
    await make('msg_old_done', T0, T0 + 10, 'leased');
    await make('msg_old_pending', T0 + 1, null, 'due');
    await make('msg_new', T0 + 5_000, null, 'leased');
    const [claimed] = await store.queue.claimDueDeliveries(T0 + 2, T0 + 1_000, 1);
    assert.equal(claimed?.messageId, 'msg_old_pending');
    // msg_old_done and msg_new were leased at creation (lease 0): record their successes.
    const deliveries = (await store.history.listEndpointDeliveries('ep_1', {}, { limit: 10, iterator: null, order: 'ascending' })).data;
    const done = (messageId: string) => {
      const d = deliveries.find((x) => x.message.id === messageId)!.delivery;
      return { deliveryId: d.id, lease: 0, status: 0 as const, attempts: 1, nextAttemptAt: null,
        attempt: mkAttempt(mkMessage(messageId, 'app_A'), 'ep_1', { id: `atmpt_${messageId}`, response: 'body of ' + messageId }) };
    };
    await store.queue.recordOutcomes([done('msg_old_done'), done('msg_new')]);

    assert.equal(await store.history.expirePayloads(T0 + 9, 10), 0, 'not yet expired');
    assert.equal(await store.history.expirePayloads(T0 + 10, 10), 1);
    assert.equal((await store.history.getMessage('app_A', 'msg_old_done'))?.payload, null);
    assert.equal((await store.history.getAttempt('msg_old_done', 'atmpt_msg_old_done'))?.response, '', 'the response body expires too');
    assert.equal((await store.history.getAttempt('msg_new', 'atmpt_msg_new'))?.response, 'body of msg_new');

    await store.history.putIdempotentResponse('s', 'old-key', { statusCode: 202, body: '{}' }, T0 + 100);
    assert.equal(await store.history.countMessagesBefore(T0 + 1_000), 2);
    assert.equal(await store.history.pruneMessages(T0 + 1_000, T0 + 200, 10), 1, 'only the finished old message goes');
    assert.equal(await store.history.getMessage('app_A', 'msg_old_done'), undefined);
    assert.equal(await store.history.getAttempt('msg_old_done', 'atmpt_msg_old_done'), undefined, 'its attempts went with it');
    assert.ok(await store.history.getMessage('app_A', 'msg_old_pending'), 'a message still being delivered stays');
    assert.ok(await store.history.getMessage('app_A', 'msg_new'));
    assert.equal(await store.history.getIdempotentResponse('s', 'old-key', T0), undefined, 'expired idempotency records are purged');
    assert.equal(await store.history.pruneMessages(T0 + 1_000, T0 + 200, 10), 0);
  });

  test('newestAttemptAt: when the newest attempt (by id) was made, or null', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    assert.equal(await store.history.newestAttemptAt(), null);
    const [a, b] = [await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']]), await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'leased']])];
    await store.queue.recordOutcomes([
      mkOutcome({ deliveryId: a[0]!, messageId: 'msg_1', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 500 }),
      mkOutcome({ deliveryId: b[0]!, messageId: 'msg_2', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 700 }),
    ]);
    assert.equal(await store.history.newestAttemptAt(), T0 + 700);
  });

  test('attempts: getAttempt; listAttempts by message and endpoint with filters; newest first', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const m1 = mkMessage('msg_1', 'app_A', { eventType: 'user.created', channels: ['ch1', 'eu'], tags: ['t0'] });
    const m2 = mkMessage('msg_2', 'app_A', { eventType: 'invoice.paid', channels: null, tags: ['t1'] });
    const [d11, d12] = await publish(store, m1, [['ep_1', 'due'], ['ep_2', 'due']]);
    const [d21, d22] = await publish(store, m2, [['ep_1', 'due'], ['ep_2', 'due']]);
    const specs: [Message, string, number | undefined, StatusValue, number, TriggerValue][] = [
      [m1, 'ep_1', d11, Status.Fail, 500, Trigger.Scheduled],
      [m1, 'ep_1', d11, Status.Success, 200, Trigger.Scheduled],
      [m1, 'ep_2', d12, Status.Fail, 0, Trigger.Scheduled],
      [m2, 'ep_1', d21, Status.Success, 204, Trigger.Manual],
      [m2, 'ep_2', d22, Status.Fail, 404, Trigger.Scheduled],
      [m2, 'ep_2', d22, Status.Success, 299, Trigger.Scheduled],
      [m2, 'ep_2', d22, Status.Fail, 300, Trigger.Scheduled],
    ];
    const attempts = specs.map(([m, ep, _d, status, code, trigger], i) =>
      mkAttempt(m, ep, {
        status, responseStatusCode: code, trigger, createdAt: T0 + 10 * (i + 1), response: code ? `body ${i}\n✓` : '', durationMs: i,
        // An attempt that sent nothing (a disabled endpoint, expunged content) records no request.
        ...(code === 0 ? { request: null } : {}),
      }),
    );
    // Recorded under lease 0 while the deliveries are due (not sending): the attempts are logged, the deliveries unchanged.
    await store.queue.recordOutcomes(attempts.map((attempt, i) => ({ attempt, deliveryId: specs[i]![2]!, lease: 0, status: attempt.status, attempts: 1, nextAttemptAt: null })));
    const [a1, a2, a3, a4, a5, a6, a7] = attempts.map((a) => a.id) as [string, string, string, string, string, string, string];

    assert.deepStrictEqual(await store.history.getAttempt('msg_1', a1), attempts[0]);
    assert.deepStrictEqual(await store.history.getAttempt('msg_2', a5), attempts[4]);
    assert.equal(await store.history.getAttempt('msg_2', a1), undefined, 'scoped to its message');
    assert.equal(await store.history.getAttempt('msg_1', 'atmpt_nope'), undefined);

    type Filter = Parameters<Storage['history']['listAttempts']>[0];
    const ids = async (filter: Filter, order: Page['order'] = 'descending') => (await store.history.listAttempts(filter, page(order))).data.map((a) => a.id);
    assert.deepEqual(await ids({ messageId: 'msg_1' }), [a3, a2, a1], 'newest first');
    assert.deepEqual(await ids({ messageId: 'msg_1' }, 'ascending'), [a1, a2, a3]);
    assert.deepEqual(await ids({ endpointId: 'ep_1' }), [a4, a2, a1]);
    assert.deepEqual(await ids({ endpointId: 'ep_2' }), [a7, a6, a5, a3]);
    assert.deepEqual(await ids({ messageId: 'msg_2', endpointId: 'ep_2' }), [a7, a6, a5]);
    assert.deepEqual(await ids({ endpointId: 'ep_2', status: Status.Fail }), [a7, a5, a3]);
    assert.deepEqual(await ids({ endpointId: 'ep_2', status: Status.Success }), [a6]);
    assert.deepEqual(await ids({ endpointId: 'ep_2', statusCodeClass: 0 }), [a3], 'class 0: no response');
    assert.deepEqual(await ids({ messageId: 'msg_2', statusCodeClass: 200 }), [a6, a4], '200 covers 200..299');
    assert.deepEqual(await ids({ messageId: 'msg_2', statusCodeClass: 300 }), [a7]);
    assert.deepEqual(await ids({ messageId: 'msg_2', statusCodeClass: 400 }), [a5]);
    assert.deepEqual(await ids({ messageId: 'msg_1', statusCodeClass: 500 }), [a1]);
    assert.deepEqual(await ids({ endpointId: 'ep_2', eventTypes: ['invoice.paid'] }), [a7, a6, a5], 'event type of the message');
    assert.deepEqual(await ids({ endpointId: 'ep_2', eventTypes: ['invoice.paid', 'user.created'] }), [a7, a6, a5, a3]);
    assert.deepEqual(await ids({ endpointId: 'ep_1', channel: 'ch1' }), [a2, a1], 'channel of the message');
    assert.deepEqual(await ids({ endpointId: 'ep_1', channel: 'ch' }), []);
    assert.deepEqual(await ids({ endpointId: 'ep_2', tag: 't1' }), [a7, a6, a5], 'tag of the message');
    assert.deepEqual(await ids({ endpointId: 'ep_2', before: T0 + 60 }), [a5, a3], 'before the attempt time, strict');
    assert.deepEqual(await ids({ endpointId: 'ep_2', after: T0 + 50 }), [a7, a6], 'after the attempt time, strict');
    assert.deepEqual(await ids({ endpointId: 'ep_2', after: T0 + 30, before: T0 + 70, status: Status.Fail, eventTypes: ['invoice.paid'] }), [a5], 'filters combine');
    assert.deepStrictEqual((await store.history.listAttempts({ endpointId: 'ep_1' }, page())).data, [attempts[0], attempts[1], attempts[3]], 'whole attempts');

    // Deliveries were not sending, so the attempts did not change them.
    assert.equal((await deliveryOf(store, 'msg_1', 'ep_1'))?.attempts, 0);
  });

  test('attempts: list pagination', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const m = mkMessage('msg_1', 'app_A');
    const [d1, d2] = await publish(store, m, [['ep_1', 'due'], ['ep_2', 'due']]);
    const ids = MIXED.map((s) => `atmpt_${s}`);
    await store.queue.recordOutcomes(ids.map((id, i) => ({
      attempt: mkAttempt(m, i % 3 === 0 ? 'ep_2' : 'ep_1', { id, createdAt: T0 + i }), deliveryId: i % 3 === 0 ? d2! : d1!, lease: 0, status: Status.Success, attempts: 1, nextAttemptAt: null,
    })));
    await checkPagination('listAttempts(message)', (p) => store.history.listAttempts({ messageId: 'msg_1' }, p), (a) => a.id, ids);
    await checkPagination('listAttempts(endpoint)', (p) => store.history.listAttempts({ endpointId: 'ep_1' }, p), (a) => a.id, ids.filter((_, i) => i % 3 !== 0));
  });

  test('listMessageDeliveries: one row per endpoint of the message, paginated by endpoint', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    const eps = MIXED.map((s) => `ep_${s}`);
    for (const id of eps) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey('k'));
    const ids = await publish(store, mkMessage('msg_1', 'app_A'), eps.map((id, i) => [id, i % 2 ? 'due' : 'parked'] as [string, Admission]));
    await publish(store, mkMessage('msg_2', 'app_A'), [[eps[0]!, 'due']]);
    const all = await deliveriesOf(store, 'msg_1');
    assert.deepEqual(all.map((d) => d.endpointId), [...eps].sort(byteOrder));
    assert.deepEqual(all.map((d) => d.id).sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
    assert.ok(all.every((d) => d.messageId === 'msg_1'));
    assert.deepStrictEqual(await deliveriesOf(store, 'msg_none'), []);
    await checkPagination('listMessageDeliveries', (p) => store.history.listMessageDeliveries('msg_1', p), (d) => d.endpointId, eps);
  });

  test('listEndpointDeliveries: messages sent to an endpoint with their delivery, status and message filters, paginated', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const msgIds = MIXED.map((s) => `msg_${s}`);
    const messages = new Map<string, Message>();
    const delivered = new Map<string, number>();
    for (const [i, id] of msgIds.entries()) {
      const m = mkMessage(id, 'app_A', { eventType: i % 2 ? 'invoice.paid' : 'user.created', channels: i % 3 ? null : ['eu'], createdAt: T0 + i * 10 });
      messages.set(id, m);
      const [d1] = await publish(store, m, i === 4 ? [['ep_2', 'due']] : [['ep_1', i % 4 === 1 ? 'leased' : 'due'], ['ep_2', 'due']]);
      if (i !== 4) delivered.set(id, d1!);
    }
    const expectedIds = msgIds.filter((_, i) => i !== 4);
    const all = (await store.history.listEndpointDeliveries('ep_1', {}, page())).data;
    assert.deepEqual(all.map((x) => x.message.id), [...expectedIds].sort(byteOrder), 'by message id; only messages sent to this endpoint');
    for (const { message, delivery } of all) {
      assert.deepStrictEqual(message, messages.get(message.id));
      assert.deepStrictEqual(delivery, await deliveryOf(store, message.id, 'ep_1'));
      assert.equal(delivery.id, delivered.get(message.id));
    }
    const ids = async (filter: Parameters<Storage['history']['listEndpointDeliveries']>[1]) =>
      (await store.history.listEndpointDeliveries('ep_1', filter, page())).data.map((x) => x.message.id);
    // Leased at creation (so sending): the deliveries of messages 1, 5 and 9.
    const sending = msgIds.filter((_, i) => i % 4 === 1).sort(byteOrder);
    assert.deepEqual(await ids({ status: Status.Sending }), sending);
    assert.deepEqual(await ids({ status: Status.Pending }), expectedIds.filter((id) => !sending.includes(id)).sort(byteOrder));
    assert.deepEqual(await ids({ status: Status.Success }), []);
    assert.deepEqual(await ids({ eventTypes: ['invoice.paid'] }), expectedIds.filter((id) => messages.get(id)!.eventType === 'invoice.paid').sort(byteOrder));
    assert.deepEqual(await ids({ channel: 'eu' }), expectedIds.filter((id) => messages.get(id)!.channels !== null).sort(byteOrder));
    assert.deepEqual(await ids({ after: T0 + 20, before: T0 + 60 }), expectedIds.filter((id) => {
      const t = messages.get(id)!.createdAt;
      return t > T0 + 20 && t < T0 + 60;
    }).sort(byteOrder), 'before/after on the message time');
    await checkPagination('listEndpointDeliveries', (p) => store.history.listEndpointDeliveries('ep_1', {}, p), (x) => x.message.id, expectedIds);
    await checkPagination('listEndpointDeliveries(status)', (p) => store.history.listEndpointDeliveries('ep_1', { status: Status.Pending }, p), (x) => x.message.id,
      expectedIds.filter((id) => !sending.includes(id)));
  });
});
