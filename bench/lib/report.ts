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
  pass: boolean;
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
  scenarios: Record<string, ScenarioResult>;
  targets: Target[];
}

const num = (r: ScenarioResult | undefined, key: string): number | null => {
  const v = r && !r.skipped && !r.error ? r[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/** Figures that compare two scenarios of the same run (only when both ran). */
export function addRatios(scenarios: Record<string, ScenarioResult>): void {
  const sqlite = num(scenarios['throughput'], 'deliveredPerSecond');
  const relay = num(scenarios['ceiling'], 'deliveredPerSecond');
  const pg = num(scenarios['postgres'], 'deliveredPerSecond');
  if (sqlite !== null && relay !== null) {
    scenarios['throughput']!['ratioToCeiling'] = Math.round((sqlite / relay) * 1000) / 1000;
  }
  if (pg !== null && sqlite !== null) scenarios['postgres']!['ratioToSqlite'] = Math.round((pg / sqlite) * 1000) / 1000;
}

/**
 * The targets (for a 2-core machine), each against a reference measured in the same run. A target whose
 * scenario did not run is left out; one whose scenario failed is listed with no value, as failed.
 */
export function evaluateTargets(scenarios: Record<string, ScenarioResult>): Target[] {
  const targets: Target[] = [];
  const add = (needs: string[], name: string, value: number | null, comparison: '>=' | '<=', target: number, unit: string) => {
    if (!needs.every((n) => n in scenarios)) return;
    if (needs.some((n) => scenarios[n]!.skipped)) return;
    const pass = value !== null && (comparison === '>=' ? value >= target : value <= target);
    targets.push({ name, value, target, comparison, unit, pass });
  };
  add(['throughput', 'ceiling'], 'SQLite delivered/s vs the ceiling relay', num(scenarios['throughput'], 'ratioToCeiling'), '>=', 0.6, 'ratio');
  const rate = num(scenarios['latency'], 'ratePerSecond');
  add(['latency'], `latency p50 at ${rate ?? '?'} msg/s`, num(scenarios['latency'], 'p50Ms'), '<=', 3, 'ms');
  add(['latency'], `latency p99 at ${rate ?? '?'} msg/s`, num(scenarios['latency'], 'p99Ms'), '<=', 25, 'ms');
  add(['fanout'], 'fan-out deliveries/s', num(scenarios['fanout'], 'deliveriesPerSecond'), '>=', 5_000, 'deliveries/s');
  const rss = num(scenarios['backlog'], 'peakRssBytes');
  add(['backlog'], `backlog of ${num(scenarios['backlog'], 'messages') ?? '?'}: peak server RSS`, rss === null ? null : Math.round((rss / MB) * 10) / 10, '<=', 300, 'MB');
  add(['poisoned'], 'healthy delivered/s, poisoned vs clean', num(scenarios['poisoned'], 'ratio'), '>=', 0.8, 'ratio');
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
        report.targets.map((t) => [t.name, t.value === null ? '-' : format(t.value), `${t.comparison} ${format(t.target)} ${t.unit}`, t.pass ? 'PASS' : 'FAIL']),
        ['target', 'value', 'target', 'result'],
      ),
    );
    if (m.cores !== 2) out.push(`(the targets are set for a 2-core machine; this one has ${m.cores})`);
  }
  return out.join('\n') + '\n';
}
