import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromiumMissing } from '../helpers/browser.ts';
import { tempDir } from '../helpers/herald.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Figures every scenario must report as numbers (PostgreSQL may be skipped when it does not answer). */
const REQUIRED: Record<string, string[]> = {
  throughput: ['acceptedPerSecond', 'deliveredPerSecond', 'ratioToCeiling'],
  ceiling: ['acceptedPerSecond', 'deliveredPerSecond'],
  latency: ['measured', 'p50Ms', 'p99Ms', 'maxMs'],
  fanout: ['endpoints', 'deliveries', 'deliveriesPerSecond'],
  backlog: ['messages', 'acceptedPerSecond', 'delivered', 'drainPerSecond', 'peakRssBytes'],
  poisoned: ['cleanHealthyDeliveredPerSecond', 'poisonedHealthyDeliveredPerSecond', 'ratio'],
  postgres: ['acceptedPerSecond', 'deliveredPerSecond'],
  dashboard: ['messages', 'sqliteFirstLoadMs', 'sqliteSlowestViewMs', 'sqliteSlowestApiMs'],
};

// The benchmarks themselves are not part of `npm test`; this tiny run of the harness is, so it keeps working.
test('npm run bench at smoke scale runs every scenario and writes its report', { timeout: 120_000 }, async () => {
  const dir = tempDir('herald-bench-smoke-');
  const out = path.join(dir, 'latest.json');
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--scale', 'smoke', '--out', out], {
        cwd: ROOT,
        env: process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', (exitCode) => resolve({ code: exitCode, output: text }));
    });
    assert.equal(code, 0, output);
    assert.match(output, /PASS|FAIL/);

    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.scale, 'smoke');
    assert.ok(report.machine.cores >= 1 && report.machine.memoryBytes > 0, JSON.stringify(report.machine));
    assert.equal(typeof report.machine.cpuModel, 'string');
    assert.match(report.machine.node, /^v\d+/);
    assert.equal(typeof report.machine.platform, 'string');
    assert.ok(!Number.isNaN(Date.parse(report.startedAt)));

    assert.deepEqual(Object.keys(report.scenarios).sort(), Object.keys(REQUIRED).sort());
    for (const [name, figures] of Object.entries(REQUIRED)) {
      const result = report.scenarios[name];
      assert.equal(result.error, undefined, `${name}: ${result.error}`);
      if (name === 'postgres' && result.skipped) continue;
      if (name === 'dashboard' && result.skipped && chromiumMissing && process.env['CI'] !== 'true') continue;
      assert.equal(result.skipped, undefined, `${name} skipped: ${result.skipped}`);
      for (const figure of figures) {
        assert.ok(typeof result[figure] === 'number' && Number.isFinite(result[figure]), `${name}.${figure} is ${result[figure]}`);
      }
    }
    assert.equal(report.scenarios.backlog.messages, 2_000);

    const names = report.targets.map((t: { name: string }) => t.name).join('\n');
    // The dashboard's two targets per backend it ran on.
    const dashboard = report.scenarios.dashboard;
    const dashboardTargets = ['sqlite', 'postgres'].filter((db) => typeof dashboard[`${db}SlowestViewMs`] === 'number').length * 2;
    assert.equal(report.targets.length, 6 + dashboardTargets, names);
    for (const t of report.targets) {
      assert.equal(typeof t.name, 'string');
      assert.ok(typeof t.value === 'number' && Number.isFinite(t.value), `${t.name}: ${t.value}`);
      assert.equal(typeof t.target, 'number');
      assert.ok(t.comparison === '>=' || t.comparison === '<=');
      assert.equal(typeof t.unit, 'string');
      assert.equal(t.pass, t.comparison === '>=' ? t.value >= t.target : t.value <= t.target);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
