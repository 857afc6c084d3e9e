import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { TransformSandbox, type TransformLimits, type TransformOutcome } from '../../src/transform/sandbox.ts';
import type { WebhookShape } from '../../src/transform/webhook-shape.ts';

const LIMITS: TransformLimits = { cpuMs: 200, memoryBytes: 8 * 1024 * 1024, outputBytes: 64 * 1024 };
const WEBHOOK: WebhookShape = { method: 'POST', url: 'https://example.com/hooks', payload: { id: 7, name: 'Ada' }, eventType: 'user.created' };

let sandbox: TransformSandbox;
before(async () => {
  sandbox = await TransformSandbox.load(LIMITS);
});

function run(code: string, webhook: WebhookShape = WEBHOOK): TransformOutcome {
  return sandbox.run(code, structuredClone(webhook));
}

function failure(outcome: TransformOutcome): string {
  assert.equal(outcome.ok, false, `expected a failure, got ${JSON.stringify(outcome).slice(0, 300)}`);
  return (outcome as { reason: string }).reason;
}

describe('transformations that work', () => {
  test('the handler changes the payload, the method and the url; the event type stays the message\'s', () => {
    const outcome = run(`function handler(webhook) {
      webhook.method = 'PUT';
      webhook.url = webhook.url + '/users/' + webhook.payload.id;
      webhook.payload = { text: 'new user ' + webhook.payload.name };
      webhook.eventType = 'something.else';
      return webhook;
    }`);
    assert.deepEqual(outcome.ok && outcome.webhook, {
      method: 'PUT', url: 'https://example.com/hooks/users/7', payload: { text: 'new user Ada' }, eventType: 'user.created',
    });
    assert.equal(outcome.ok && outcome.cancel, false);
  });

  test('cancel: true is read, and anything but a boolean is refused', () => {
    const cancelled = run(`function handler(w) { w.cancel = true; return w; }`);
    assert.equal(cancelled.ok && cancelled.cancel, true);
    assert.match(failure(run(`function handler(w) { w.cancel = 'yes'; return w; }`)), /cancel as a string/);
  });

  test('a handler returning the webhook unchanged gives the webhook back', () => {
    const outcome = run(`function handler(w) { return w; }`);
    assert.deepEqual(outcome.ok && outcome.webhook, WEBHOOK);
  });
});

describe('mistakes are told in one sentence', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a syntax error', `function handler(w) { return w`, /^the transformation has a syntax error: /],
    ['no handler', `function transform(w) { return w; }`, /does not declare function handler\(webhook\)/],
    ['a throw', `function handler() { throw new TypeError('no thanks'); }`, /^the handler threw: TypeError: no thanks$/],
    ['a thrown string', `function handler() { throw 'plain'; }`, /^the handler threw: plain$/],
    ['a throw while loading', `throw new Error('at load');`, /^the transformation threw while loading: Error: at load$/],
    ['undefined returned', `function handler(w) {}`, /returned undefined, not the webhook object/],
    ['a number returned', `function handler(w) { return 4; }`, /returned a number/],
    ['an array returned', `function handler(w) { return [w]; }`, /returned an array/],
    ['a promise returned', `async function handler(w) { return w; }`, /returned a Promise/],
    ['a bad method', `function handler(w) { w.method = 'DELETE'; return w; }`, /method 'DELETE'; it must be 'POST' or 'PUT'/],
    ['a url that is not http', `function handler(w) { w.url = 'file:///etc/passwd'; return w; }`, /url 'file:\/\/\/etc\/passwd'; it must be an http\(s\) URL/],
    ['no payload', `function handler(w) { return { method: 'POST', url: w.url }; }`, /returned no payload/],
    ['a payload that JSON drops', `function handler(w) { w.payload = function () {}; return w; }`, /returned no payload/],
  ];
  for (const [name, code, reason] of cases) {
    test(name, () => assert.match(failure(run(code)), reason));
  }
});

