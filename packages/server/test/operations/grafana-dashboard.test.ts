import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { api, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const DASHBOARD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/grafana-dashboard.json');

/** PromQL words that look like metric names but are not. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads: identifiers left once strings, matchers, ranges, groupings and calls are set aside. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

/** Every sample name a scrape holds, and those its # TYPE lines promise (a histogram's _bucket, _sum and _count). */
function exportedNames(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const line of scrape.split('\n')) {
    const type = /^# TYPE (\S+) (\w+)$/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      names.add(name);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
    } else if (line && !line.startsWith('#')) {
      names.add(/^[^{\s]+/.exec(line)![0]);
    }
  }
  return names;
}

test('metric names are read from PromQL as expected', () => {
  assert.deepEqual(metricNames('sum by (le) (rate(a_bucket{job=~"$job",le!="x{"}[$__rate_interval]))'), ['a_bucket']);
  assert.deepEqual(metricNames('sum(rate(a_total{o!="s"}[5m])) / sum(rate(b_total[5m]))'), ['a_total', 'b_total']);
  assert.deepEqual(metricNames('topk(10, sum by (endpoint_id) (increase(c_total[$__range])))'), ['c_total']);
  assert.deepEqual(metricNames('histogram_quantile(0.99, x_bucket) > bool 1'), ['x_bucket']);
});

test('docs/grafana-dashboard.json: importable, and every metric it queries is one a running Herald exports', async () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  assert.equal(dashboard.__inputs?.[0]?.name, 'DS_PROMETHEUS', 'the datasource is chosen on import');
  assert.ok(dashboard.schemaVersion >= 39);
  const panels = (dashboard.panels as any[]).filter((p) => p.type !== 'row');
  assert.equal(new Set((dashboard.panels as any[]).map((p) => p.id)).size, dashboard.panels.length, 'panel ids are unique');
  const queried = new Map<string, string>();
  for (const panel of panels) {
    assert.equal(panel.datasource?.uid, '${DS_PROMETHEUS}', `${panel.title}: the imported datasource`);
    assert.ok(panel.targets?.length > 0, `${panel.title} has queries`);
    for (const t of panel.targets) for (const name of metricNames(t.expr)) queried.set(name, panel.title);
  }
  for (const variable of dashboard.templating.list) {
    const labelValues = /^label_values\(([A-Za-z_:][A-Za-z0-9_:]*)/.exec(variable.query.query);
    assert.ok(labelValues, `variable ${variable.name} reads label values of a metric`);
    queried.set(labelValues[1]!, `variable ${variable.name}`);
  }
  for (const topic of ['herald_attempts_total', 'herald_attempt_duration_seconds_bucket', 'herald_deliveries_queued', 'herald_oldest_due_delivery_age_seconds',
    'herald_endpoint_failed_attempts_total', 'herald_api_requests_total', 'herald_process_resident_memory_bytes', 'herald_process_cpu_seconds_total']) {
    assert.ok(queried.has(topic), `the dashboard shows ${topic}`);
  }

  // A Herald that has delivered and failed something, so every labelled series has samples too.
  const receiver = await Receiver.start();
  receiver.responder = (req, res) => res.writeHead(req.path === '/bad' ? 500 : 204).end();
  const herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '3600' });
  try {
    const app = await api(herald.url, 'POST', '/api/v1/app', { name: 'dashboard' });
    await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: receiver.url('/good'), filterTypes: ['ok'] });
    await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: receiver.url('/bad'), filterTypes: ['bad'] });
    for (const eventType of ['ok', 'bad']) await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/msg`, { eventType, payload: {} });
    const scrape = await until('both attempts to be counted', async () => {
      const res = await api(herald.url, 'GET', '/metrics');
      return res.text.includes('herald_attempts_total{outcome="retry"}') && res.text.includes('herald_attempts_total{outcome="success"}') ? res.text : undefined;
    });
    const exported = exportedNames(scrape);
    for (const [name, where] of queried) {
      assert.ok(name.startsWith('herald_'), `${where} queries ${name}, which is not Herald's`);
      assert.ok(exported.has(name), `${where} queries ${name}, which Herald does not export`);
    }
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});
