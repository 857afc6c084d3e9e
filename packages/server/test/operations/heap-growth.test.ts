import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

/**
 * `herald serve` keeps V8 from letting garbage pile up to several times the live heap (HERALD_HEAP_GROWING_PERCENT,
 * default 20). The flag is set once the process runs; these tests prove it takes effect then, on this Node.
 */

const HEAP = fileURLToPath(new URL('../../src/heap.ts', import.meta.url));

/**
 * A process with about 25 MB that stays and a stream of objects that live long enough to be promoted, then die (as a
 * delivery's objects do): the largest heap it reached, in MB.
 */
async function peakHeapMB(percent: number): Promise<number> {
  const script = `
    import { limitHeapGrowth } from ${JSON.stringify(HEAP)};
    limitHeapGrowth(${percent});
    const live = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'x'.repeat(50) + i }));
    const ring = new Array(50_000);
    let peak = 0;
    for (let round = 0; round < 60; round++) {
      for (let j = 0; j < ring.length; j++) ring[(round * 7919 + j) % ring.length] = { round, j, s: 'y'.repeat(40) + j, a: [j, round] };
      if (round % 10 === 0) await new Promise((r) => setImmediate(r));
      peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    console.log(JSON.stringify({ peak, live: live.length }));`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { PATH: process.env['PATH'] ?? '' } });
  assert.equal(stderr, '', 'V8 took the flag without complaint');
  return JSON.parse(stdout).peak / 1048576;
}

test('limiting heap growth keeps a process with promoted garbage to a fraction of the heap V8 would let it reach', { timeout: 60_000 }, async () => {
  const unlimited = await peakHeapMB(0);
  const limited = await peakHeapMB(20);
  assert.ok(limited < unlimited * 0.7, `peak heap ${limited.toFixed(0)} MB limited against ${unlimited.toFixed(0)} MB with V8's own growth`);
});

test('HERALD_HEAP_GROWING_PERCENT: 20 unless set, 0 for V8 own growth, anything else outside 0-1000 refused', () => {
  const base = { HERALD_DATA_DIR: '/tmp/herald-heap-growth-unused' };
  assert.equal(loadConfig({ env: base }).heapGrowingPercent, 20);
  assert.equal(loadConfig({ env: { ...base, HERALD_HEAP_GROWING_PERCENT: '0' } }).heapGrowingPercent, 0);
  assert.equal(loadConfig({ env: { ...base, HERALD_HEAP_GROWING_PERCENT: '50' } }).heapGrowingPercent, 50);
  for (const bad of ['-1', '1001', '2.5', 'lots']) {
    assert.throws(() => loadConfig({ env: { ...base, HERALD_HEAP_GROWING_PERCENT: bad } }), ConfigError, bad);
  }
});
