import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairQueue } from '../../src/transform/fair-queue.ts';

test('jobs come out one per owner per round, each owner\'s in the order they went in', () => {
  const queue = new FairQueue<string>();
  for (const job of ['a1', 'a2', 'a3']) queue.push('a', job);
  queue.push('b', 'b1');
  queue.push('c', 'c1');
  queue.push('b', 'b2');
  assert.equal(queue.size, 6);
  const order: string[] = [];
  for (let job = queue.shift(); job !== undefined; job = queue.shift()) order.push(job);
  assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  assert.equal(queue.size, 0);
});

test('an owner that comes back after its jobs ran out waits behind the owners still waiting', () => {
  const queue = new FairQueue<string>();
  queue.push('a', 'a1');
  queue.push('b', 'b1');
  queue.push('b', 'b2');
  assert.equal(queue.shift(), 'a1');
  queue.push('a', 'a2');
  assert.deepEqual([queue.shift(), queue.shift(), queue.shift(), queue.shift()], ['b1', 'a2', 'b2', undefined]);
});

test('drain empties every owner\'s jobs', () => {
  const queue = new FairQueue<number>();
  queue.push('a', 1);
  queue.push('b', 2);
  queue.push('a', 3);
  assert.deepEqual(queue.drain().sort(), [1, 2, 3]);
  assert.equal(queue.size, 0);
  assert.equal(queue.shift(), undefined);
});
