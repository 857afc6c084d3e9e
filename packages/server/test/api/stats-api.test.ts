/**
 * The attempt time series over HTTP (GET …/stats/series for an endpoint and for an application), against a real
 * Herald delivering to a real receiver: the answer's shape, its defaults, its 422s, and tenant isolation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Point { start: string; attempts: number; succeeded: number; failed: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null }
interface Series { bucket: string; since: string; until: string; series: Point[] }

const sum = (s: Series, field: 'attempts' | 'succeeded' | 'failed') => s.series.reduce((total, p) => total + p[field], 0);
const query = (q: Record<string, string | number | Date>) =>
  '?' + new URLSearchParams(Object.entries(q).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : String(v)])).toString();

describe('attempt series API', () => {
  let herald: Herald;
  let receiver: Receiver;
  const ids: Record<string, string> = {};
  let appTokenA = '';
  const get = (path: string, token?: string) => api(herald.url, 'GET', path, undefined, token ? { authorization: `Bearer ${token}` } : {});

  before(async () => {
    receiver = await Receiver.start();
    receiver.responder = (req, res) => res.writeHead(req.path === '/fail' ? 500 : 200).end();
    herald = await startTestHerald();
    await api(herald.url, 'POST', '/api/v1/event-type', { name: 'order.created', description: 'an order' });
    for (const name of ['a', 'b']) {
      ids[name] = (await api(herald.url, 'POST', '/api/v1/app', { name, uid: `stats-${name}` })).json.id;
    }
    ids.ok = (await api(herald.url, 'POST', `/api/v1/app/${ids.a}/endpoint`, { url: receiver.url('/ok'), uid: 'ok' })).json.id;
    ids.fail = (await api(herald.url, 'POST', `/api/v1/app/${ids.a}/endpoint`, { url: receiver.url('/fail'), uid: 'fail' })).json.id;
    ids.b_ep = (await api(herald.url, 'POST', `/api/v1/app/${ids.b}/endpoint`, { url: receiver.url('/ok'), uid: 'ok' })).json.id;
    for (let i = 0; i < 3; i++) await api(herald.url, 'POST', `/api/v1/app/${ids.a}/msg`, { eventType: 'order.created', payload: { i } });
    await api(herald.url, 'POST', `/api/v1/app/${ids.b}/msg`, { eventType: 'order.created', payload: {} });
    await until('the first attempts', async () => {
      const a = (await get(`/api/v1/app/${ids.a}/stats/series`)).json as Series;
      const b = (await get(`/api/v1/app/${ids.b}/stats/series`)).json as Series;
      return sum(a, 'succeeded') === 3 && sum(a, 'failed') >= 3 && sum(b, 'attempts') === 1;
    });
    appTokenA = (await api(herald.url, 'POST', '/api/v1/token', { name: 'tenant a', scope: 'app', appId: ids.a })).json.token;
  });
  after(async () => {
    await herald.cleanup();
    await receiver.close();
  });

  it('defaults: the last day by hour, whole buckets, empty ones included', async () => {
    const before = Date.now();
    const res = await get(`/api/v1/app/${ids.a}/endpoint/${ids.ok}/stats/series`);
    assert.equal(res.status, 200, res.text);
    const body = res.json as Series;
    assert.deepEqual(Object.keys(body).sort(), ['bucket', 'series', 'since', 'until']);
    assert.equal(body.bucket, 'hour');
    const since = Date.parse(body.since);
    const untilMs = Date.parse(body.until);
    assert.equal(since % HOUR, 0);
    assert.equal(untilMs % HOUR, 0);
    assert.ok(untilMs >= before && untilMs - HOUR <= Date.now(), 'until is now, rounded up to the hour');
    assert.ok(since <= before - DAY && since > before - DAY - HOUR, 'since is a day before, rounded down');
    assert.equal(body.series.length, (untilMs - since) / HOUR);
    body.series.forEach((p, i) => {
      assert.equal(p.start, new Date(since + i * HOUR).toISOString());
      assert.deepEqual(Object.keys(p).sort(), ['attempts', 'failed', 'p50Ms', 'p95Ms', 'p99Ms', 'start', 'succeeded']);
      assert.equal(p.attempts, p.succeeded + p.failed);
      if (p.attempts === 0) assert.deepEqual([p.p50Ms, p.p95Ms, p.p99Ms], [null, null, null]);
      else assert.ok(p.p50Ms! >= 0 && p.p50Ms! <= p.p95Ms! && p.p95Ms! <= p.p99Ms!);
    });
    assert.deepEqual([sum(body, 'attempts'), sum(body, 'succeeded'), sum(body, 'failed')], [3, 3, 0]);
    assert.ok(body.series.some((p) => p.attempts === 0), 'empty buckets are there');
  });

  it("the application's series counts all its endpoints; the failing one's alone only failures", async () => {
    const app = (await get(`/api/v1/app/stats-a/stats/series`)).json as Series;
    const failing = (await get(`/api/v1/app/stats-a/endpoint/fail/stats/series`)).json as Series;
    assert.equal(sum(failing, 'succeeded'), 0);
    assert.ok(sum(failing, 'failed') >= 3);
    assert.equal(sum(app, 'attempts'), 3 + sum(failing, 'attempts'));
    assert.equal(sum(app, 'failed'), sum(failing, 'failed'));
  });

  it('aligns a given range to whole buckets and chooses the bucket by its length', async () => {
    const path = `/api/v1/app/${ids.a}/endpoint/${ids.ok}/stats/series`;
    const aligned = (await get(path + query({ since: '2024-01-01T00:30:00Z', until: '2024-01-01T02:10:00Z', bucket: 'hour' }))).json as Series;
    assert.deepEqual(aligned, {
      bucket: 'hour', since: '2024-01-01T00:00:00.000Z', until: '2024-01-01T03:00:00.000Z',
      series: [0, 1, 2].map((h) => ({
        start: `2024-01-01T0${h}:00:00.000Z`, attempts: 0, succeeded: 0, failed: 0, p50Ms: null, p95Ms: null, p99Ms: null,
      })),
    });
    const t = Date.parse('2024-03-01T00:00:00Z');
    const chosen = async (ms: number) => ((await get(path + query({ since: new Date(t), until: new Date(t + ms) }))).json as Series);
    assert.equal((await chosen(2 * HOUR)).bucket, 'minute');
    assert.equal((await chosen(2 * HOUR)).series.length, 120);
    assert.equal((await chosen(5 * HOUR)).bucket, 'minute');
    assert.equal((await chosen(5 * HOUR + 1)).bucket, 'hour');
    assert.equal((await chosen(10 * DAY)).bucket, 'hour');
    assert.equal((await chosen(30 * DAY)).bucket, 'day');
    assert.equal((await chosen(90 * DAY)).series.length, 90);
    // Only until: the day before it.
    const onlyUntil = (await get(path + query({ until: '2024-01-02T00:00:00Z' }))).json as Series;
    assert.deepEqual([onlyUntil.since, onlyUntil.until, onlyUntil.bucket], ['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z', 'hour']);
    // A fine bucket up to 1,000 of them.
    const fine = await get(path + query({ since: new Date(t), until: new Date(t + 1000 * 60_000), bucket: 'minute' }));
    assert.equal(fine.status, 200);
    assert.equal(fine.json.series.length, 1000);
  });

  it('answers 422 for a range too long, too many buckets, an empty range, a bad bucket or time', async () => {
    const path = `/api/v1/app/${ids.a}/endpoint/${ids.ok}/stats/series`;
    const t = Date.parse('2024-03-01T00:00:00Z');
    const cases: [Record<string, string | Date>, string][] = [
      [{ since: new Date(t), until: new Date(t + 90 * DAY + 1) }, 'since'],
      [{ since: new Date(t), until: new Date(t + 1001 * 60_000), bucket: 'minute' }, 'bucket'],
      [{ bucket: 'minute' }, 'bucket'], // the default day has 1,440 minutes
      [{ since: new Date(t), until: new Date(t + 60 * DAY), bucket: 'hour' }, 'bucket'],
      [{ since: new Date(t), until: new Date(t) }, 'since'],
      [{ since: new Date(t + HOUR), until: new Date(t) }, 'since'],
      [{ bucket: 'week' }, 'bucket'],
      [{ since: 'yesterday' }, 'since'],
    ];
    for (const [q, field] of cases) {
      for (const base of [path, `/api/v1/app/${ids.a}/stats/series`]) {
        const res = await get(base + query(q));
        assert.equal(res.status, 422, `${JSON.stringify(q)}: ${res.text}`);
        assert.deepEqual(res.json.detail[0].loc, ['query', field], JSON.stringify(q));
      }
    }
  });

  it("an application token reads its application's series and not another's, which looks missing (404)", async () => {
    assert.equal((await get(`/api/v1/app/${ids.a}/stats/series`, appTokenA)).status, 200);
    assert.equal((await get(`/api/v1/app/stats-a/endpoint/ok/stats/series`, appTokenA)).status, 200);
    const missingApp = await get(`/api/v1/app/app_2zzzzzzzzzzzzzzzzzzzzzzzzzz/stats/series`, appTokenA);
    assert.equal(missingApp.status, 404);
    for (const path of [
      `/api/v1/app/${ids.b}/stats/series`, '/api/v1/app/stats-b/stats/series',
      `/api/v1/app/${ids.b}/endpoint/${ids.b_ep}/stats/series`, '/api/v1/app/stats-b/endpoint/ok/stats/series',
    ]) {
      const res = await get(path, appTokenA);
      assert.equal(res.status, 404, path);
      assert.equal(res.text, missingApp.text, path);
    }
    // An endpoint of B named under A is A's missing endpoint; for the admin as for A's token.
    for (const token of [undefined, appTokenA]) {
      const res = await get(`/api/v1/app/${ids.a}/endpoint/${ids.b_ep}/stats/series`, token);
      assert.equal(res.status, 404);
      assert.equal(res.json.detail, 'Endpoint not found');
    }
  });
});
