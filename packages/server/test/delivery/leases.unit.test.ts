import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Leases } from '../../src/delivery/leases.ts';
import { Trigger, type ClaimedDelivery } from '../../src/store/types.ts';

const delivery = (deliveryId: number): ClaimedDelivery => ({
  deliveryId, messageId: 'msg_x', endpointId: 'ep_x', appId: 'app_x', eventType: 'e', attempts: 0, trigger: Trigger.Scheduled,
  payload: '{}', lease: 1, leaseUntil: 0,
});

test('a waiting delivery is renewed in the background often enough that it can always be sent without renewing first', async () => {
  const renewals: number[][] = [];
  const queue = {
    renewLeases: async (items: { deliveryId: number; lease: number }[]) => {
      renewals.push(items.map((i) => i.deliveryId));
      return items.map((i) => i.deliveryId);
    },
  };
  // A 3 s lease of which 1 s must be left to send: ticks every second.
  const leases = new Leases(queue, 3_000, 1_000, pino({ level: 'silent' }));
  const waiting = [delivery(1), delivery(2)];
  // One end for both: taken by two Date.now() calls they could differ by 1 ms, and a tick landing within that
  // millisecond of its schedule would find only the first due (a flake seen in a CI run).
  const end = Date.now() + 3_000;
  leases.hold(1, end);
  leases.hold(2, end);
  leases.start(() => waiting);
  try {
    const until = Date.now() + 4_500;
    while (Date.now() < until) {
      assert.ok(leases.coversSend(1) && leases.coversSend(2), 'a waiting lease always covers a send');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(renewals.length >= 1 && renewals.length <= 3, `renewed in ${renewals.length} batches over 4.5 s`);
    assert.deepEqual(renewals[0], [1, 2], 'in one batch');
    // A delivery that left the wait (sent) is no longer renewed; one never held does not cover a send.
    leases.release(2);
    assert.equal(leases.coversSend(2), false);
  } finally {
    leases.stop();
  }
});
