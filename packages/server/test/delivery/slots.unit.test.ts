import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttemptSlots } from '../../src/delivery/slots.ts';

test('slots are handed out up to the limit, then first come first served as they are given back', async () => {
  const slots = new AttemptSlots(2);
  assert.equal(await slots.acquire(), true);
  assert.equal(await slots.acquire(), true);
  const order: number[] = [];
  const waiting = [1, 2, 3].map((n) => slots.acquire().then((granted) => { if (granted) order.push(n); }));
  assert.equal(slots.waiting, 3);
  slots.release();
  slots.release();
  await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, [1, 2], 'the two freed slots went to the first two waiters, in order');
  slots.release();
  await Promise.all(waiting);
  assert.deepEqual(order, [1, 2, 3]);
  // All three still hold their slots: a fourth waits.
  let fourth: boolean | null = null;
  void slots.acquire().then((granted) => (fourth = granted));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fourth, null);
  slots.release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fourth, true);
});

test('a stop refuses the waiters and every later ask', async () => {
  const slots = new AttemptSlots(1);
  assert.equal(await slots.acquire(), true);
  const waiter = slots.acquire();
  slots.stop();
  assert.equal(await waiter, false);
  assert.equal(await slots.acquire(), false);
  assert.equal(slots.waiting, 0);
});
