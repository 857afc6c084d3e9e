import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Recorder } from '../../src/delivery/recorder.ts';
import { Status } from '../../src/store/types.ts';
import { T0, mkOutcome } from '../helpers/store-fixtures.ts';

/**
 * A retry is announced to the scheduler only once its outcome is committed. Announced earlier, a scan could run
 * before the commit, see the delivery still leased, and sleep until the lease ends: a retry due now then waited for
 * the lease (the dashboard's "recover" test timed out this way once, in CI).
 */
test('the recorder says when the soonest retry of a batch is due, after the batch is committed, not before', async () => {
  let commit: () => void = () => {};
  const committed = new Promise<void>((resolve) => (commit = resolve));
  const told: number[] = [];
  const recorder = new Recorder(
    { queue: { recordOutcomes: () => committed, promoteNextInOrder: async () => false }, catalog: { noteEndpointsSucceeded: async () => {} } },
    pino({ level: 'silent' }),
    (at) => told.push(at),
  );
  const d = (n: number) => ({ deliveryId: n, messageId: `msg_${n}`, endpointId: 'ep_1', appId: 'app_1', lease: 1 });
  const endpoint = { id: 'ep_1', ordered: false };
  recorder.add(mkOutcome(d(1), { status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 5_000, code: 500, at: T0 }), endpoint, 'x');
  recorder.add(mkOutcome(d(2), { status: Status.Pending, attempts: 2, nextAttemptAt: T0 + 1_000, code: 503, at: T0 }), endpoint, 'x');
  recorder.add(mkOutcome(d(3), { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 }), endpoint, 'x');
  const flushed = recorder.flush();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(told, [], 'nothing said while the write is not committed');
  commit();
  await flushed;
  assert.deepEqual(told, [T0 + 1_000], 'the soonest retry, once');

  recorder.add(mkOutcome(d(4), { status: Status.Fail, attempts: 3, nextAttemptAt: null, code: 500, at: T0 }), endpoint, 'x');
  await recorder.flush();
  assert.deepEqual(told, [T0 + 1_000], 'a batch without a retry says nothing');
});
