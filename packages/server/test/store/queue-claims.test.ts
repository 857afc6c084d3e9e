/**
 * Storage conformance for the queue, part one: claiming due deliveries, leases, outcomes, what is queued, recovery at start.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import type { Delivery } from '../../src/store/storage.ts';
import { Status, Trigger } from '../../src/store/types.ts';
import { T0, mkApp, mkEndpoint, mkKey, mkMessage, mkOutcome, page, publish, deliveriesOf, deliveryOf, withoutLease } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

describeEachBackend('queue claims store', backends, (test) => {
  test('claimDueDeliveries: only due rows, oldest due first, at most limit; leased until leaseUntil', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_B'), mkKey('k'));
    const now = T0 + 100_000;
    const lease = now + 30_000;
    const payload = (n: number) => `{"n":${n},  "é":"\\u00e9",\n"x":[1.50]}`;
    const m = (n: number, appId = 'app_A') => mkMessage(`msg_${n}`, appId, { payload: payload(n) });
    // Ids rise 1..7 while due times fall, so "oldest due first" differs from id order.
    const [d1] = await publish(store, m(1), [['ep_1', 'due']], { dueAt: now - 1000 });
    const [d2] = await publish(store, m(2), [['ep_1', 'due']], { dueAt: now - 2000 });
    const [d3] = await publish(store, m(3, 'app_B'), [['ep_2', 'due']], { dueAt: now - 3000 });
    const [d4] = await publish(store, m(4), [['ep_1', 'due']], { dueAt: now });
    const [d5] = await publish(store, m(5), [['ep_1', 'due']], { dueAt: now + 1 });
    await publish(store, m(6), [['ep_1', 'parked']]);
    const [d7] = await publish(store, m(7), [['ep_1', 'leased']], { leaseUntil: now + 50_000 });

    const expect = (id: number | undefined, n: number, leaseUntil: number, appId = 'app_A', endpointId = 'ep_1') => ({
      deliveryId: id!, messageId: `msg_${n}`, endpointId, appId, eventType: 'user.created', attempts: 0, trigger: Trigger.Scheduled, payload: payload(n), leaseUntil,
    });
    const byId = (a: { deliveryId: number }, b: { deliveryId: number }) => a.deliveryId - b.deliveryId;
    // "Oldest due first" is which rows a limited claim takes; the order of the returned array is not part of the
    // contract (SQLite returns it by delivery id), so sets are compared where a claim returns several rows.
    const first = await store.queue.claimDueDeliveries(now, lease, 1);
    assert.deepStrictEqual(first.map(withoutLease), [expect(d3, 3, lease, 'app_B', 'ep_2')], 'the oldest due is taken first, with its app and exact payload');
    const second = await store.queue.claimDueDeliveries(now, lease, 2);
    assert.deepStrictEqual(second.map(withoutLease).sort(byId), [expect(d2, 2, lease), expect(d1, 1, lease)].sort(byId), 'then the next two oldest, at most limit');
    for (const c of [...first, ...second]) {
      assert.equal(typeof c.lease, 'number');
      assert.ok(c.lease > 0, 'a claim never reuses lease 0 (the lease of a delivery leased at creation)');
    }
    assert.deepStrictEqual(await deliveryOf(store, 'msg_2', 'ep_1'), {
      id: d2, messageId: 'msg_2', endpointId: 'ep_1', status: Status.Sending, attempts: 0, nextAttemptAt: lease, lastStatusCode: null,
      trigger: Trigger.Scheduled, updatedAt: now,
    }, 'claimed: sending, leased until leaseUntil');

    assert.deepStrictEqual((await store.queue.claimDueDeliveries(now, lease, 10)).map(withoutLease), [expect(d4, 4, lease)], 'due exactly now is due; the claimed are not again');
    assert.deepStrictEqual(await store.queue.claimDueDeliveries(now, lease, 10), [], 'nothing else is due');
    assert.equal(await store.queue.nextDueAt(), now + 1);
    assert.deepStrictEqual(await store.queue.claimDueDeliveries(lease - 1, lease + 30_000, 10).then((c) => c.map((x) => x.deliveryId)), [d5], 'leases still running are not due');

    // When the lease has run out the rows come back, under a higher lease.
    const later = await store.queue.claimDueDeliveries(lease, lease + 30_000, 100);
    assert.deepEqual(later.map((c) => c.deliveryId).sort((a, b) => a - b), [d1!, d2!, d3!, d4!].sort((a, b) => a - b), 'expired leases are due again; the parked and the still leased are not');
    for (const c of [...first, ...second]) {
      const again = later.find((l) => l.deliveryId === c.deliveryId);
      assert.ok(again && again.lease > c.lease, 'a later claim has a higher lease');
      assert.equal(again.leaseUntil, lease + 30_000);
    }
    const atD7 = await store.queue.claimDueDeliveries(now + 50_000, now + 80_000, 100);
    assert.deepEqual(atD7.map((c) => c.deliveryId), [d7], 'a delivery leased at creation is claimable once its lease ends');
    assert.ok(atD7[0]!.lease > 0);
  });

  test('renewLeases: extends leases still held under the given lease number; returns the ids renewed', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const ids: number[] = [];
    for (let n = 1; n <= 4; n++) ids.push(...(await publish(store, mkMessage(`msg_${n}`, 'app_A'), [['ep_1', 'due']], { dueAt: T0 })));
    const [d1, d2, d3, d4] = ids as [number, number, number, number];
    const [leased] = await publish(store, mkMessage('msg_5', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 1000 });
    const claimed = await store.queue.claimDueDeliveries(T0, T0 + 1000, 10);
    const lease = (id: number) => claimed.find((c) => c.deliveryId === id)!.lease;
    assert.equal(claimed.length, 4);
    // d3 is resent meanwhile, d4 finished: neither is held any more.
    await store.queue.scheduleResend('msg_3', 'ep_1', T0 + 10, Trigger.Manual);
    await store.queue.recordOutcomes([mkOutcome(claimed.find((c) => c.deliveryId === d4)!, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 10 })]);

    const renewed = await store.queue.renewLeases([
      { deliveryId: d1, lease: lease(d1) },
      { deliveryId: d2, lease: lease(d2) - 1 },
      { deliveryId: d3, lease: lease(d3) },
      { deliveryId: d4, lease: lease(d4) },
      { deliveryId: leased!, lease: 0 },
    ], T0 + 5000);
    assert.deepEqual([...renewed].sort((a, b) => a - b), [d1, leased!].sort((a, b) => a - b), 'only deliveries still held under that lease');
    assert.deepStrictEqual(await store.queue.renewLeases([], T0 + 5000), []);

    const state = async (n: number) => {
      const d = await deliveryOf(store, `msg_${n}`, 'ep_1');
      return { status: d?.status, nextAttemptAt: d?.nextAttemptAt, attempts: d?.attempts };
    };
    assert.deepStrictEqual(await state(1), { status: Status.Sending, nextAttemptAt: T0 + 5000, attempts: 0 });
    assert.deepStrictEqual(await state(5), { status: Status.Sending, nextAttemptAt: T0 + 5000, attempts: 0 });
    assert.deepStrictEqual(await state(2), { status: Status.Sending, nextAttemptAt: T0 + 1000, attempts: 0 }, 'a stale lease number renews nothing');
    assert.deepStrictEqual(await state(3), { status: Status.Pending, nextAttemptAt: T0 + 10, attempts: 0 }, 'a resent delivery is not renewed');
    assert.deepStrictEqual(await state(4), { status: Status.Success, nextAttemptAt: null, attempts: 1 }, 'a finished delivery is not renewed');

    const due = await store.queue.claimDueDeliveries(T0 + 1000, T0 + 6000, 10);
    assert.deepEqual(due.map((c) => c.deliveryId).sort((a, b) => a - b), [d2, d3].sort((a, b) => a - b), 'renewed leases are not due at their old end');
    // Renewal keeps the lease number: an outcome under it still decides.
    await store.queue.recordOutcomes([mkOutcome(claimed.find((c) => c.deliveryId === d1)!, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 20 })]);
    assert.deepStrictEqual(await state(1), { status: Status.Success, nextAttemptAt: null, attempts: 1 });
    assert.deepEqual((await store.queue.claimDueDeliveries(T0 + 4999, T0 + 9000, 10)).map((c) => c.deliveryId), [], 'a renewed lease holds until its new end');
    assert.deepEqual((await store.queue.claimDueDeliveries(T0 + 5000, T0 + 9000, 10)).map((c) => c.deliveryId), [leased], 'and runs out then');
  });

  test('claimDueDeliveries: concurrent claims never hand out one delivery twice', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const ids: number[] = [];
    for (let n = 0; n < 30; n++) ids.push(...(await publish(store, mkMessage(`msg_${n}`, 'app_A'), [['ep_1', 'due']], { dueAt: T0 + n })));
    const claims = await Promise.all([0, 1, 2, 3].map(() => store.queue.claimDueDeliveries(T0 + 1000, T0 + 60_000, 10)));
    const rest = await store.queue.claimDueDeliveries(T0 + 1000, T0 + 60_000, 100);
    const all = [...claims.flat(), ...rest].map((c) => c.deliveryId);
    assert.equal(new Set(all).size, all.length, 'no delivery claimed twice');
    assert.deepEqual(all.sort((a, b) => a - b), ids.sort((a, b) => a - b), 'every delivery claimed once');
  });

  test('nextDueAt: the soonest due time or lease end, null when nothing is pending', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    assert.equal(await store.queue.nextDueAt(), null, 'empty');
    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'parked']]);
    assert.equal(await store.queue.nextDueAt(), null, 'parked rows have no due time');
    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 5000 });
    assert.equal(await store.queue.nextDueAt(), T0 + 5000);
    const [leased] = await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 3000 });
    assert.equal(await store.queue.nextDueAt(), T0 + 3000, 'a lease end counts');
    await store.queue.recordOutcomes([
      mkOutcome({ deliveryId: leased!, messageId: 'msg_3', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Fail, attempts: 1, nextAttemptAt: null, code: 410, at: T0 + 100 }),
    ]);
    assert.equal(await store.queue.nextDueAt(), T0 + 5000, 'a final row no longer counts');
    const claimed = await store.queue.claimDueDeliveries(T0 + 5000, T0 + 9000, 10);
    assert.equal(claimed.length, 1);
    assert.equal(await store.queue.nextDueAt(), T0 + 9000, 'claimed: its lease end');
    await store.queue.recordOutcomes([mkOutcome(claimed[0]!, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 5001 })]);
    assert.equal(await store.queue.nextDueAt(), null, 'only parked and final rows left');
  });

  test('recordOutcomes: attempt rows and delivery state (success, retry, fail) in one call', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    for (const id of ['ep_1', 'ep_2', 'ep_3']) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey('k'));
    const m = mkMessage('msg_1', 'app_A');
    const [d1, d2, d3] = await publish(store, m, [['ep_1', 'due'], ['ep_2', 'due'], ['ep_3', 'due']], { dueAt: T0 });
    const claimed = await store.queue.claimDueDeliveries(T0, T0 + 60_000, 10);
    assert.equal(claimed.length, 3);
    const c = (id: number | undefined) => claimed.find((x) => x.deliveryId === id)!;
    const outcomes = [
      mkOutcome(c(d1), { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 10 }, { response: '{"ok":true} ✓', durationMs: 42 }),
      mkOutcome(c(d2), { status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 5000, code: 503, at: T0 + 11 }),
      mkOutcome(c(d3), { status: Status.Fail, attempts: 1, nextAttemptAt: null, code: 0, at: T0 + 12 }, { response: 'connect ECONNREFUSED' }),
    ];
    await store.queue.recordOutcomes(outcomes);
    const base = { messageId: 'msg_1', attempts: 1, trigger: Trigger.Scheduled };
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), { ...base, id: d1, endpointId: 'ep_1', status: Status.Success, nextAttemptAt: null, lastStatusCode: 200, updatedAt: T0 + 10 });
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_2'), { ...base, id: d2, endpointId: 'ep_2', status: Status.Pending, nextAttemptAt: T0 + 5000, lastStatusCode: 503, updatedAt: T0 + 11 });
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_3'), { ...base, id: d3, endpointId: 'ep_3', status: Status.Fail, nextAttemptAt: null, lastStatusCode: null, updatedAt: T0 + 12 }, 'no response: no status code');
    for (const o of outcomes) assert.deepStrictEqual(await store.history.getAttempt('msg_1', o.attempt.id), o.attempt);

    assert.equal(await store.queue.nextDueAt(), T0 + 5000);
    assert.deepStrictEqual(await store.queue.claimDueDeliveries(T0 + 4999, T0 + 60_000, 10), [], 'the retry is not due before its time');
    const retry = await store.queue.claimDueDeliveries(T0 + 5000, T0 + 60_000, 10);
    assert.deepEqual(retry.map((x) => [x.deliveryId, x.attempts]), [[d2, 1]], 'the retry comes back with its attempt count');
  });

  test('recordOutcomes: an outcome under a stale lease stores its attempt but changes nothing in the delivery', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const [id] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'due']], { dueAt: T0 });
    const [one] = await store.queue.claimDueDeliveries(T0, T0 + 1000, 10);
    assert.ok(one);
    const [two] = await store.queue.claimDueDeliveries(T0 + 1000, T0 + 5000, 10);
    assert.ok(two && two.deliveryId === id && two.lease > one.lease, 'claimed again after the lease ran out');
    const stale = mkOutcome(one, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 1500 });
    await store.queue.recordOutcomes([stale]);
    const held: Delivery = {
      id: id!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Sending, attempts: 0, nextAttemptAt: T0 + 5000, lastStatusCode: null,
      trigger: Trigger.Scheduled, updatedAt: T0 + 1000,
    };
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), held, 'the stale outcome changed nothing');
    assert.deepStrictEqual(await store.history.getAttempt('msg_1', stale.attempt.id), stale.attempt, 'but its attempt row is stored');

    const current = mkOutcome(two, { status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 9000, code: 500, at: T0 + 1600 });
    await store.queue.recordOutcomes([current]);
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), { ...held, status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 9000, lastStatusCode: 500, updatedAt: T0 + 1600 }, 'the current lease decides');
    assert.equal((await store.history.listAttempts({ messageId: 'msg_1' }, page())).data.length, 2);

    // An outcome for a delivery that is no longer sending (here: pending again) changes nothing either.
    await store.queue.recordOutcomes([mkOutcome(two, { status: Status.Success, attempts: 2, nextAttemptAt: null, code: 200, at: T0 + 1700 })]);
    assert.equal((await deliveryOf(store, 'msg_1', 'ep_1'))?.status, Status.Pending);
  });

  test('a delivery leased at creation takes its outcome under lease 0', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const [id] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: id!, messageId: 'msg_1', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 204, at: T0 + 5 })]);
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), {
      id: id!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Success, attempts: 1, nextAttemptAt: null, lastStatusCode: 204,
      trigger: Trigger.Scheduled, updatedAt: T0 + 5,
    });
  });

  test('countQueuedDeliveries and oldestDueAt: deliveries not final, and the oldest one that is late', async (store) => {
    const queueStats = async (now: number) => ({ queued: await store.queue.countQueuedDeliveries(), oldestDueAt: await store.queue.oldestDueAt(now) });
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A', { ordered: true }), mkKey('k'));
    assert.deepStrictEqual(await queueStats(T0), { queued: 0, oldestDueAt: null });
    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 10 });
    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 20 });
    await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'parked']]);
    await publish(store, mkMessage('msg_4', 'app_A'), [['ep_2', 'turn']]);
    const [done] = await publish(store, mkMessage('msg_5', 'app_A'), [['ep_1', 'leased']]);
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: done!, messageId: 'msg_5', endpointId: 'ep_1', appId: 'app_A', lease: 0 },
      { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 })]);
    assert.deepStrictEqual(await queueStats(T0 + 5), { queued: 3, oldestDueAt: null }, 'two due later and one parked; not the turn nor the delivered');
    assert.deepStrictEqual(await queueStats(T0 + 100), { queued: 3, oldestDueAt: T0 + 10 });
    await store.queue.claimDueDeliveries(T0 + 100, T0 + 1_000, 1);
    assert.deepStrictEqual(await queueStats(T0 + 100), { queued: 3, oldestDueAt: T0 + 20 }, 'one being sent is queued but not late');
  });

  test('recoverAtStart: SQLite makes sending and parked rows due; PostgreSQL changes nothing', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'parked']]);
    await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 99_000 });
    const [finished] = await publish(store, mkMessage('msg_4', 'app_A'), [['ep_1', 'leased']]);
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: finished!, messageId: 'msg_4', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 1 })]);
    const snapshot = async () => {
      const out: Delivery[] = [];
      for (const n of [1, 2, 3, 4]) out.push(...(await deliveriesOf(store, `msg_${n}`)));
      return out;
    };
    const before = await snapshot();
    const now = T0 + 10_000;
    const recovered = await store.queue.recoverAtStart(now);
    const after = await snapshot();
    if (store.dialect === 'sqlite') {
      assert.deepEqual(recovered, { deliveries: 2, endpoints: 1 });
      assert.deepStrictEqual(after, [
        { ...before[0]!, status: Status.Pending, nextAttemptAt: now, updatedAt: now },
        { ...before[1]!, status: Status.Pending, nextAttemptAt: now, updatedAt: now },
        before[2],
        before[3],
      ]);
      assert.equal(await store.queue.nextDueAt(), now);
    } else {
      assert.deepEqual(recovered, { deliveries: 0, endpoints: 0 });
      assert.deepStrictEqual(after, before, 'leases run out by themselves; nothing changes');
    }
  });
});
