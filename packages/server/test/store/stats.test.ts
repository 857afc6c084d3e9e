/**
 * Storage conformance for the attempt time series (the dashboard's charts): buckets, empty buckets, counts, nearest-rank
 * percentiles, endpoint and application scope, range boundaries; and an endpoint's delivery counts. Run against every
 * backend (SQLite, PostgreSQL).
 */
import assert from 'node:assert/strict';
import type { AttemptSeriesPoint } from '../../src/store/stats-types.ts';
import { Status, Trigger, type Attempt, type AttemptOutcome, type Message, type Storage } from '../../src/store/storage.ts';
import { T0, mkApp, mkEndpoint, mkKey, mkMessage, mkOutcome, publish } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();
const MIN = 60_000;

/** app_A with ep_1 and ep_2, app_B with ep_B. */
async function setup(store: Storage): Promise<void> {
  await store.catalog.createApp(mkApp('app_A'));
  await store.catalog.createApp(mkApp('app_B'));
  for (const [ep, app] of [['ep_1', 'app_A'], ['ep_2', 'app_A'], ['ep_B', 'app_B']] as const) {
    await store.catalog.createEndpoint(mkEndpoint(ep, app), { key: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0', createdAt: T0, expiresAt: null });
  }
}

let seq = 0;
interface A { at: number; ms: number; ok?: boolean; ep?: string; app?: string }

/** Attempt rows as the delivery engine appends them (their delivery need not exist: the log is what is counted). */
async function record(store: Storage, attempts: A[]): Promise<void> {
  if (!(await store.catalog.getApp('app_A'))) await setup(store);
  const outcomes = attempts.map((a): AttemptOutcome => {
    const ok = a.ok ?? true;
    const attempt: Attempt = {
      id: `atmpt_${String(++seq).padStart(6, '0')}`, appId: a.app ?? 'app_A', messageId: `msg_${seq}`, endpointId: a.ep ?? 'ep_1',
      url: 'https://example.com/hook', status: ok ? Status.Success : Status.Fail, responseStatusCode: ok ? 200 : 500, response: '',
      durationMs: a.ms, trigger: Trigger.Scheduled, createdAt: a.at, request: null,
    };
    return { attempt, deliveryId: 0, lease: 0, status: attempt.status, attempts: 1, nextAttemptAt: null };
  });
  await store.queue.recordOutcomes(outcomes);
}

const empty = (start: number): AttemptSeriesPoint => ({ start, attempts: 0, succeeded: 0, failed: 0, p50Ms: null, p95Ms: null, p99Ms: null });
const point = (start: number, attempts: number, succeeded: number, p50Ms: number, p95Ms: number, p99Ms: number): AttemptSeriesPoint =>
  ({ start, attempts, succeeded, failed: attempts - succeeded, p50Ms, p95Ms, p99Ms });

/** Fisher-Yates with a fixed seed: insertion order must not matter. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  let s = 42;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describeEachBackend('attempt series store', backends, (test) => {
  test('buckets, empty buckets, counts and nearest-rank percentiles of one endpoint', async (store) => {
    // Bucket 0: 10, 20, ... 100 ms, 7 succeeded. Bucket 1: nothing. Bucket 2: one failure. Bucket 3: 1..100 ms, shuffled.
    await record(store, [
      ...Array.from({ length: 10 }, (_, i) => ({ at: T0 + i * 1000, ms: (i + 1) * 10, ok: i < 7 })),
      { at: T0 + 2 * MIN + 30_000, ms: 7, ok: false },
      ...shuffled(Array.from({ length: 100 }, (_, i) => ({ at: T0 + 3 * MIN + i * 100, ms: i + 1, ok: i % 10 !== 0 }))),
    ]);
    const series = await store.stats.attemptSeries({ appId: 'app_A', endpointId: 'ep_1', since: T0, until: T0 + 5 * MIN, bucketMs: MIN });
    assert.deepEqual(series, [
      point(T0, 10, 7, 50, 100, 100),
      empty(T0 + MIN),
      point(T0 + 2 * MIN, 1, 0, 7, 7, 7),
      point(T0 + 3 * MIN, 100, 90, 50, 95, 99),
      empty(T0 + 4 * MIN),
    ]);
  });

  test('percentiles with ties and small buckets', async (store) => {
    await record(store, [
      ...[5, 9, 5, 5].map((ms, i) => ({ at: T0 + i, ms })),
      ...[30, 10].map((ms, i) => ({ at: T0 + MIN + i, ms })),
      ...[0, 0, 0].map((ms, i) => ({ at: T0 + 2 * MIN + i, ms, ok: false })),
    ]);
    const series = await store.stats.attemptSeries({ appId: 'app_A', endpointId: 'ep_1', since: T0, until: T0 + 3 * MIN, bucketMs: MIN });
    assert.deepEqual(series, [
      point(T0, 4, 4, 5, 9, 9), // ranks 2, 4, 4
      point(T0 + MIN, 2, 2, 10, 30, 30), // ranks 1, 2, 2
      point(T0 + 2 * MIN, 3, 0, 0, 0, 0),
    ]);
  });

  test('range boundaries: since is in, until is out, a short last bucket is clipped at until', async (store) => {
    await record(store, [
      { at: T0 - 1, ms: 1000 },
      { at: T0, ms: 1 },
      { at: T0 + MIN - 1, ms: 2 },
      { at: T0 + MIN, ms: 3 },
      { at: T0 + 2 * MIN + 29_999, ms: 4 },
      { at: T0 + 2 * MIN + 30_000, ms: 5000 },
    ]);
    const series = await store.stats.attemptSeries({ appId: 'app_A', endpointId: 'ep_1', since: T0, until: T0 + 2 * MIN + 30_000, bucketMs: MIN });
    assert.deepEqual(series, [point(T0, 2, 2, 1, 2, 2), point(T0 + MIN, 1, 1, 3, 3, 3), point(T0 + 2 * MIN, 1, 1, 4, 4, 4)]);
    // Buckets start at since, whatever its alignment.
    const shifted = await store.stats.attemptSeries({ appId: 'app_A', endpointId: 'ep_1', since: T0 - 30_000, until: T0 + 30_000, bucketMs: MIN });
    assert.deepEqual(shifted, [point(T0 - 30_000, 2, 2, 1, 1000, 1000)]);
    assert.deepEqual(await store.stats.attemptSeries({ appId: 'app_A', endpointId: 'ep_1', since: T0, until: T0, bucketMs: MIN }), []);
  });

  test('endpoint scope and application scope; other applications never count', async (store) => {
    await record(store, [
      { at: T0 + 1, ms: 10 },
      { at: T0 + 2, ms: 20, ep: 'ep_2', ok: false },
      { at: T0 + 3, ms: 30, ep: 'ep_2' },
      { at: T0 + 4, ms: 999, ep: 'ep_B', app: 'app_B' },
      { at: T0 + MIN + 1, ms: 40, ep: 'ep_2' },
      { at: T0 + 5, ms: 555, ep: 'ep_B', app: 'app_B' },
    ]);
    const q = { appId: 'app_A', since: T0, until: T0 + 2 * MIN, bucketMs: MIN };
    assert.deepEqual(await store.stats.attemptSeries({ ...q, endpointId: 'ep_1' }), [point(T0, 1, 1, 10, 10, 10), empty(T0 + MIN)]);
    assert.deepEqual(await store.stats.attemptSeries({ ...q, endpointId: 'ep_2' }), [point(T0, 2, 1, 20, 30, 30), point(T0 + MIN, 1, 1, 40, 40, 40)]);
    assert.deepEqual(await store.stats.attemptSeries({ ...q, endpointId: null }), [point(T0, 3, 2, 20, 30, 30), point(T0 + MIN, 1, 1, 40, 40, 40)]);
    assert.deepEqual(await store.stats.attemptSeries({ ...q, appId: 'app_B', endpointId: null }), [point(T0, 2, 2, 555, 999, 999), empty(T0 + MIN)]);
    // An endpoint of another application, or none at all, has nothing.
    assert.deepEqual(await store.stats.attemptSeries({ ...q, endpointId: 'ep_B' }), [empty(T0), empty(T0 + MIN)]);
    assert.deepEqual(await store.stats.attemptSeries({ ...q, endpointId: 'ep_none' }), [empty(T0), empty(T0 + MIN)]);
    assert.deepEqual(await store.stats.attemptSeries({ ...q, appId: 'app_none', endpointId: null }), [empty(T0), empty(T0 + MIN)]);
    // A deleted endpoint's attempts go with it, from the application's series too.
    await store.catalog.deleteEndpoint('ep_2');
    assert.deepEqual(await store.stats.attemptSeries({ ...q, endpointId: null }), [point(T0, 1, 1, 10, 10, 10), empty(T0 + MIN)]);
  });

  test('hour and day buckets over a store with nothing in range', async (store) => {
    await record(store, [{ at: T0 - 1, ms: 1 }]);
    const days = await store.stats.attemptSeries({ appId: 'app_A', endpointId: null, since: T0, until: T0 + 3 * 86_400_000, bucketMs: 86_400_000 });
    assert.deepEqual(days, [empty(T0), empty(T0 + 86_400_000), empty(T0 + 2 * 86_400_000)]);
    await record(store, [{ at: T0 + 3_600_000 * 5 + 7, ms: 12 }]);
    const hours = await store.stats.attemptSeries({ appId: 'app_A', endpointId: 'ep_1', since: T0, until: T0 + 24 * 3_600_000, bucketMs: 3_600_000 });
    assert.equal(hours.length, 24);
    assert.deepEqual(hours.filter((p) => p.attempts > 0), [point(T0 + 5 * 3_600_000, 1, 1, 12, 12, 12)]);
  });
});

describeEachBackend('endpoint stats store', backends, (test) => {
  test('endpointStats: counts deliveries by status, filtered by message time [since, until)', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const msgs = [0, 10, 20, 30, 40, 50].map((dt, i) => mkMessage(`msg_${i}`, 'app_A', { createdAt: T0 + dt }));
    const [ok] = await publish(store, msgs[0]!, [['ep_1', 'leased'], ['ep_2', 'due']]);
    const [failed] = await publish(store, msgs[1]!, [['ep_1', 'leased']]);
    await publish(store, msgs[2]!, [['ep_1', 'due'], ['ep_2', 'due']]);
    await publish(store, msgs[3]!, [['ep_1', 'leased']]);
    await publish(store, msgs[4]!, [['ep_1', 'parked']]);
    const [retrying] = await publish(store, msgs[5]!, [['ep_1', 'leased']]);
    const d = (id: number | undefined, m: Message) => ({ deliveryId: id!, messageId: m.id, endpointId: 'ep_1', appId: 'app_A', lease: 0 });
    await store.queue.recordOutcomes([
      mkOutcome(d(ok, msgs[0]!), { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 100 }),
      mkOutcome(d(failed, msgs[1]!), { status: Status.Fail, attempts: 5, nextAttemptAt: null, code: 500, at: T0 + 100 }),
      mkOutcome(d(retrying, msgs[5]!), { status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 9000, code: 503, at: T0 + 100 }),
    ]);
    const stats = (since: number | null, until: number | null) => store.stats.endpointStats('ep_1', since, until);
    assert.deepStrictEqual(await stats(null, null), { success: 1, pending: 3, sending: 1, fail: 1, canceled: 0 });
    assert.deepStrictEqual(await stats(T0 + 10, T0 + 30), { success: 0, pending: 1, sending: 0, fail: 1, canceled: 0 }, 'since inclusive, until exclusive');
    assert.deepStrictEqual(await stats(T0 + 30, null), { success: 0, pending: 2, sending: 1, fail: 0, canceled: 0 });
    assert.deepStrictEqual(await stats(null, T0 + 1), { success: 1, pending: 0, sending: 0, fail: 0, canceled: 0 });
    assert.deepStrictEqual(await store.stats.endpointStats('ep_2', null, null), { success: 0, pending: 2, sending: 0, fail: 0, canceled: 0 });
    assert.deepStrictEqual(await store.stats.endpointStats('ep_none', null, null), { success: 0, pending: 0, sending: 0, fail: 0, canceled: 0 });
  });
});