describe('hostile code', () => {
  test('an endless loop is stopped at the CPU limit', () => {
    const outcome = run(`function handler(w) { for (;;) {} }`);
    assert.equal(failure(outcome), 'the transformation ran longer than its 200 ms CPU limit');
    assert.ok(outcome.durationMs >= LIMITS.cpuMs);
  });

  test('a loop at load time is stopped too', () => {
    assert.match(failure(run(`while (true) {}`)), /CPU limit/);
  });

  test('a memory bomb of objects fails at the memory limit', async () => {
    const slow = await TransformSandbox.load({ ...LIMITS, cpuMs: 10_000 });
    const outcome = slow.run(`function handler(w) { const keep = []; for (;;) keep.push({ n: keep.length, list: [1, 2, 3] }); }`, WEBHOOK);
    assert.equal(failure(outcome), 'the transformation used more than its 8 MiB memory limit');
  });

  for (const [name, grow] of [['strings', `'x'.repeat(1024 * 1024) + keep.length`], ['typed arrays', 'new Uint8Array(1024 * 1024)']]) {
    test(`a memory bomb of large ${name} fails at the memory limit and leaves the process's memory alone`, async () => {
      // QuickJS does not count these blocks against its own limit; the capped WebAssembly memory stops them. Without
      // the cap this run would go on to the module's 2 GB before failing.
      const slow = await TransformSandbox.load({ ...LIMITS, cpuMs: 20_000 });
      const rssBefore = process.memoryUsage().rss;
      const outcome = slow.run(`function handler(w) { const keep = []; for (;;) keep.push(${grow}); }`, WEBHOOK);
      assert.equal(failure(outcome), 'the transformation used more than its 8 MiB memory limit');
      const grewMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
      assert.ok(grewMb < 200, `the process grew by ${Math.round(grewMb)} MB`);
      assert.equal(slow.broken, false);
      assert.equal(slow.run(`function handler(w) { return w; }`, WEBHOOK).ok, true, 'the sandbox works after the bomb');
    });
  }

  test('deep recursion stops at the stack limit', () => {
    assert.match(failure(run(`function handler(w) { function down(n) { return down(n + 1) + 1; } return down(0); }`)), /nested deeper than its 256 KiB stack/);
    assert.equal(sandbox.broken, false);
  });

  test('a result past the output limit is refused', () => {
    assert.equal(failure(run(`function handler(w) { w.payload = 'é'.repeat(40 * 1024); return w; }`)), "the handler's result is larger than its 64 KiB output limit");
    assert.equal(failure(run(`function handler(w) { w.payload = 'x'.repeat(65 * 1024); return w; }`)), "the handler's result is larger than its 64 KiB output limit");
  });

  test('nothing of Node is reachable: process, require, fetch, timers, import', () => {
    const outcome = run(`function handler(w) {
      const g = (0, eval)('this');
      w.payload = [typeof process, typeof require, typeof module, typeof fetch, typeof setTimeout, typeof Buffer,
        typeof globalThis.process, typeof g.process, typeof (function () { return this; })().require,
        (function () {}).constructor('return typeof process')()];
      return w;
    }`);
    assert.deepEqual(outcome.ok && outcome.webhook.payload, Array(10).fill('undefined'));
    assert.match(failure(run(`function handler(w) { return import('node:fs'); }`)), /Promise|could not|not/);
  });

  test('prototype pollution stays in its own run and never reaches the host', () => {
    const polluted = run(`function handler(w) {
      Object.prototype.polluted = 'yes'; Array.prototype.push = null; JSON.stringify = () => '"hijacked"';
      w.payload = { fine: true }; return w;
    }`);
    assert.deepEqual(polluted.ok && polluted.webhook.payload, { fine: true }, 'the host reads the result with the JSON it saved first');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const next = run(`function handler(w) { w.payload = [typeof ({}).polluted, typeof [].push]; return w; }`);
    assert.deepEqual(next.ok && next.webhook.payload, ['undefined', 'function'], 'the next run starts clean');
  });

  test('a result with a poisoned toJSON or getter fails as that run\'s error', () => {
    assert.match(failure(run(`function handler(w) { w.payload = { toJSON() { throw new Error('gotcha'); } }; return w; }`)), /could not be turned into JSON: Error: gotcha/);
    assert.match(failure(run(`function handler(w) { return { get method() { for (;;) {} } }; }`)), /CPU limit/);
  });
});
