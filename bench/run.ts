/**
 * The benchmark harness: every scenario against a real `herald serve` on loopback, with local receivers.
 *
 *   npm run bench [-- --scale full|smoke] [--only name,name] [--out FILE]
 *
 * Prints a table on standard output (progress on standard error) and writes the report as JSON (default
 * bench/results/latest.json). A missed target does not fail the run; an error in a scenario does (exit 1, after
 * everything it started was stopped and removed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cleanupAll, cleanupOnSignals } from './lib/cleanup.ts';
import { machineInfo } from './lib/machine.ts';
import { setHeraldEnv } from './lib/processes.ts';
import { addRatios, evaluateTargets, renderReport, type Report, type ScenarioResult } from './lib/report.ts';
import { SCALES } from './lib/scale.ts';
import type { Scenario } from './lib/scenario.ts';
import { ROOT, say } from './lib/util.ts';
import { backlog } from './scenarios/backlog.ts';
import { bullmq } from './scenarios/bullmq.ts';
import { ceiling } from './scenarios/ceiling.ts';
import { dashboard } from './scenarios/dashboard.ts';
import { fanout } from './scenarios/fanout.ts';
import { graphile } from './scenarios/graphile.ts';
import { latency } from './scenarios/latency.ts';
import { poisoned } from './scenarios/poisoned.ts';
import { postgres } from './scenarios/postgres.ts';
import { throughput } from './scenarios/throughput.ts';

const SCENARIOS: Scenario[] = [throughput, ceiling, bullmq, latency, fanout, backlog, poisoned, postgres, graphile, dashboard];

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run bench -- [--scale full|smoke] [--only ${SCENARIOS.map((s) => s.name).join(',')}] [--out FILE] [--herald-env HERALD_X=v]... [--backlog-messages N] [--fanout-endpoints N] [--fanout-messages N]\n`);
  process.exit(2);
}

const OPTIONS = {
  scale: { type: 'string', default: 'full' }, only: { type: 'string' }, out: { type: 'string' },
  'herald-env': { type: 'string', multiple: true }, 'backlog-messages': { type: 'string' },
  'fanout-endpoints': { type: 'string' }, 'fanout-messages': { type: 'string' },
} as const;
function parseCommandLine() {
  try {
    return parseArgs({ options: OPTIONS, allowPositionals: false }).values;
  } catch (err) {
    return usage((err as Error).message);
  }
}
const args = parseCommandLine();
const scaleName = args.scale;
if (scaleName !== 'full' && scaleName !== 'smoke') usage(`--scale must be full or smoke (got ${scaleName})`);
const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
for (const name of only ?? []) if (!SCENARIOS.some((s) => s.name === name)) usage(`unknown scenario ${name}`);
const out = path.resolve(args.out ?? path.join(ROOT, 'bench/results/latest.json'));
const chosen = SCENARIOS.filter((s) => !only || only.includes(s.name));
const heraldEnv: Record<string, string> = {};
for (const pair of args['herald-env'] ?? []) {
  const eq = pair.indexOf('=');
  if (eq <= 0 || !pair.startsWith('HERALD_')) usage(`--herald-env takes HERALD_NAME=value (got ${pair})`);
  heraldEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
}
setHeraldEnv(heraldEnv);
const scale = structuredClone(SCALES[scaleName]);
/** A size given on the command line in place of the scale's, for what-if runs; `undefined` keeps the scale's. */
function sizeArg(name: 'backlog-messages' | 'fanout-endpoints' | 'fanout-messages'): number | undefined {
  const given = args[name];
  if (given === undefined) return undefined;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1) usage(`--${name} must be a whole number (got ${given})`);
  return n;
}
const overrides = {
  backlogMessages: sizeArg('backlog-messages'),
  fanoutEndpoints: sizeArg('fanout-endpoints'),
  fanoutMessages: sizeArg('fanout-messages'),
};
scale.backlog.messages = overrides.backlogMessages ?? scale.backlog.messages;
scale.fanout.endpoints = overrides.fanoutEndpoints ?? scale.fanout.endpoints;
scale.fanout.messages = overrides.fanoutMessages ?? scale.fanout.messages;

cleanupOnSignals();
const began = Date.now();
const startedAt = new Date(began).toISOString();
const scenarios: Record<string, ScenarioResult> = {};
let failed = false;
for (const scenario of chosen) {
  const t = Date.now();
  const log = (message: string) => say(scenario.name, message);
  log(`starting (${scaleName})`);
  try {
    scenarios[scenario.name] = await scenario.run({ scaleName, scale, log });
    const skipped = scenarios[scenario.name]!.skipped;
    log(skipped ? `skipped: ${skipped}` : `done in ${Math.round((Date.now() - t) / 1000)} s`);
  } catch (err) {
    failed = true;
    scenarios[scenario.name] = { error: (err as Error).message };
    log(`FAILED: ${(err as Error).stack ?? String(err)}`);
  } finally {
    await cleanupAll();
  }
}

addRatios(scenarios);
const report: Report = {
  machine: machineInfo(),
  startedAt,
  finishedAt: new Date().toISOString(),
  scale: scaleName,
  ...(Object.keys(heraldEnv).length > 0 ? { heraldEnv } : {}),
  ...(overrides.backlogMessages !== undefined ? { backlogMessages: overrides.backlogMessages } : {}),
  ...(overrides.fanoutEndpoints !== undefined ? { fanoutEndpoints: overrides.fanoutEndpoints } : {}),
  ...(overrides.fanoutMessages !== undefined ? { fanoutMessages: overrides.fanoutMessages } : {}),
  scenarios,
  targets: evaluateTargets(scenarios),
};
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
process.stdout.write('\n' + renderReport(report, Object.fromEntries(SCENARIOS.map((s) => [s.name, s.title]))));
const shown = path.relative(process.cwd(), out);
say('bench', `wrote ${shown.startsWith('..') ? out : shown} in ${Math.round((Date.now() - began) / 1000)} s${failed ? '; a scenario FAILED' : ''}`);
process.exit(failed ? 1 : 0);
