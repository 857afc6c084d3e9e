import assert from 'node:assert/strict';
import { test } from 'node:test';
import { available, take, type BucketState } from '../../src/store/token-bucket.ts';

const T = 1_000_000;
const ep = { key: 'ep:1', ratePerSecond: 5 };
const app = { key: 'app:1', ratePerSecond: 2 };

test('a new bucket starts full; a bucket refills at its rate and holds one second at most', () => {
  assert.equal(available(ep, undefined, T), 5);
  assert.equal(available(ep, { tokens: 0, updatedAt: T }, T + 200), 1);
  assert.equal(available(ep, { tokens: 0, updatedAt: T }, T + 500), 2.5);
  assert.equal(available(ep, { tokens: 1, updatedAt: T }, T + 60_000), 5);
  assert.equal(available(ep, { tokens: 3, updatedAt: T }, T - 1_000), 3, 'a clock step back adds nothing');
});

test('take grants whole tokens, at most what is wanted and what every bucket holds', () => {
  const none = new Map<string, BucketState>();
  assert.deepEqual(take([ep], none, 3, T), { granted: 3, next: [{ tokens: 2, updatedAt: T }] });
  assert.deepEqual(take([ep], none, 10, T).granted, 5);
  const both = take([ep, app], none, 10, T);
  assert.equal(both.granted, 2, 'the app bucket is the tighter one');
  assert.deepEqual(both.next, [{ tokens: 3, updatedAt: T }, { tokens: 0, updatedAt: T }]);
  const drained = new Map([[ep.key, { tokens: 0.6, updatedAt: T }]]);
  assert.deepEqual(take([ep], drained, 4, T), { granted: 0, next: [{ tokens: 0.6, updatedAt: T }] }, 'no fractions handed out');
  assert.equal(take([ep], drained, 4, T + 100).granted, 1);
});
