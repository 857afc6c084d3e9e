/**
 * The dashboard's chart range and percentile arithmetic (packages/dashboard/src/lib/stats-range.ts): which range the
 * charts open on for the data there is, and percentile lines that keep to time order and p50 <= p95 <= p99.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_RANGE, firstActiveBucket, orderedPercentiles, RANGES, rangeForData, seriesSince } from '../../../dashboard/src/lib/stats-range.ts';

const MIN = 60_000;
const NOW = Date.parse('2026-12-03T15:30:00Z');

describe('the charts\' range', () => {
  it('is the shortest range that shows the oldest attempt', () => {
    assert.equal(rangeForData(NOW - 3 * MIN, NOW), '15m', 'a few minutes of data: fifteen minute-wide bars, not one at the edge');
    assert.equal(rangeForData(NOW, NOW), '15m', 'an attempt this minute');
    assert.equal(rangeForData(NOW - 15 * MIN, NOW), '15m');
    assert.equal(rangeForData(NOW - 16 * MIN, NOW), '1h');
    assert.equal(rangeForData(NOW - 60 * MIN, NOW), '1h');
    assert.equal(rangeForData(NOW - 61 * MIN, NOW), '24h');
    assert.equal(rangeForData(NOW - 23 * 60 * MIN, NOW), '24h');
    assert.equal(rangeForData(NOW - 25 * 60 * MIN, NOW), '7d');
    assert.equal(rangeForData(NOW - 30 * 24 * 60 * MIN, NOW), '7d', 'older than the longest range: the longest');
  });

  it('is the last hour when there are no attempts yet, and minute buckets up to an hour', () => {
    assert.equal(rangeForData(null, NOW), EMPTY_RANGE);
    assert.equal(EMPTY_RANGE, '1h');
    assert.equal(RANGES['15m'].bucket, 'minute');
    assert.equal(RANGES['1h'].bucket, 'minute');
    const lengths = Object.values(RANGES).map((r) => r.ms);
    assert.deepEqual(lengths, [...lengths].sort((a, b) => a - b), 'offered shortest first');
  });

  it('finds the oldest bucket with attempts, in any order, ignoring empty ones', () => {
    const at = (min: number, attempts: number) => ({ start: new Date(NOW - min * MIN).toISOString(), attempts });
    assert.equal(firstActiveBucket([at(3, 0), at(2, 4), at(5, 1), at(9, 0)]), NOW - 5 * MIN);
    assert.equal(firstActiveBucket([at(3, 0), at(2, 0)]), null);
    assert.equal(firstActiveBucket([]), null);
  });
});

describe('a shorter range out of a longer series', () => {
  const HOUR = 60 * MIN;
  const until = Date.parse('2026-12-03T16:00:00.000Z');
  const week = {
    bucket: 'hour', since: new Date(until - 7 * 24 * HOUR).toISOString(), until: new Date(until).toISOString(),
    series: Array.from({ length: 7 * 24 }, (_, i) => ({ start: new Date(until - (7 * 24 - i) * HOUR).toISOString(), attempts: i })),
  };

  it('is the buckets from the whole hour at or before since, as the API would answer', () => {
    const day = seriesSince(week, NOW - 24 * HOUR, HOUR);
    assert.equal(day.since, '2026-12-02T15:00:00.000Z', 'since rounded down to its hour');
    assert.equal(day.until, week.until);
    assert.equal(day.series.length, 25);
    assert.equal(day.series[0]!.start, day.since);
    assert.equal(day.series.at(-1), week.series.at(-1));
  });

  it('is the whole series when since is at or before its start', () => {
    assert.equal(seriesSince(week, until - 8 * 24 * HOUR, HOUR), week);
  });
});

describe('percentile lines', () => {
  const point = (t: number, p50: number | null, p95: number | null, p99: number | null) => ({ t, p50Ms: p50, p95Ms: p95, p99Ms: p99, attempts: 1 });

  it('are drawn in time order', () => {
    const out = orderedPercentiles([point(3, 1, 2, 3), point(1, 1, 2, 3), point(2, 1, 2, 3)]);
    assert.deepEqual(out.map((p) => p.t), [1, 2, 3]);
  });

  it('keep p50 <= p95 <= p99 in every bucket, and leave ordered buckets and empty ones as they are', () => {
    const out = orderedPercentiles([point(1, 120, 80, 60), point(2, 10, 50, 40), point(3, 5, 7, 9), point(4, null, null, null), point(5, 30, null, 20)]);
    for (const p of out) {
      if (p.p50Ms !== null) assert.ok(p.p50Ms <= p.p95Ms! && p.p95Ms! <= p.p99Ms!, JSON.stringify(p));
    }
    assert.deepEqual(out.map((p) => [p.p50Ms, p.p95Ms, p.p99Ms]), [[120, 120, 120], [10, 50, 50], [5, 7, 9], [null, null, null], [30, 30, 30]]);
    assert.equal(out[0]!.attempts, 1, 'the other fields are kept');
  });
});
