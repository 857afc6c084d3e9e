/**
 * How long the attempt time series (GET …/stats/series, Storage.attemptSeries) takes on both backends, with a busy
 * endpoint: 100,000 attempts in the last 24 hours (and as many older ones), a second endpoint of the same application
 * as busy, and another application busier still. Not part of `npm run bench`; run it by hand:
 *
 *   node --import tsx bench/stats-series.ts [--in-range 100000] [--older 100000] [--runs 5] [--only sqlite|postgres] [--without-indexes]
 *
 * --without-indexes drops the time indexes of migration 013 first, to see what they are worth.
 * PostgreSQL: HERALD_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a fresh schema dropped
 * afterwards; skipped with the reason when it does not answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { MasterKey } from '../packages/server/src/security/key-format.ts';
import { SecretBox } from '../packages/server/src/security/secret-box.ts';
import { openPostgresStorage } from '../packages/server/src/store/postgres/index.ts';
import { openSqliteStorage } from '../packages/server/src/store/sqlite/index.ts';
import type { AttemptSeriesQuery } from '../packages/server/src/store/stats-types.ts';
import { Status, Trigger, type AttemptOutcome, type Storage } from '../packages/server/src/store/storage.ts';

const { values: args } = parseArgs({
  options: {
    'in-range': { type: 'string', default: '100000' },
    /** The busy endpoint's attempts of the 29 days before (default: as many as in range). */
    older: { type: 'string' },
    runs: { type: 'string', default: '5' },
    only: { type: 'string' },
    'without-indexes': { type: 'boolean', default: false },
  },
});
const IN_RANGE = Number(args['in-range']);
const RUNS = Number(args.runs);
const OLDER = Number(args.older ?? IN_RANGE);
const PG_URL = process.env['HERALD_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const INDEXES_013 = ['attempt_by_endpoint_time'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Math.floor(Date.now() / HOUR) * HOUR;
const BATCH = 5_000;

let seed = 1;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
/** Mostly tens of milliseconds, with a long tail. */
const duration = () => Math.round(5 + 40 * Math.exp(2 * random() * random() * 3) * random());

/** The rows: [appId, endpointId, count, from, to]. */
const LAYOUT: [string, string, number, number, number][] = [
  ['app_A', 'ep_target', IN_RANGE, NOW - DAY, NOW],
  ['app_A', 'ep_target', OLDER, NOW - 30 * DAY, NOW - DAY],
  ['app_A', 'ep_other', IN_RANGE, NOW - DAY, NOW],
  ['app_B', 'ep_B1', IN_RANGE * 1.5, NOW - DAY, NOW],
  ['app_B', 'ep_B2', IN_RANGE * 1.5, NOW - 30 * DAY, NOW],
  ['app_A', 'ep_quiet', 0, NOW - DAY, NOW],
];

async function fill(store: Storage): Promise<number> {
  const apps = new Set(LAYOUT.map(([appId]) => appId));
  for (const id of apps) await store.catalog.createApp({ id, uid: null, name: id, metadata: {}, throttleRate: null, createdAt: NOW, updatedAt: NOW });
  for (const endpointId of new Set(LAYOUT.map(([, ep]) => ep))) {
    const appId = LAYOUT.find(([, ep]) => ep === endpointId)![0];
    await store.catalog.createEndpoint({
      id: endpointId, appId, uid: null, url: 'https://example.com/hook', description: '', eventTypes: null, channels: null, disabled: false,
      throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: {}, createdAt: NOW, updatedAt: NOW,
    }, { key: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0', createdAt: NOW, expiresAt: null });
  }
  let n = 0;
  for (const [appId, endpointId, count, from, to] of LAYOUT) {
    for (let done = 0; done < count; done += BATCH) {
      const outcomes: AttemptOutcome[] = [];
      for (let i = done; i < Math.min(count, done + BATCH); i++) {
        const ok = random() < 0.95;
        const at = from + Math.floor(((to - from) * i) / count);
        outcomes.push({
          attempt: {
            id: `atmpt_${String(++n).padStart(9, '0')}`, appId, messageId: `msg_${n}`, endpointId, url: 'https://example.com/hook',
            status: ok ? Status.Success : Status.Fail, responseStatusCode: ok ? 200 : 503, response: ok ? '{"ok":true}' : 'unavailable',
            durationMs: duration(), trigger: Trigger.Scheduled, createdAt: at, request: null,
          },
          deliveryId: 0, lease: 0, status: ok ? Status.Success : Status.Fail, attempts: 1, nextAttemptAt: null,
        });
      }
      await store.queue.recordOutcomes(outcomes);
    }
  }
  return n;
}

const CASES: [string, Omit<AttemptSeriesQuery, 'appId'> & { appId?: string }][] = [
  ['endpoint, 24 h by hour (25 buckets)', { endpointId: 'ep_target', since: NOW - DAY, until: NOW + HOUR, bucketMs: HOUR }],
  ['endpoint, 16 h by minute (960 buckets)', { endpointId: 'ep_target', since: NOW - 16 * HOUR, until: NOW, bucketMs: 60_000 }],
  ['endpoint, 30 d by day (30 buckets, + older)', { endpointId: 'ep_target', since: NOW - 30 * DAY, until: NOW, bucketMs: DAY }],
  ['application, 24 h by hour (2x rows)', { endpointId: null, since: NOW - DAY, until: NOW + HOUR, bucketMs: HOUR }],
  ['quiet endpoint, 24 h by hour', { endpointId: 'ep_quiet', since: NOW - DAY, until: NOW + HOUR, bucketMs: HOUR }],
];

async function measure(name: string, store: Storage, dropIndexes: () => Promise<void>, analyze = async () => {}): Promise<void> {
  let started = performance.now();
  const rows = await fill(store);
  process.stdout.write(`\n${name}: ${rows.toLocaleString('en')} attempts written in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (args['without-indexes']) {
    await dropIndexes();
    process.stdout.write('  (migration 013 indexes dropped)\n');
  }
  await analyze();
  for (const [label, q] of CASES) {
    const query = { appId: 'app_A', ...q };
    // Warm-up; SQLite refuses a range with more than SQLITE_SERIES_MAX_ATTEMPTS (422), which is timed too.
    const series = await store.stats.attemptSeries(query).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 422) throw err;
      return null;
    });
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      started = performance.now();
      await store.stats.attemptSeries(query).catch(() => null);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const attempts = series ? series.reduce((sum, p) => sum + p.attempts, 0).toLocaleString('en') : 'refused';
    process.stdout.write(
      `  ${label.padEnd(44)} ${attempts.padStart(8)} attempts  median ${times[Math.floor(times.length / 2)]!.toFixed(0).padStart(5)} ms  max ${times.at(-1)!.toFixed(0).padStart(5)} ms\n`,
    );
  }
}

const secrets = () => new SecretBox([MasterKey.generate()], 'bench');

if (args.only !== 'postgres') {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-stats-bench-'));
  const file = path.join(dir, 'herald.db');
  const store = openSqliteStorage({ file, synchronous: 'normal', secrets: secrets() });
  try {
    await measure('SQLite', store, async () => {
      // A second connection, as another process would: the store's statements are prepared again by themselves.
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(file);
      for (const index of INDEXES_013) db.exec(`DROP INDEX IF EXISTS ${index}`);
      db.close();
    });
  } finally {
    await store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.only !== 'sqlite') {
  const schema = `herald_stats_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  const reachable = await admin.connect().then(() => true, (err: Error) => {
    process.stdout.write(`\nPostgreSQL: skipped (${err.message})\n`);
    return false;
  });
  if (reachable) {
    const store = await openPostgresStorage({ url: PG_URL, schema, secrets: secrets() });
    try {
      await measure('PostgreSQL', store, async () => {
        for (const index of INDEXES_013) await admin.query(`DROP INDEX IF EXISTS "${schema}".${index}`);
      }, async () => {
        // What autovacuum would have done by then.
        await admin.query(`ANALYZE "${schema}".attempt`);
      });
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  }
}
