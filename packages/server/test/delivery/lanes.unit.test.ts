import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { CircuitBreakers, DEFAULT_CIRCUIT } from '../../src/delivery/circuit.ts';
import type { EndpointCache } from '../../src/delivery/endpoint-cache.ts';
import { Lanes, type LaneQueue } from '../../src/delivery/lanes.ts';
import { Leases } from '../../src/delivery/leases.ts';
import { Trigger, type ClaimedDelivery } from '../../src/store/types.ts';

const log = pino({ level: 'silent' });

/** Lanes over stand-ins: endpoints with no rate and the default concurrency, a store that is never needed. */
function rig(options: { maxInFlight: number; perEndpointConcurrency: number }) {
  const endpoint = (id: string) => ({ id, appId: 'app_1' });
  const endpoints = {
    heldEndpoint: endpoint,
    endpoint: async (id: string) => endpoint(id),
    app: async () => ({ id: 'app_1' }),
  } as unknown as EndpointCache;
  const queue = {} as LaneQueue;
  const leases = new Leases({ renewLeases: async () => [] }, 60_000, 20_000, log);
  const circuits = new CircuitBreakers(DEFAULT_CIRCUIT, { holdBack: () => {}, probe: () => {}, resume: () => {}, changed: () => {} });
  /** Each send called, by delivery id, with the function that ends its attempt. */
  const sends = new Map<number, () => void>();
  const started: number[] = [];
  const lanes = new Lanes(queue, endpoints, leases, circuits, { ...options, maxHeld: 10_000, maxQueuedPerEndpoint: 1_000, leaseMs: 60_000 }, {
    send: (item) => new Promise<void>((resolve) => {
      started.push(item.deliveryId);
      sends.set(item.deliveryId, resolve);
    }),
    released: () => {},
    dueAt: () => {},
  }, log);
  let nextId = 1;
  const deliveries = (endpointId: string, n: number): ClaimedDelivery[] => Array.from({ length: n }, () => ({
    deliveryId: nextId++, messageId: 'msg_1', endpointId, appId: 'app_1', eventType: 'e', attempts: 0,
    trigger: Trigger.Scheduled, payload: '{}', lease: 1, leaseUntil: Date.now() + 60_000,
  }));
  /** Ends the attempt of each delivery id given, and lets the lanes react. */
  const finish = async (...ids: number[]) => {
    for (const id of ids) {
      sends.get(id)!();
      sends.delete(id);
    }
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { lanes, sends, started, deliveries, finish };
}

test('beyond maxInFlight a delivery waits in its lane, not as a pending send, and the endpoints take turns for the freed slots', async () => {
  const r = rig({ maxInFlight: 3, perEndpointConcurrency: 2 });
  const a = r.deliveries('ep_a', 5); // ids 1–5
  const b = r.deliveries('ep_b', 5); // ids 6–10
  const c = r.deliveries('ep_c', 5); // ids 11–15
  r.lanes.accept([...a, ...b, ...c]);
  await r.finish(); // each lane's throttle looks its endpoint up first
  // Two endpoint limits of 2 would allow 6: the total holds it at 3, and nothing else was handed to be sent.
  assert.deepEqual(r.started, [1, 2, 6]);
  assert.equal(r.sends.size, 3);
  assert.equal(r.lanes.held.size, 15, 'the other twelve stay held, queued in their lanes');

  // ep_b could start one more and ep_c two when the slots ran out: b is first in line, then c.
  await r.finish(1);
  assert.deepEqual(r.started.slice(3), [7], 'the freed slot went to ep_b, first in line, not back to ep_a');
  await r.finish(2);
  assert.deepEqual(r.started.slice(4), [11], 'then to ep_c');
  await r.finish(6);
  assert.deepEqual(r.started.slice(5), [3], 'then ep_a, in line since its first attempt ended: ep_c went behind it once it had its turn');
  await r.finish(7);
  assert.deepEqual(r.started.slice(6), [12], 'and ep_c again');
  assert.equal(r.sends.size, 3, 'never more than 3 at once');

  // Everything drains, each endpoint in its own order, each delivery sent once.
  while (r.sends.size > 0) await r.finish(...r.sends.keys());
  assert.equal(r.started.length, 15);
  assert.equal(new Set(r.started).size, 15);
  for (const [endpoint, ids] of [['ep_a', a], ['ep_b', b], ['ep_c', c]] as const) {
    const mine = ids.map((d) => d.deliveryId);
    assert.deepEqual(r.started.filter((id) => mine.includes(id)), mine, `${endpoint} in order`);
  }
  assert.equal(r.lanes.held.size, 0);
});

test('a stop drops the line: queued deliveries are returned to be given back, none starts later', async () => {
  const r = rig({ maxInFlight: 1, perEndpointConcurrency: 1 });
  r.lanes.accept([...r.deliveries('ep_a', 2), ...r.deliveries('ep_b', 2)]);
  await r.finish();
  assert.deepEqual(r.started, [1]);
  const { queued, inFlight } = r.lanes.stop();
  assert.deepEqual(queued.sort((x, y) => x - y), [2, 3, 4]);
  assert.equal(inFlight, 1);
  await r.finish(1);
  assert.deepEqual(r.started, [1], 'nothing started after the stop');
  await r.lanes.idle();
});
