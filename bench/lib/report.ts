import type { Machine } from './machine.ts';
import type { Figure, Figures } from './scenario.ts';
import { MB } from './stats.ts';

export type ScenarioResult = Figures & { skipped?: string; error?: string };

export interface Target {
  name: string;
  value: number | null;
  target: number;
  /** '>=': the value must be at least the target; '<=': at most. */
  comparison: '>=' | '<=';
  unit: string;
  /** null: not measured, because a scenario it is measured against did not run or was skipped (`note` says which). */
  pass: boolean | null;
  note?: string;
}

export interface Report {
  machine: Machine;
  startedAt: string;
  finishedAt: string;
  scale: 'full' | 'smoke';
  /** Settings given with --herald-env to every Herald of the run (absent: Herald's defaults). */
  heraldEnv?: Record<string, string>;
  /** The backlog size when --backlog-messages changed it. */
  backlogMessages?: number;
  /** The fan-out's endpoints and messages when --fanout-endpoints or --fanout-messages changed them. */
  fanoutEndpoints?: number;
  fanoutMessages?: number;
  scenarios: Record<string, ScenarioResult>;
  targets: Target[];
}

const num = (r: ScenarioResult | undefined, key: string): number | null => {
  const v = r && !r.skipped && !r.error ? r[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

const ratio = (a: number | null, b: number | null): number | null => (a !== null && b !== null && b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

/** Figures that compare two scenarios of the same run (only when both ran), kept on the first of the two. */
export function addRatios(scenarios: Record<string, ScenarioResult>): void {
  const delivered = (name: string) => num(scenarios[name], 'deliveredPerSecond');
  const pairs: [string, string, number | null][] = [
    ['throughput', 'ratioToCeiling', delivered('ceiling')],
    ['throughput', 'ratioToBullmq', delivered('bullmq')],
    ['postgres', 'ratioToSqlite', delivered('throughput')],
    ['postgres', 'ratioToGraphile', delivered('graphile')],
  ];
  for (const [name, key, reference] of pairs) {
    const r = ratio(delivered(name), reference);
    if (r !== null) scenarios[name]![key] = r;
  }
  const drain = ratio(num(scenarios['backlog'], 'drainPerSecond'), delivered('ceiling'));
  if (drain !== null) scenarios['backlog']!['drainRatioToCeiling'] = drain;
}

/** Scenarios that run Herald; duplicates must stay 0 in each (the relays are not Herald's to answer for). */
const HERALD_SCENARIOS = ['throughput', 'latency', 'fanout', 'backlog', 'poisoned', 'postgres'];

/** Every `duplicates` figure of a scenario, at the top level and one level down (the poisoned runs). */
function duplicatesOf(r: ScenarioResult): number | null {
  let total: number | null = null;
  for (const [key, value] of Object.entries(r)) {
    if (key === 'duplicates' && typeof value === 'number') total = (total ?? 0) + value;
    if (value !== null && typeof value === 'object' && typeof value['duplicates'] === 'number') total = (total ?? 0) + value['duplicates'];
  }
  return total;
}

/**
 * The targets (for a 2-core machine), each against a reference measured in the same run. A target whose
 * own scenario did not run is left out; one whose scenario failed is listed with no value, as failed; one whose
 * reference scenario was not run or was skipped is listed as not measured (pass null), with a note saying why.
 */
export function evaluateTargets(scenarios: Record<string, ScenarioResult>): Target[] {
  const targets: Target[] = [];
  /** `needs[0]` is the scenario measured; the others are the references it is measured against. */
  const add = (needs: string[], name: string, value: number | null, comparison: '>=' | '<=', target: number, unit: string) => {
    const [own, ...references] = needs;
    if (!(own! in scenarios) || scenarios[own!]!.skipped) return;
    const absent = references.find((n) => !(n in scenarios) || scenarios[n]!.skipped);
    if (absent !== undefined) {
      const why = scenarios[absent]?.skipped;
      const note = why ? `not measured: ${absent} was skipped (${why})` : `not measured: needs ${absent} in the same run (--only ${needs.join(',')})`;
      targets.push({ name, value: null, target, comparison, unit, pass: null, note });
      return;
    }
    const pass = value !== null && (comparison === '>=' ? value >= target : value <= target);
    targets.push({ name, value, target, comparison, unit, pass });
  };
  add(['throughput', 'ceiling'], 'SQLite delivered/s ÷ ceiling relay (aim 0.8)', num(scenarios['throughput'], 'ratioToCeiling'), '>=', 0.6, 'ratio');
  add(['throughput', 'bullmq'], 'SQLite delivered/s ÷ BullMQ relay', num(scenarios['throughput'], 'ratioToBullmq'), '>=', 1.5, 'ratio');
  add(['postgres', 'throughput'], 'PostgreSQL (one process) delivered/s ÷ SQLite', num(scenarios['postgres'], 'ratioToSqlite'), '>=', 0.8, 'ratio');
  add(['postgres', 'graphile'], 'PostgreSQL delivered/s ÷ graphile-worker relay', num(scenarios['postgres'], 'ratioToGraphile'), '>=', 2, 'ratio');
  const rate = num(scenarios['latency'], 'ratePerSecond');
  add(['latency'], `latency p50 at ${rate ?? '?'} msg/s from the first message`, num(scenarios['latency'], 'p50Ms'), '<=', 2, 'ms');
  add(['latency'], `latency p99 at ${rate ?? '?'} msg/s from the first message`, num(scenarios['latency'], 'p99Ms'), '<=', 15, 'ms');
  const endpoints = num(scenarios['fanout'], 'endpoints') ?? '?';
  add(['fanout'], `fan-out to ${endpoints} endpoints: deliveries/s`, num(scenarios['fanout'], 'deliveriesPerSecond'), '>=', 8_000, 'deliveries/s');
  add(['fanout'], `fan-out to ${endpoints} endpoints: peak server RSS`, num(scenarios['fanout'], 'serverPeakRssMB'), '<=', 256, 'MB');
  const rss = num(scenarios['backlog'], 'peakRssBytes');
  const backlogOf = `backlog of ${num(scenarios['backlog'], 'messages') ?? '?'}`;
  add(['backlog'], `${backlogOf}: peak server RSS`, rss === null ? null : Math.round((rss / MB) * 10) / 10, '<=', 200, 'MB');
  add(['backlog', 'ceiling'], `${backlogOf}: drain/s ÷ ceiling relay delivered/s`, num(scenarios['backlog'], 'drainRatioToCeiling'), '>=', 0.8, 'ratio');
  add(['poisoned'], 'healthy delivered/s, poisoned vs clean', num(scenarios['poisoned'], 'ratio'), '>=', 0.8, 'ratio');
  const ran = HERALD_SCENARIOS.filter((n) => n in scenarios && !scenarios[n]!.skipped);
  if (ran.length > 0) {
    const counts = ran.map((n) => duplicatesOf(scenarios[n]!));
    const total = counts.some((c) => c === null) ? null : counts.reduce<number>((a, c) => a + c!, 0);
    targets.push({ name: `duplicates (${ran.join(', ')})`, value: total, target: 0, comparison: '<=', unit: 'deliveries', pass: total === 0 });
  }
  // Herald's own bar for "pleasant with 100,000 messages": every view on screen within half a second of the click,
  // and the dashboard itself open within a second.
  const messages = num(scenarios['dashboard'], 'messages') ?? '?';
  for (const db of ['sqlite', 'postgres']) {
    if (scenarios['dashboard'] && `${db}SlowestViewMs` in scenarios['dashboard']) {
      add(['dashboard'], `dashboard, ${messages} messages, ${db}: slowest view`, num(scenarios['dashboard'], `${db}SlowestViewMs`), '<=', 500, 'ms');
      add(['dashboard'], `dashboard, ${messages} messages, ${db}: first load`, num(scenarios['dashboard'], `${db}FirstLoadMs`), '<=', 1000, 'ms');
    }
  }
  return targets;
}

function format(v: Figure): string {
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
  if (v === null) return '-';
  return String(v);
}

function table(rows: string[][], header: string[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The report as a readable text table: every figure per scenario, then the targets with PASS/FAIL. */
export function renderReport(report: Report, titles: Record<string, string>): string {
  const m = report.machine;
  const out = [
    `Herald bench (${report.scale}) ${report.startedAt} on ${m.cores} cores (${m.cpuModel}), ${Math.round(m.memoryBytes / 2 ** 30)} GiB, Node ${m.node}`,
    '',
  ];
  const rows: string[][] = [];
  for (const [name, result] of Object.entries(report.scenarios)) {
    rows.push([name, '', titles[name] ?? '']);
    for (const [key, value] of Object.entries(result)) {
      if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) rows.push(['', `${key}.${k}`, format(v)]);
      } else {
        rows.push(['', key, format(value)]);
      }
    }
  }
  out.push(table(rows, ['scenario', 'figure', 'value']), '');
  if (report.targets.length > 0) {
    out.push(
      table(
        report.targets.map((t) => [
          t.name,
          t.value === null ? '-' : format(t.value),
          `${t.comparison} ${format(t.target)} ${t.unit}`,
          t.pass === null ? t.note ?? 'not measured' : t.pass ? 'PASS' : 'FAIL',
        ]),
        ['target', 'value', 'target', 'result'],
      ),
    );
    if (m.cores !== 2) out.push(`(the targets are set for a 2-core machine; this one has ${m.cores})`);
  }
  return out.join('\n') + '\n';
}
