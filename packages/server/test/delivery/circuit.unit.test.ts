import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Circuit, CircuitBreakers } from '../../src/delivery/circuit.ts';
import { KeptCircuits } from '../../src/delivery/kept-circuits.ts';
import { sqliteBackend } from '../helpers/stores.ts';

const options = { openAfterFailures: 3, firstProbeMs: 20, maxProbeMs: 70 };

test('a circuit opens after the set number of failures in a row, and any success resets the count', () => {
  const circuit = new Circuit(options);
  assert.equal(circuit.note(false), null);
  assert.equal(circuit.note(false), null);
  assert.equal(circuit.note(true), null, 'a success in between starts the count again');
  assert.equal(circuit.note(false), null);
  assert.equal(circuit.note(false), null);
  assert.equal(circuit.note(false), 'opened');
  assert.equal(circuit.open, true);
  assert.equal(circuit.note(false), null, 'open stays open');
  assert.equal(circuit.note(true), 'closed');
  assert.equal(circuit.open, false);
});

test('probe waits double after each failed probe up to the maximum, and start again after a success', () => {
  const circuit = new Circuit(options);
  assert.deepEqual([circuit.nextProbeDelay(), circuit.nextProbeDelay(), circuit.nextProbeDelay(), circuit.nextProbeDelay()], [20, 40, 70, 70]);
  circuit.note(true);
  assert.equal(circuit.nextProbeDelay(), 20);
});

test('breakers: holds the endpoint back when open, lets one probe through per probe, resumes on success', (t) => {
  // The probe timers run on the test's clock.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const calls: string[] = [];
  const breakers = new CircuitBreakers(options, {
    holdBack: (id) => calls.push(`hold ${id}`),
    probe: (id) => calls.push(`probe ${id}`),
    resume: (id) => calls.push(`resume ${id}`),
    changed: () => undefined,
  });
  try {
    for (let i = 0; i < 3; i++) breakers.note('ep_a', false);
    breakers.note('ep_b', false);
    assert.deepEqual(calls, ['hold ep_a']);
    assert.equal(breakers.isOpen('ep_a'), true);
    assert.equal(breakers.isOpen('ep_b'), false, 'another endpoint is not affected');
    assert.equal(breakers.mayStart('ep_a'), false, 'nothing goes while open');
    assert.equal(breakers.mayStart('ep_b'), true);

    t.mock.timers.tick(19);
    assert.deepEqual(calls, ['hold ep_a'], 'no probe before the first probe delay (20 ms)');
    t.mock.timers.tick(1);
    assert.deepEqual(calls, ['hold ep_a', 'probe ep_a']);
    assert.equal(breakers.mayStart('ep_a'), true, 'the probe may go');
    assert.equal(breakers.mayStart('ep_a'), false, 'one probe only');
    breakers.note('ep_a', false);

    breakers.allow('ep_a');
    assert.equal(breakers.mayStart('ep_a'), true, 'a resend someone asked for goes through');
    breakers.note('ep_a', true);
    assert.deepEqual(calls.slice(-1), ['resume ep_a']);
    assert.equal(breakers.isOpen('ep_a'), false);
    assert.equal(breakers.mayStart('ep_a'), true);
    t.mock.timers.tick(1_000);
    assert.equal(calls.filter((c) => c === 'probe ep_a').length, 1, 'no more probes once closed');
  } finally {
    breakers.stop();
  }
});

test('kept circuits: state changes are written; another worker\'s circuit is adopted, and closed here once it closed there', async () => {
  const { store, cleanup } = await sqliteBackend.open();
  const calls: string[] = [];
  const kept: { current?: KeptCircuits } = {};
  const breakers = new CircuitBreakers({ openAfterFailures: 2, firstProbeMs: 60_000, maxProbeMs: 60_000 }, {
    holdBack: (id, why) => calls.push(`hold ${id} ${why}`),
    probe: (id) => calls.push(`probe ${id}`),
    resume: (id) => calls.push(`resume ${id}`),
    changed: (id, state) => kept.current!.keep(id, state),
  });
  kept.current = new KeptCircuits(store.circuits, breakers, { openAfterFailures: 2, firstProbeMs: 60_000, maxProbeMs: 60_000 }, pino({ level: 'silent' }));
  try {
    const now = Date.now();
    await store.catalog.createApp({ id: 'app_A', uid: null, name: 'A', metadata: {}, throttleRate: null, createdAt: now, updatedAt: now });
    for (const id of ['ep_mine', 'ep_theirs']) {
      await store.catalog.createEndpoint(
        { id, appId: 'app_A', uid: null, url: `https://example.com/${id}`, description: '', eventTypes: null, channels: null, disabled: false,
          throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: {}, createdAt: now, updatedAt: now },
        { key: `key-${id}`, createdAt: now, expiresAt: null },
      );
    }
    // Opened here: written, with when it opened, the failures and the next probe.
    breakers.note('ep_mine', false);
    breakers.note('ep_mine', false);
    await kept.current.flushed();
    const [mine] = await store.circuits.listCircuits();
    assert.equal(mine?.endpointId, 'ep_mine');
    assert.equal(mine?.failures, 2);
    assert.ok(mine!.nextProbeAt! > mine!.openedAt);

    // Opened by another worker: adopted at the next sync, its deliveries held back.
    await store.circuits.saveCircuit({ endpointId: 'ep_theirs', openedAt: now, failures: 30, probeDelayMs: 60_000, nextProbeAt: now + 60_000 }, now);
    await kept.current.sync();
    assert.equal(breakers.isOpen('ep_theirs'), true);
    assert.ok(calls.includes('hold ep_theirs adopted'));

    // Another worker's probe succeeded and cleared both: closed here too, their work resumed.
    await store.circuits.clearCircuit('ep_theirs');
    await store.circuits.clearCircuit('ep_mine');
    await kept.current.sync();
    assert.equal(breakers.isOpen('ep_theirs'), false);
    assert.equal(breakers.isOpen('ep_mine'), false);
    assert.ok(calls.includes('resume ep_theirs') && calls.includes('resume ep_mine'));

    // A success here clears what is kept.
    breakers.note('ep_mine', false);
    breakers.note('ep_mine', false);
    breakers.note('ep_mine', true);
    await kept.current.flushed();
    assert.deepEqual(await store.circuits.listCircuits(), []);
  } finally {
    breakers.stop();
    await cleanup();
  }
});
