import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextRetry, parseRetryAfter } from '../../src/delivery/retry-policy.ts';

const SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];
const NOW = Date.parse('2026-01-01T00:00:00Z');
const fail = (failedAttempts: number, extra: Partial<Parameters<typeof nextRetry>[0]> = {}) => ({
  failedAttempts, statusCode: 500, timedOut: false, retryAfter: null, abortRequested: false, ...extra,
});
const mid = () => 0.5; // no jitter
const delay = (d: ReturnType<typeof nextRetry>) => (d.retry ? d.delayMs : null);

test('follows the schedule, one entry per failed attempt, then gives up', () => {
  SCHEDULE.forEach((seconds, i) => assert.equal(delay(nextRetry(fail(i + 1), SCHEDULE, NOW, mid)), seconds * 1000));
  assert.deepEqual(nextRetry(fail(SCHEDULE.length + 1), SCHEDULE, NOW, mid), { retry: false });
  assert.deepEqual(nextRetry(fail(1), [], NOW, mid), { retry: false });
});

test('jitter stays within ±20 % and reaches both ends', () => {
  assert.equal(delay(nextRetry(fail(2), SCHEDULE, NOW, () => 0)), 240_000);
  assert.equal(delay(nextRetry(fail(2), SCHEDULE, NOW, () => 1)), 360_000);
  for (let i = 0; i < 1000; i++) {
    const d = delay(nextRetry(fail(2), SCHEDULE, NOW))!;
    assert.ok(d >= 240_000 && d <= 360_000, `${d} outside ±20 %`);
  }
});

test('overload (429, 502, 503, 504, timeout) waits at least 60 s', () => {
  for (const statusCode of [429, 502, 503, 504]) {
    assert.equal(delay(nextRetry(fail(1, { statusCode }), SCHEDULE, NOW, mid)), 60_000, `status ${statusCode}`);
  }
  assert.equal(delay(nextRetry(fail(1, { statusCode: null, timedOut: true }), SCHEDULE, NOW, mid)), 60_000);
  assert.equal(delay(nextRetry(fail(1, { statusCode: 500 }), SCHEDULE, NOW, mid)), 5_000);
  assert.equal(delay(nextRetry(fail(2, { statusCode: 429 }), SCHEDULE, NOW, mid)), 300_000, 'a longer scheduled wait stays');
});

test('Retry-After is honoured within [scheduled, 2 × scheduled], in seconds or as a date', () => {
  assert.equal(delay(nextRetry(fail(2, { retryAfter: '450' }), SCHEDULE, NOW, mid)), 450_000);
  assert.equal(delay(nextRetry(fail(2, { retryAfter: '1' }), SCHEDULE, NOW, mid)), 300_000, 'cannot hurry');
  assert.equal(delay(nextRetry(fail(2, { retryAfter: '99999' }), SCHEDULE, NOW, mid)), 600_000, 'cannot stall');
  const inTenMinutes = new Date(NOW + 500_000).toUTCString();
  assert.equal(delay(nextRetry(fail(2, { retryAfter: inTenMinutes }), SCHEDULE, NOW, mid)), 500_000);
  assert.equal(delay(nextRetry(fail(2, { retryAfter: 'soon' }), SCHEDULE, NOW, mid)), 300_000, 'unreadable is ignored');
  assert.equal(delay(nextRetry(fail(1, { statusCode: 429, retryAfter: '90' }), SCHEDULE, NOW, mid)), 90_000, 'range starts from the overload floor');
});

test('410 Gone and webhook-delivery: abort-message end the retries at once', () => {
  assert.deepEqual(nextRetry(fail(1, { statusCode: 410 }), SCHEDULE, NOW, mid), { retry: false });
  assert.deepEqual(nextRetry(fail(1, { statusCode: 410, retryAfter: '10' }), SCHEDULE, NOW, mid), { retry: false });
  assert.deepEqual(nextRetry(fail(1, { statusCode: 500, abortRequested: true }), SCHEDULE, NOW, mid), { retry: false });
  assert.deepEqual(nextRetry(fail(1, { statusCode: 429, abortRequested: true }), SCHEDULE, NOW, mid), { retry: false });
  assert.equal(delay(nextRetry(fail(1, { statusCode: 404 }), SCHEDULE, NOW, mid)), 5_000, 'other 4xx still retry');
});

test('parseRetryAfter reads both forms', () => {
  assert.equal(parseRetryAfter(null, NOW), null);
  assert.equal(parseRetryAfter(' 120 ', NOW), 120);
  assert.equal(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW), 30);
  assert.equal(parseRetryAfter(new Date(NOW - 30_000).toUTCString(), NOW), 0);
  assert.equal(parseRetryAfter('-5', NOW), null);
});
