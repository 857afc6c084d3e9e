import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ThreadedSandbox } from '../../src/transform/threaded-sandbox.ts';
import type { TransformLimits, TransformOutcome } from '../../src/transform/sandbox.ts';
import type { WebhookShape } from '../../src/transform/webhook-shape.ts';

const LIMITS: TransformLimits = { cpuMs: 150, memoryBytes: 8 * 1024 * 1024, outputBytes: 64 * 1024 };
const WEBHOOK: WebhookShape = { method: 'POST', url: 'https://example.com/hooks', payload: { n: 1 }, eventType: 'e' };
const ADD_ONE = `function handler(w) { w.payload = { n: w.payload.n + 1 }; return w; }`;

let sandbox: ThreadedSandbox;
before(async () => {
  sandbox = await ThreadedSandbox.start(LIMITS);
});
after(() => sandbox.close());

function reason(outcome: TransformOutcome): string {
  assert.equal(outcome.ok, false, JSON.stringify(outcome).slice(0, 300));
  return (outcome as { reason: string }).reason;
}

async function worksAfterwards(): Promise<void> {
  const outcome = await sandbox.run(ADD_ONE, WEBHOOK);
  assert.deepEqual(outcome.ok && outcome.webhook.payload, { n: 2 });
}

test('runs are answered in order, each with its own result', async () => {
  const outcomes = await Promise.all([1, 2, 3, 4].map((n) => sandbox.run(ADD_ONE, { ...WEBHOOK, payload: { n } })));
  assert.deepEqual(outcomes.map((o) => o.ok && o.webhook.payload), [{ n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
});

test('an endless loop holds neither the main thread nor the runs after it', async () => {
  let ticks = 0;
  const ticking = setInterval(() => ticks++, 10);
  const loop = sandbox.run(`function handler() { for (;;) {} }`, WEBHOOK);
  const next = sandbox.run(ADD_ONE, WEBHOOK);
  assert.match(reason(await loop), /CPU limit/);
  clearInterval(ticking);
  assert.ok(ticks >= 5, `the main thread ticked only ${ticks} times during the loop`);
  assert.equal((await next).ok, true);
});

test('a built-in that never checks for the interrupt is ended with its thread, and a new thread takes the next run', async () => {
  // indexOf over 2^32 - 1 holes runs for minutes without polling QuickJS's interrupt handler.
  const stuck = await sandbox.run(`function handler() { Array(2 ** 32 - 1).indexOf(1); }`, WEBHOOK);
  assert.equal(reason(stuck), 'the transformation ran longer than its 150 ms CPU limit');
  assert.ok(stuck.durationMs < 5_000, `took ${stuck.durationMs} ms`);
  await worksAfterwards();
});

test('nesting in the parser stops at the stack limit (the thread\'s stack leaves QuickJS\'s own check to fire first)', async () => {
  const json = await sandbox.run(`function handler(w) { JSON.parse('['.repeat(200000) + ']'.repeat(200000)); return w; }`, WEBHOOK);
  assert.equal(reason(json), 'the transformation nested deeper than its 256 KiB stack allows');
  const code = await sandbox.run(`function handler(w) { eval('('.repeat(100000) + '1' + ')'.repeat(100000)); return w; }`, WEBHOOK);
  assert.equal(reason(code), 'the transformation nested deeper than its 256 KiB stack allows');
  await worksAfterwards();
});

test('memory bombs fail at the limit and the thread keeps serving', async () => {
  assert.match(reason(await sandbox.run(`function handler() { const k = []; for (;;) k.push('y'.repeat(1 << 20) + k.length); }`, WEBHOOK)), /memory limit|CPU limit/);
  await worksAfterwards();
});

test('a closed sandbox answers every run still waiting, as not run', async () => {
  const own = await ThreadedSandbox.start(LIMITS);
  const running = own.run(`function handler() { for (;;) {} }`, WEBHOOK);
  const waiting = own.run(ADD_ONE, WEBHOOK);
  await own.close();
  assert.match(reason(await running), /closed/);
  assert.match(reason(await waiting), /closed/);
  assert.match(reason(await own.run(ADD_ONE, WEBHOOK)), /closed/);
});

test('owners take turns: one owner\'s backlog of runs to the CPU limit delays another owner\'s run by a round, not all of it', async () => {
  const finished: string[] = [];
  const loops = Array.from({ length: 4 }, (_, n) =>
    sandbox.run(`function handler() { for (;;) {} }`, WEBHOOK, 'ep_looping').then(() => finished.push(`loop ${n}`)));
  const other = sandbox.run(ADD_ONE, WEBHOOK, 'ep_other').then((outcome) => {
    finished.push('other');
    return outcome;
  });
  assert.equal((await other).ok, true);
  await Promise.all(loops);
  // loop 0 runs at once; loops 1–3 and the other run wait, the looping owner first in line: one more loop, then the
  // other owner's turn.
  assert.deepEqual(finished, ['loop 0', 'loop 1', 'other', 'loop 2', 'loop 3']);
});
