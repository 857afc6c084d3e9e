/**
 * Storage conformance for the queue, part two: ordered delivery, throttle token buckets, parking, releasing, resends and expediting.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import { Status, Trigger } from '../../src/store/types.ts';
import { T0, mkApp, mkEndpoint, mkKey, mkMessage, mkAttempt, mkOutcome, publish, deliveriesOf, deliveryOf, withoutLease } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

describeEachBackend('queue scheduling store', backends, (test) => {
  test('ordered delivery: deliveries wait their turn and are promoted one at a time, oldest first', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_o', 'app_A', { ordered: true }), mkKey('k'));
    assert.equal((await store.catalog.getEndpointById('ep_o'))?.ordered, true);
    const ids: number[] = [];
    for (const [n, deliverAt] of [[1, null], [2, null], [3, T0 + 500]] as const) {
      const created = await store.history.createMessage({
        message: mkMessage(`msg_${n}`, 'app_A', { createdAt: T0 + n, deliverAt }), deliveries: [{ endpointId: 'ep_o', admission: 'turn' }], dueAt: T0, leaseUntil: T0,
      });
      ids.push(...('deliveryIds' in created ? created.deliveryIds : []));
    }
    assert.deepEqual(await store.queue.claimDueDeliveries(T0 + 10_000, T0 + 20_000, 10), [], 'waiting rows are never due by themselves');
    assert.deepEqual(await store.queue.claimParkedDeliveries('ep_o', T0 + 20_000, 10), [], 'nor taken as parked');
    assert.equal(await store.queue.unparkStale(T0 + 1_000_000, T0), 0);
    assert.deepEqual(await store.queue.endpointsWaitingTurn(), ['ep_o']);

    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 10), true);
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 10), false, 'one at a time: the first is now active');
    const [first] = await store.queue.claimDueDeliveries(T0 + 10, T0 + 1_000, 10);
    assert.equal(first?.messageId, 'msg_1');
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 20), false, 'still active while being sent');
    const outcome = (status: 0 | 1 | 2, next: number | null) => ({
      deliveryId: first!.deliveryId, lease: first!.lease, status, attempts: 1, nextAttemptAt: next,
      attempt: mkAttempt(mkMessage('msg_1', 'app_A'), 'ep_o'),
    });
    await store.queue.recordOutcomes([outcome(1, T0 + 100)]);
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 30), false, 'a retry pending still holds the turn');
    const [retry] = await store.queue.claimDueDeliveries(T0 + 100, T0 + 1_000, 10);
    await store.queue.recordOutcomes([{ ...outcome(2, null), lease: retry!.lease }]);
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 200), true, 'failed for good: the next one goes');
    const [second] = await store.queue.claimDueDeliveries(T0 + 200, T0 + 1_000, 10);
    assert.equal(second?.messageId, 'msg_2');
    await store.queue.recordOutcomes([{ ...outcome(0, null), deliveryId: second!.deliveryId, lease: second!.lease }]);
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 300), true);
    assert.deepEqual(await store.queue.claimDueDeliveries(T0 + 300, T0 + 1_000, 10), [], 'the third honours its deliverAt');
    assert.equal((await store.queue.claimDueDeliveries(T0 + 500, T0 + 1_000, 10))[0]?.messageId, 'msg_3');
    assert.deepEqual(await store.queue.endpointsWaitingTurn(), []);
  });

  test('takeTokens: buckets start full, refill at their rate, and every bucket gives the same number', async (store) => {
    const ep = { key: 'ep:x', ratePerSecond: 5 };
    const app = { key: 'app:x', ratePerSecond: 3 };
    assert.equal(await store.queue.takeTokens([ep], 4, T0), 4);
    assert.equal(await store.queue.takeTokens([ep], 4, T0), 1, 'one left of the first second');
    assert.equal(await store.queue.takeTokens([ep], 4, T0 + 100), 0, 'half a token is not one');
    assert.equal(await store.queue.takeTokens([ep], 4, T0 + 400), 2, 'refilled 2 tokens in 400 ms');
    assert.equal(await store.queue.takeTokens([ep, app], 10, T0 + 5_000), 3, 'the app bucket, full at 3, limits both');
    assert.equal(await store.queue.takeTokens([ep], 10, T0 + 5_000), 2, 'the endpoint bucket gave only those 3');
    assert.equal(await store.queue.takeTokens([app], 10, T0 + 5_000), 0);
  });

  test('takeTokens: concurrent takers from two handles never get more than the bucket holds', async (store, { another }) => {
    const other = await another();
    const bucket = [{ key: 'ep:shared', ratePerSecond: 20 }];
    const grants = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? store : other).queue.takeTokens(bucket, 3, T0)));
    assert.equal(grants.reduce((a, b) => a + b, 0), 20, 'exactly the 20 tokens of a full bucket, across both');
  });

  test('parkDeliveries and claimParkedDeliveries: parked rows leave the due index, come back oldest first, per endpoint', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const rows: { n: number; ep1: number; ep2: number }[] = [];
    for (let n = 1; n <= 3; n++) {
      const [ep1, ep2] = await publish(store, mkMessage(`msg_${n}`, 'app_A', { payload: `[${n}]` }), [['ep_1', 'leased'], ['ep_2', 'leased']], { leaseUntil: T0 + 1000 });
      rows.push({ n, ep1: ep1!, ep2: ep2! });
    }
    const [due] = await publish(store, mkMessage('msg_4', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 500 });
    await store.queue.parkDeliveries([...rows.map((r) => r.ep1).reverse(), ...rows.map((r) => r.ep2), due!]);
    const parked = await deliveryOf(store, 'msg_2', 'ep_1');
    assert.equal(parked?.status, Status.Pending);
    assert.equal(parked?.nextAttemptAt, null, 'parked: pending with no due time');
    assert.equal((await deliveryOf(store, 'msg_4', 'ep_1'))?.nextAttemptAt, T0 + 500, 'a row that is not sending is not parked');
    assert.equal(await store.queue.nextDueAt(), T0 + 500);
    assert.deepEqual((await store.queue.claimDueDeliveries(T0 + 10_000_000_000, T0 + 10_000_000_001, 100)).map((c) => c.deliveryId), [due], 'no scan sees parked rows');

    const leaseUntil = Date.now() + 60_000;
    const a = await store.queue.claimParkedDeliveries('ep_1', leaseUntil, 2);
    const expect = (r: { n: number; ep1: number; ep2: number }, ep: 'ep1' | 'ep2') => ({
      deliveryId: r[ep], messageId: `msg_${r.n}`, endpointId: ep === 'ep1' ? 'ep_1' : 'ep_2', appId: 'app_A', eventType: 'user.created', attempts: 0, trigger: Trigger.Scheduled, payload: `[${r.n}]`,
      leaseUntil,
    });
    assert.deepStrictEqual(a.map(withoutLease), [expect(rows[0]!, 'ep1'), expect(rows[1]!, 'ep1')], 'oldest first, at most limit');
    for (const c of a) assert.ok(c.lease > 0);
    const claimedRow = await deliveryOf(store, 'msg_1', 'ep_1');
    assert.equal(claimedRow?.status, Status.Sending);
    assert.equal(claimedRow?.nextAttemptAt, leaseUntil, 'leased until leaseUntil');
    assert.deepStrictEqual((await store.queue.claimParkedDeliveries('ep_1', leaseUntil, 10)).map(withoutLease), [expect(rows[2]!, 'ep1')]);
    assert.deepStrictEqual(await store.queue.claimParkedDeliveries('ep_1', leaseUntil, 10), [], 'none left for ep_1');
    assert.deepStrictEqual((await store.queue.claimParkedDeliveries('ep_2', leaseUntil, 10)).map(withoutLease), rows.map((r) => expect(r, 'ep2')), "ep_2's parked rows were left alone");
  });

  test('claimDeliveryToProbe: the oldest parked delivery, else the soonest retry of that endpoint; never one in flight or waiting its turn', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const leaseUntil = Date.now() + 60_000;
    assert.equal(await store.queue.claimDeliveryToProbe('ep_1', leaseUntil), null, 'nothing pending');
    await publish(store, mkMessage('msg_sending', 'app_A'), [['ep_1', 'leased']]);
    await publish(store, mkMessage('msg_turn', 'app_A'), [['ep_1', 'turn']]);
    await publish(store, mkMessage('msg_other', 'app_A'), [['ep_2', 'parked']]);
    assert.equal(await store.queue.claimDeliveryToProbe('ep_1', leaseUntil), null, 'neither one in flight, one waiting its turn, nor another endpoint\'s');

    const retrying = async (name: string, retryAt: number) => {
      const [id] = await publish(store, mkMessage(name, 'app_A'), [['ep_1', 'leased']]);
      await store.queue.recordOutcomes([mkOutcome({ deliveryId: id!, messageId: name, endpointId: 'ep_1', appId: 'app_A', lease: 0 },
        { status: Status.Pending, attempts: 1, nextAttemptAt: retryAt, code: 503, at: T0 + 10 })]);
      return id!;
    };
    await publish(store, mkMessage('msg_scheduled', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 30_000 });
    const later = await retrying('msg_later', T0 + 90_000);
    const sooner = await retrying('msg_sooner', T0 + 60_000);
    const [parkedFirst] = await publish(store, mkMessage('msg_parked_1', 'app_A'), [['ep_1', 'parked']]);
    const [parkedSecond] = await publish(store, mkMessage('msg_parked_2', 'app_A'), [['ep_1', 'parked']]);
    const taken: number[] = [];
    for (let probe = await store.queue.claimDeliveryToProbe('ep_1', leaseUntil); probe; probe = await store.queue.claimDeliveryToProbe('ep_1', leaseUntil)) {
      assert.equal(probe.leaseUntil, leaseUntil);
      assert.equal((await deliveryOf(store, probe.messageId, 'ep_1'))?.status, Status.Sending, 'leased like a claim');
      taken.push(probe.deliveryId);
    }
    assert.deepEqual(taken, [parkedFirst, parkedSecond, sooner, later], 'parked ones oldest first, then retries by due time');
    assert.equal((await deliveryOf(store, 'msg_scheduled', 'ep_1'))?.status, Status.Pending, 'a first attempt scheduled for later (deliverAt) is never a probe');
    assert.equal((await deliveryOf(store, 'msg_other', 'ep_2'))?.nextAttemptAt, null, "ep_2's parked delivery was left alone");
  });

  test('unparkStale: rows parked before the cutoff become due now', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const now = T0 + 100_000;
    const [old] = await publish(store, mkMessage('msg_1', 'app_A', { createdAt: now - 100_000 }), [['ep_1', 'parked']]);
    const [edge] = await publish(store, mkMessage('msg_2', 'app_A', { createdAt: now - 50_000 }), [['ep_1', 'parked']]);
    const [recent] = await publish(store, mkMessage('msg_3', 'app_A', { createdAt: now }), [['ep_1', 'parked']]);
    await publish(store, mkMessage('msg_4', 'app_A', { createdAt: now - 100_000 }), [['ep_1', 'due']], { dueAt: now + 7 });

    assert.equal(await store.queue.unparkStale(now - 50_000, now), 1, 'only the row parked strictly before the cutoff');
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), {
      id: old!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Pending, attempts: 0, nextAttemptAt: now, lastStatusCode: null,
      trigger: Trigger.Scheduled, updatedAt: now,
    });
    assert.equal((await deliveryOf(store, 'msg_4', 'ep_1'))?.nextAttemptAt, now + 7, 'due rows are untouched');
    assert.deepEqual((await store.queue.claimDueDeliveries(now, now + 1000, 10)).map((c) => c.deliveryId), [old]);
    assert.deepEqual((await store.queue.claimParkedDeliveries('ep_1', now + 1000, 10)).map((c) => c.deliveryId), [edge, recent], 'the others are still parked');
    assert.equal(await store.queue.unparkStale(now + 1_000_000, now), 0, 'sending rows are not parked');

    // Rows parked by parkDeliveries are parked "now" by the store's clock.
    const [p] = await publish(store, mkMessage('msg_5', 'app_A', { createdAt: now - 100_000 }), [['ep_1', 'leased']]);
    await store.queue.parkDeliveries([p!]);
    assert.equal(await store.queue.unparkStale(Date.now() - 60_000, now), 0, 'just parked: not stale');
    assert.equal(await store.queue.unparkStale(Date.now() + 60_000, now + 1), 1);
    assert.equal((await deliveryOf(store, 'msg_5', 'ep_1'))?.nextAttemptAt, now + 1);
  });

  test('releaseDeliveries: leased rows become due at dueAt; others are untouched', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const [a] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    const [b] = await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    const [done] = await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    const [parked] = await publish(store, mkMessage('msg_4', 'app_A'), [['ep_1', 'parked']]);
    const ref = (id: number | undefined, n: number) => ({ deliveryId: id!, messageId: `msg_${n}`, endpointId: 'ep_1', appId: 'app_A', lease: 0 });
    await store.queue.recordOutcomes([mkOutcome(ref(done, 3), { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 1 })]);

    await store.queue.releaseDeliveries([a!, b!, done!, parked!], T0 + 5);
    for (const [id, n] of [[a, 1], [b, 2]] as const) {
      const d = await deliveryOf(store, `msg_${n}`, 'ep_1');
      assert.equal(d?.id, id);
      assert.equal(d?.status, Status.Pending);
      assert.equal(d?.nextAttemptAt, T0 + 5, 'due at dueAt');
    }
    assert.equal((await deliveryOf(store, 'msg_3', 'ep_1'))?.status, Status.Success, 'a finished row is untouched');
    assert.equal((await deliveryOf(store, 'msg_4', 'ep_1'))?.nextAttemptAt, null, 'a parked row is untouched');

    // The lease it was released from no longer decides.
    await store.queue.recordOutcomes([mkOutcome(ref(a, 1), { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 6 })]);
    assert.equal((await deliveryOf(store, 'msg_1', 'ep_1'))?.status, Status.Pending);
    assert.deepStrictEqual(await store.queue.claimDueDeliveries(T0 + 4, T0 + 100, 10), []);
    const again = await store.queue.claimDueDeliveries(T0 + 5, T0 + 100, 10);
    assert.deepEqual(again.map((c) => c.deliveryId).sort((x, y) => x - y), [a!, b!].sort((x, y) => x - y));
    for (const c of again) assert.ok(c.lease > 0);
  });

  test('scheduleResend: a finished delivery is due now with attempts 0 and the trigger; a missing one is created', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const [id] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']]);
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: id!, messageId: 'msg_1', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Fail, attempts: 6, nextAttemptAt: null, code: 500, at: T0 + 10 })]);

    await store.queue.scheduleResend('msg_1', 'ep_1', T0 + 100, Trigger.Manual);
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), {
      id: id!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Pending, attempts: 0, nextAttemptAt: T0 + 100, lastStatusCode: 500,
      trigger: Trigger.Manual, updatedAt: T0 + 100,
    }, 'the same delivery, due now, fresh schedule');

    await store.queue.scheduleResend('msg_1', 'ep_2', T0 + 100, Trigger.Manual);
    const created = await deliveryOf(store, 'msg_1', 'ep_2');
    assert.ok(created, 'a missing delivery is created');
    assert.equal(typeof created.id, 'number');
    assert.deepStrictEqual(created, {
      id: created.id, messageId: 'msg_1', endpointId: 'ep_2', status: Status.Pending, attempts: 0, nextAttemptAt: T0 + 100, lastStatusCode: null,
      trigger: Trigger.Manual, updatedAt: T0 + 100,
    });
    assert.equal((await deliveriesOf(store, 'msg_1')).length, 2);

    const claimed = await store.queue.claimDueDeliveries(T0 + 100, T0 + 1000, 10);
    assert.deepStrictEqual(claimed.map(withoutLease).sort((a, b) => a.deliveryId - b.deliveryId), [
      { deliveryId: id!, messageId: 'msg_1', endpointId: 'ep_1', appId: 'app_A', eventType: 'user.created', attempts: 0, trigger: Trigger.Manual, payload: '{"message":"msg_1"}', leaseUntil: T0 + 1000 },
      { deliveryId: created.id, messageId: 'msg_1', endpointId: 'ep_2', appId: 'app_A', eventType: 'user.created', attempts: 0, trigger: Trigger.Manual, payload: '{"message":"msg_1"}', leaseUntil: T0 + 1000 },
    ].sort((a, b) => a.deliveryId - b.deliveryId));

    // An outcome after the resend's claim resets the trigger to scheduled for the retries that follow.
    const c1 = claimed.find((c) => c.deliveryId === id)!;
    await store.queue.recordOutcomes([mkOutcome(c1, { status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 2000, code: 502, at: T0 + 200, trigger: Trigger.Manual })]);
    assert.equal((await deliveryOf(store, 'msg_1', 'ep_1'))?.trigger, Trigger.Scheduled);
  });

  test('expediteEndpointDeliveries: only that endpoint\'s deliveries waiting for a retry become due; attempts kept', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const retrying = async (n: number, endpointId: string) => {
      const [id] = await publish(store, mkMessage(`msg_${n}`, 'app_A'), [[endpointId, 'leased']]);
      await store.queue.recordOutcomes([mkOutcome({ deliveryId: id!, messageId: `msg_${n}`, endpointId, appId: 'app_A', lease: 0 },
        { status: Status.Pending, attempts: 2, nextAttemptAt: T0 + 3_600_000, code: 0, at: T0 + 10 })]);
      return id!;
    };
    const waiting = await retrying(1, 'ep_1');
    const otherEndpoint = await retrying(2, 'ep_2');
    const [finished] = await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'leased']]);
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: finished!, messageId: 'msg_3', endpointId: 'ep_1', appId: 'app_A', lease: 0 },
      { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 10 })]);
    const [parked] = await publish(store, mkMessage('msg_4', 'app_A'), [['ep_1', 'parked']]);
    await publish(store, mkMessage('msg_5', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 86_400_000 });

    assert.equal(await store.queue.expediteEndpointDeliveries('ep_1', T0 + 100), 1);
    const after = await deliveryOf(store, 'msg_1', 'ep_1');
    assert.deepStrictEqual({ id: after?.id, status: after?.status, attempts: after?.attempts, nextAttemptAt: after?.nextAttemptAt },
      { id: waiting, status: Status.Pending, attempts: 2, nextAttemptAt: T0 + 100 }, 'due now, its schedule goes on');
    assert.equal((await deliveryOf(store, 'msg_2', 'ep_2'))?.nextAttemptAt, T0 + 3_600_000, 'another endpoint is untouched');
    assert.equal((await deliveryOf(store, 'msg_3', 'ep_1'))?.status, Status.Success);
    assert.equal((await deliveryOf(store, 'msg_4', 'ep_1'))?.nextAttemptAt, null, 'parked stays parked');
    assert.equal((await deliveryOf(store, 'msg_5', 'ep_1'))?.nextAttemptAt, T0 + 86_400_000, 'a message scheduled for tomorrow (deliverAt) keeps its time');
    const claimed = await store.queue.claimDueDeliveries(T0 + 100, T0 + 1000, 10);
    assert.deepStrictEqual(claimed.map((c) => c.deliveryId), [waiting]);
    assert.ok(otherEndpoint !== undefined && parked !== undefined);
    assert.equal(await store.queue.expediteEndpointDeliveries('ep_1', T0 + 200), 0, 'a delivery being sent is not touched');
  });

  test('scheduleResend while an attempt is in flight: that attempt is logged but no longer decides', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const [id] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'due']], { dueAt: T0 });
    const [inFlight] = await store.queue.claimDueDeliveries(T0, T0 + 60_000, 10);
    assert.ok(inFlight);
    await store.queue.scheduleResend('msg_1', 'ep_1', T0 + 100, Trigger.Manual);
    const late = mkOutcome(inFlight, { status: Status.Fail, attempts: 1, nextAttemptAt: null, code: 500, at: T0 + 150 });
    await store.queue.recordOutcomes([late]);
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), {
      id: id!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Pending, attempts: 0, nextAttemptAt: T0 + 100, lastStatusCode: null,
      trigger: Trigger.Manual, updatedAt: T0 + 100,
    });
    assert.deepStrictEqual(await store.history.getAttempt('msg_1', late.attempt.id), late.attempt);
    const [resent] = await store.queue.claimDueDeliveries(T0 + 150, T0 + 60_000, 10);
    assert.ok(resent && resent.deliveryId === id && resent.trigger === Trigger.Manual && resent.lease > inFlight.lease);
  });
});
