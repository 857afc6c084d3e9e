import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Circuit, CircuitBreakers } from '../src/delivery/circuit.ts';

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

test('breakers: holds the endpoint back when open, lets one probe through per probe, resumes on success', async () => {
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

    await new Promise((r) => setTimeout(r, 35));
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
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls.filter((c) => c === 'probe ep_a').length, 1, 'no more probes once closed');
  } finally {
    breakers.stop();
  }
});
