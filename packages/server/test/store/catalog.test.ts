/**
 * Storage conformance for the catalog: applications, event types, endpoints and their signing keys, endpoint health, and what deleting an application or an endpoint takes with it.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import type { App } from '../../src/store/storage.ts';
import { Status } from '../../src/store/types.ts';
import { T0, mkApp, mkEndpoint, mkKey, mkEventType, mkMessage, mkAttempt, page, byteOrder, MIXED, expect409, publish, deliveriesOf, checkPagination } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

describeEachBackend('catalog store', backends, (test) => {
  test('apps: create, get by id and by uid, every field round-trips', async (store) => {
    const a = mkApp('app_2Ab', { uid: 'customer-1', name: 'Acme ✓', metadata: { tier: 'gold', 'x-y': '' }, throttleRate: 25, createdAt: T0 + 1, updatedAt: T0 + 2 });
    const b = mkApp('app_2AB');
    await store.catalog.createApp(a);
    await store.catalog.createApp(b);
    assert.deepStrictEqual(await store.catalog.getApp(a.id), a);
    assert.deepStrictEqual(await store.catalog.getApp('customer-1'), a);
    assert.deepStrictEqual(await store.catalog.getApp(b.id), b);
    assert.equal(await store.catalog.getApp('app_2ab'), undefined, 'ids are case-sensitive');
    assert.equal(await store.catalog.getApp('CUSTOMER-1'), undefined, 'uids are case-sensitive');
    assert.equal(await store.catalog.getApp('nope'), undefined);
  });

  test('apps: duplicate uid or id is a 409; any number of apps without uid', async (store) => {
    await store.catalog.createApp(mkApp('app_1', { uid: 'same' }));
    await expect409(store.catalog.createApp(mkApp('app_2', { uid: 'same' })), 'duplicate app uid');
    assert.equal(await store.catalog.getApp('app_2'), undefined, 'the rejected app was not written');
    await expect409(store.catalog.createApp(mkApp('app_1', { uid: 'other' })), 'duplicate app id');
    await store.catalog.createApp(mkApp('app_3'));
    await store.catalog.createApp(mkApp('app_4'));
    assert.equal((await store.catalog.listApps(page())).data.length, 3);
  });

  test('apps: update, update to a taken uid is a 409, delete', async (store) => {
    const a = mkApp('app_1', { uid: 'one' });
    const b = mkApp('app_2', { uid: 'two', metadata: { k: 'v' } });
    await store.catalog.createApp(a);
    await store.catalog.createApp(b);
    const changed: App = { ...a, uid: 'uno', name: 'renamed', metadata: { a: '1', b: '2' }, throttleRate: 7, updatedAt: T0 + 50 };
    await store.catalog.updateApp(changed);
    assert.deepStrictEqual(await store.catalog.getApp('app_1'), changed);
    assert.deepStrictEqual(await store.catalog.getApp('uno'), changed);
    assert.equal(await store.catalog.getApp('one'), undefined, 'the old uid no longer finds it');
    const cleared: App = { ...changed, uid: null, throttleRate: null, metadata: {}, updatedAt: T0 + 60 };
    await store.catalog.updateApp(cleared);
    assert.deepStrictEqual(await store.catalog.getApp('app_1'), cleared);

    await expect409(store.catalog.updateApp({ ...cleared, uid: 'two' }), 'update to a taken uid');
    assert.deepStrictEqual(await store.catalog.getApp('app_1'), cleared, 'the rejected update changed nothing');

    await store.catalog.deleteApp('app_1');
    assert.equal(await store.catalog.getApp('app_1'), undefined);
    assert.deepStrictEqual(await store.catalog.getApp('app_2'), b, 'another app is untouched');
    await store.catalog.createApp(mkApp('app_3', { uid: 'uno' }));
    assert.equal((await store.catalog.getApp('uno'))?.id, 'app_3', 'a deleted app frees its uid');
  });

  test('apps: list pagination (ascending, descending, limit, iterator, prevIterator, done)', async (store, { backend }) => {
    const ids = MIXED.slice(0, 8).map((s) => `app_${s}`);
    for (const id of ids) await store.catalog.createApp(mkApp(id));
    const all = await store.catalog.listApps(page());
    assert.deepStrictEqual(all.data[0], mkApp([...ids].sort(byteOrder)[0]!), 'listed apps are whole apps');
    await checkPagination('listApps', (p) => store.catalog.listApps(p), (a) => a.id, ids);
    const empty = await backend.open(); // a separate, empty store
    try {
      assert.deepStrictEqual(await empty.store.catalog.listApps(page('ascending', 10)), { data: [], iterator: null, prevIterator: null, done: true });
    } finally {
      await empty.cleanup();
    }
  });

  test('event types: create and get round-trip; duplicate name is a 409', async (store) => {
    const full = mkEventType('invoice.paid', {
      description: 'An invoice was paid',
      schemas: { '1': { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] } },
      deprecated: true, featureFlags: ['beta', 'billing'], groupName: 'invoice', createdAt: T0 + 1, updatedAt: T0 + 2,
    });
    const bare = mkEventType('user.created');
    await store.catalog.createEventType(full);
    await store.catalog.createEventType(bare);
    assert.deepStrictEqual(await store.catalog.getEventType('invoice.paid'), full);
    assert.deepStrictEqual(await store.catalog.getEventType('user.created'), bare);
    assert.equal(await store.catalog.getEventType('User.created'), undefined, 'names are case-sensitive');
    assert.equal(await store.catalog.getEventType('nope'), undefined);
    await expect409(store.catalog.createEventType(mkEventType('invoice.paid', { description: 'again' })), 'duplicate event type');
    assert.deepStrictEqual(await store.catalog.getEventType('invoice.paid'), full, 'the rejected create changed nothing');
  });

  test('event types: update; delete archives or expunges; list hides archived unless asked', async (store) => {
    await store.catalog.createEventType(mkEventType('a.one'));
    await store.catalog.createEventType(mkEventType('b.two'));
    await store.catalog.createEventType(mkEventType('c.three'));
    const updated = mkEventType('a.one', { description: 'new', schemas: { '2': { type: 'string' } }, featureFlags: ['f'], groupName: 'a', updatedAt: T0 + 5 });
    await store.catalog.updateEventType(updated);
    assert.deepStrictEqual(await store.catalog.getEventType('a.one'), updated);

    await store.catalog.deleteEventType('b.two', false);
    const archived = await store.catalog.getEventType('b.two');
    assert.ok(archived, 'an archived event type still exists');
    assert.equal(archived.archived, true);
    assert.equal(typeof archived.updatedAt, 'number');
    assert.ok(archived.updatedAt > T0, 'archiving touches updatedAt');
    const names = async (includeArchived: boolean) => (await store.catalog.listEventTypes(page(), includeArchived)).data.map((e) => e.name);
    assert.deepEqual(await names(false), ['a.one', 'c.three']);
    assert.deepEqual(await names(true), ['a.one', 'b.two', 'c.three']);

    // Unarchiving is an update.
    await store.catalog.updateEventType({ ...archived, archived: false });
    assert.deepEqual(await names(false), ['a.one', 'b.two', 'c.three']);

    await store.catalog.deleteEventType('c.three', true);
    assert.equal(await store.catalog.getEventType('c.three'), undefined, 'expunged');
    assert.deepEqual(await names(true), ['a.one', 'b.two']);
    await store.catalog.createEventType(mkEventType('c.three'));
    assert.ok(await store.catalog.getEventType('c.three'), 'an expunged name can be created again');
  });

  test('event types: list pagination, with and without archived', async (store) => {
    const names = ['user.created', 'Order.Created', 'a-b', 'a.a', 'aB', 'a_c', 'b', 'invoice.paid', 'Zeta', 'a.b.c'];
    const archived = new Set(['a.a', 'Zeta', 'b']);
    for (const name of names) await store.catalog.createEventType(mkEventType(name, { archived: archived.has(name) }));
    assert.deepStrictEqual((await store.catalog.listEventTypes(page(), true)).data[0], mkEventType('Order.Created'));
    await checkPagination('listEventTypes(all)', (p) => store.catalog.listEventTypes(p, true), (e) => e.name, names);
    await checkPagination('listEventTypes(live)', (p) => store.catalog.listEventTypes(p, false), (e) => e.name, names.filter((n) => !archived.has(n)));
  });

  test('endpoints: create, get by id and uid scoped to the app, every field round-trips', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const ep = mkEndpoint('ep_1', 'app_A', {
      uid: 'orders', url: 'https://example.com/a?b=c', description: 'Orders ✓', eventTypes: ['invoice.paid', 'user.created'],
      channels: ['eu', 'project_1'], disabled: true, throttleRate: 10, metadata: { team: 'x' }, headers: { 'X-Token': 'abc', 'x-other': '1' },
      concurrency: 64, retrySchedule: [0.5, 30, 3600], requestTimeout: 2.5, createdAt: T0 + 1, updatedAt: T0 + 2,
    });
    const other = mkEndpoint('ep_2', 'app_B', { uid: 'billing' });
    await store.catalog.createEndpoint(ep, mkKey('a2V5MQ=='));
    await store.catalog.createEndpoint(other, mkKey('a2V5Mg=='));

    assert.deepStrictEqual(await store.catalog.getEndpoint('app_A', 'ep_1'), ep);
    assert.deepStrictEqual(await store.catalog.getEndpoint('app_A', 'orders'), ep);
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_1'), ep);
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_2'), other);
    assert.equal(await store.catalog.getEndpoint('app_A', 'ep_2'), undefined, "another app's endpoint is not found by id");
    assert.equal(await store.catalog.getEndpoint('app_A', 'billing'), undefined, "another app's endpoint is not found by uid");
    assert.equal(await store.catalog.getEndpoint('app_B', 'ep_1'), undefined);
    assert.equal(await store.catalog.getEndpoint('app_A', 'nope'), undefined);
    assert.equal(await store.catalog.getEndpointById('nope'), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0), [mkKey('a2V5MQ==')]);
  });

  test('endpoints: uid unique per app (409), free across apps; a rejected create writes nothing', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A', { uid: 'same' }), mkKey('k1'));
    await expect409(store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A', { uid: 'same' }), mkKey('k2')), 'duplicate endpoint uid');
    assert.equal(await store.catalog.getEndpointById('ep_2'), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_2', T0), [], 'no key was written for the rejected endpoint');
    await store.catalog.createEndpoint(mkEndpoint('ep_3', 'app_B', { uid: 'same' }), mkKey('k3'));
    assert.equal((await store.catalog.getEndpoint('app_B', 'same'))?.id, 'ep_3');
    assert.equal((await store.catalog.getEndpoint('app_A', 'same'))?.id, 'ep_1');
    await store.catalog.createEndpoint(mkEndpoint('ep_4', 'app_A'), mkKey('k4'));
    await store.catalog.createEndpoint(mkEndpoint('ep_5', 'app_A'), mkKey('k5'));
    await expect409(store.catalog.updateEndpoint(mkEndpoint('ep_4', 'app_A', { uid: 'same' })), 'update to a taken endpoint uid');
    assert.equal((await store.catalog.getEndpointById('ep_4'))?.uid, null, 'the rejected update changed nothing');
  });

  test('endpoints: listAllEndpoints, update, delete', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const ids = ['ep_b', 'ep_B', 'ep_a', 'ep_0'];
    for (const id of ids) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey(`key-${id}`));
    await store.catalog.createEndpoint(mkEndpoint('ep_other', 'app_B'), mkKey('x'));
    const all = await store.catalog.listAllEndpoints('app_A');
    assert.deepStrictEqual(all, [...ids].sort(byteOrder).map((id) => mkEndpoint(id, 'app_A')), "every endpoint of the app, by id");
    assert.deepStrictEqual(await store.catalog.listAllEndpoints('app_none'), []);

    const changed = mkEndpoint('ep_a', 'app_A', {
      uid: 'u', url: 'https://example.org/new', description: 'd', eventTypes: ['x'], channels: ['c'], disabled: true, throttleRate: 3,
      metadata: { m: '1' }, headers: { h: '2' }, retrySchedule: [1], requestTimeout: 7, updatedAt: T0 + 9,
    });
    await store.catalog.updateEndpoint(changed);
    assert.deepStrictEqual(await store.catalog.getEndpoint('app_A', 'u'), changed);
    const back = { ...changed, uid: null, eventTypes: null, channels: null, disabled: false, throttleRate: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, updatedAt: T0 + 10 };
    await store.catalog.updateEndpoint(back);
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_a'), back);

    assert.equal(await store.catalog.disableEndpoint('ep_a', T0 + 11), true, 'an enabled endpoint is disabled');
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_a'), { ...back, disabled: true, updatedAt: T0 + 11 });
    assert.equal(await store.catalog.disableEndpoint('ep_a', T0 + 12), false, 'disabling twice changes nothing');
    assert.equal((await store.catalog.getEndpointById('ep_a'))?.updatedAt, T0 + 11);
    assert.equal(await store.catalog.disableEndpoint('ep_missing', T0 + 12), false);

    await store.catalog.deleteEndpoint('ep_a');
    assert.equal(await store.catalog.getEndpointById('ep_a'), undefined);
    assert.equal(await store.catalog.getEndpoint('app_A', 'ep_a'), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_a', T0), [], 'its keys went with it');
    assert.deepEqual((await store.catalog.listAllEndpoints('app_A')).map((e) => e.id), ['ep_0', 'ep_B', 'ep_b']);
  });

  test('endpoints: list pagination per app', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const ids = MIXED.map((s) => `ep_${s}`);
    for (const id of ids) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_5other', 'app_B'), mkKey('k'));
    await checkPagination('listEndpoints', (p) => store.catalog.listEndpoints('app_A', p), (e) => e.id, ids);
  });

  test('endpoint keys: current first; rotation keeps the old key until its expiry and drops expired ones', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('K0', T0));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('OTHER', T0));
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0), [mkKey('K0', T0)]);

    await store.catalog.rotateEndpointKey('ep_1', mkKey('K1', T0 + 1000), T0 + 2000);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 1000), [mkKey('K1', T0 + 1000), mkKey('K0', T0, T0 + 2000)]);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 1999), [mkKey('K1', T0 + 1000), mkKey('K0', T0, T0 + 2000)]);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 2000), [mkKey('K1', T0 + 1000)], 'the old key stops signing at its expiry');

    // A second rotation inside the grace period: both older keys still sign, newest first after the current one.
    await store.catalog.rotateEndpointKey('ep_1', mkKey('K2', T0 + 1500), T0 + 2500);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 1500), [
      mkKey('K2', T0 + 1500), mkKey('K1', T0 + 1000, T0 + 2500), mkKey('K0', T0, T0 + 2000),
    ]);

    // A rotation once both older keys expired (K1 exactly at that moment) drops them: even asking at time 0 they are gone.
    await store.catalog.rotateEndpointKey('ep_1', mkKey('K3', T0 + 2500), T0 + 4000);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', 0), [mkKey('K3', T0 + 2500), mkKey('K2', T0 + 1500, T0 + 4000)]);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 4000), [mkKey('K3', T0 + 2500)]);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_2', T0 + 4000), [mkKey('OTHER', T0)], 'another endpoint is untouched');
  });

  test('endpoint health: a failing run starts at the first exhausted delivery and ends with any success', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k1'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    assert.equal(await store.catalog.noteEndpointExhausted('ep_1', T0), T0);
    assert.equal(await store.catalog.noteEndpointExhausted('ep_1', T0 + 500), T0, 'the run keeps its start');
    assert.equal(await store.catalog.noteEndpointExhausted('ep_2', T0 + 700), T0 + 700);
    await store.catalog.noteEndpointsSucceeded(['ep_1']);
    assert.equal(await store.catalog.noteEndpointExhausted('ep_1', T0 + 900), T0 + 900, 'a success ended the run; a new one starts');
    assert.equal(await store.catalog.noteEndpointExhausted('ep_2', T0 + 900), T0 + 700, 'the other endpoint is untouched');
    assert.equal(await store.catalog.noteEndpointExhausted('ep_missing', T0), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_1'), mkEndpoint('ep_1', 'app_A'), 'the endpoint itself reads back unchanged');
  });

  test('deleteApp removes its endpoints, keys, messages, deliveries and attempts, and nothing of other apps', async (store) => {
    for (const app of ['app_A', 'app_B']) {
      await store.catalog.createApp(mkApp(app, { uid: `uid-${app}` }));
      await store.catalog.createEndpoint(mkEndpoint(`ep_${app}`, app, { uid: 'hook' }), mkKey(`key-${app}`));
      const m = mkMessage(`msg_${app}`, app, { eventId: 'evt' });
      const [id] = await publish(store, m, [[`ep_${app}`, 'due']], { dueAt: T0 });
      await store.queue.recordOutcomes([{ attempt: mkAttempt(m, `ep_${app}`, { id: `atmpt_${app}` }), deliveryId: id!, lease: 0, status: Status.Success, attempts: 1, nextAttemptAt: null }]);
      await store.history.putIdempotentResponse(app, 'k', { statusCode: 202, body: app }, T0 + 1000);
    }
    await store.catalog.deleteApp('app_A');

    assert.equal(await store.catalog.getApp('app_A'), undefined);
    assert.equal(await store.catalog.getApp('uid-app_A'), undefined);
    assert.equal(await store.catalog.getEndpointById('ep_app_A'), undefined);
    assert.deepStrictEqual(await store.catalog.listAllEndpoints('app_A'), []);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_app_A', T0), []);
    assert.equal(await store.history.getMessage('app_A', 'msg_app_A'), undefined);
    assert.deepStrictEqual((await store.history.listMessages('app_A', {}, page())).data, []);
    assert.deepStrictEqual(await deliveriesOf(store, 'msg_app_A'), []);
    assert.deepStrictEqual((await store.history.listEndpointDeliveries('ep_app_A', {}, page())).data, []);
    assert.equal(await store.history.getAttempt('msg_app_A', 'atmpt_app_A'), undefined);
    assert.deepStrictEqual((await store.history.listAttempts({ messageId: 'msg_app_A' }, page())).data, []);
    assert.deepStrictEqual((await store.history.listAttempts({ endpointId: 'ep_app_A' }, page())).data, []);
    assert.deepStrictEqual(await store.stats.endpointStats('ep_app_A', null, null), { success: 0, pending: 0, sending: 0, fail: 0, canceled: 0 });

    assert.ok(await store.catalog.getApp('uid-app_B'));
    assert.ok(await store.catalog.getEndpoint('app_B', 'hook'));
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_app_B', T0), [mkKey('key-app_B')]);
    assert.ok(await store.history.getMessage('app_B', 'evt'));
    assert.ok(await store.history.getAttempt('msg_app_B', 'atmpt_app_B'));
    assert.deepEqual((await store.queue.claimDueDeliveries(T0, T0 + 1000, 10)).map((c) => c.messageId), ['msg_app_B'], 'only the other app is queued');

    // The app's ids and uids are free again.
    await store.catalog.createApp(mkApp('app_A', { uid: 'uid-app_A' }));
    await store.catalog.createEndpoint(mkEndpoint('ep_app_A', 'app_A', { uid: 'hook' }), mkKey('new'));
    await publish(store, mkMessage('msg_app_A', 'app_A', { eventId: 'evt' }), []);
    assert.deepStrictEqual((await store.history.listAttempts({ messageId: 'msg_app_A' }, page())).data, [], 'no old attempt reappears');
  });

  test('deleteEndpoint removes its deliveries and attempts; the message and other endpoints stay', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k1'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    const m = mkMessage('msg_1', 'app_A');
    const [d1, d2] = await publish(store, m, [['ep_1', 'due'], ['ep_2', 'due']], { dueAt: T0 });
    const a1 = mkAttempt(m, 'ep_1');
    const a2 = mkAttempt(m, 'ep_2');
    await store.queue.recordOutcomes([
      { attempt: a1, deliveryId: d1!, lease: 0, status: Status.Fail, attempts: 1, nextAttemptAt: null },
      { attempt: a2, deliveryId: d2!, lease: 0, status: Status.Fail, attempts: 1, nextAttemptAt: null },
    ]);
    await store.catalog.deleteEndpoint('ep_1');

    assert.equal(await store.catalog.getEndpointById('ep_1'), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0), []);
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'msg_1'), m, 'the message stays');
    assert.deepEqual((await deliveriesOf(store, 'msg_1')).map((d) => d.id), [d2]);
    assert.deepStrictEqual((await store.history.listEndpointDeliveries('ep_1', {}, page())).data, []);
    assert.equal(await store.history.getAttempt('msg_1', a1.id), undefined);
    assert.deepStrictEqual((await store.history.listAttempts({ messageId: 'msg_1' }, page())).data, [a2]);
    assert.deepStrictEqual((await store.history.listAttempts({ endpointId: 'ep_1' }, page())).data, []);
    assert.deepStrictEqual(await store.stats.endpointStats('ep_1', null, null), { success: 0, pending: 0, sending: 0, fail: 0, canceled: 0 });
    assert.deepEqual((await store.queue.claimDueDeliveries(T0, T0 + 1000, 10)).map((c) => c.deliveryId), [d2]);
    assert.deepEqual((await store.catalog.listAllEndpoints('app_A')).map((e) => e.id), ['ep_2']);
  });
});
