/**
 * Request limits: per-token rate limits (429 with Retry-After), failed-authentication limits per client address,
 * header, body and time limits, and client addresses behind a trusted proxy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, rawExchange, startTestHerald } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';
import { useTestServer } from '../helpers/test-server.ts';


const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe('request limits', () => {
  const server = useTestServer({ env: { HERALD_API_REQUEST_TIMEOUT: '2', HERALD_MAX_HEADER_SIZE: '4096', HERALD_API_RATE_LIMIT: '1000' } });


  it("a token over its rate limit gets 429 with Retry-After, and other tokens are not held back", async () => {
    const { json } = await server.call('POST', '/api/v1/token', { name: 'slow client', scope: 'admin', rateLimit: 3 });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof api>> | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await server.call('GET', '/api/v1/app', undefined, as(json.token));
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.ok(limited, `no 429 in ${statuses.join(',')}`);
    assert.equal(limited.json.code, 'rate_limit_exceeded');
    assert.match(limited.json.detail, /3 per second/);
    assert.equal(limited.headers.get('retry-after'), '1');
    // The admin token has its own bucket (the server default of 1000/s).
    assert.equal((await server.call('GET', '/api/v1/app')).status, 200);
    // 3 per second: a token is back within a third of a second; asking again until then takes none.
    await until('the bucket to refill', async () => (await server.call('GET', '/api/v1/app', undefined, as(json.token))).status === 200, 2_000);
  });

  it('a client address that keeps failing to authenticate is slowed down', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await server.call('GET', '/api/v1/app', undefined, as(`wrong-token-${i}`))).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.ok(statuses.includes(429), statuses.join(','));
  });

  it('oversized headers get 431 and oversized bodies 413, as JSON where the server still answers', async () => {
    const big = await fetch(`${server.herald.url}/api/v1/app`, { headers: { ...as('x'), 'x-filler': 'a'.repeat(8000) } });
    assert.equal(big.status, 431);
    // The failed sign-ins before may have this address slowed down for a moment: wait until it is not.
    const body = await until('an answer other than 429', async () => {
      const res = await server.call('POST', '/api/v1/app/x/msg', JSON.stringify({ eventType: 'a', payload: { big: 'x'.repeat(1_100_000) } }));
      return res.status !== 429 && res;
    }, 3_000);
    assert.equal(body.status, 413);
    assert.equal(body.json.code, 'payload_too_large');
  });

  it('a client that sends its request too slowly is cut off', async () => {
    // Headers that never end (slowloris): the connection closes after about HERALD_API_REQUEST_TIMEOUT.
    const slow = await rawExchange(server.herald.url, (socket) => socket.write('GET /api/v1/health HTTP/1.1\r\nhost: x\r\n'));
    assert.ok(slow.closedAfterMs >= 1500 && slow.closedAfterMs < 6000, `closed after ${slow.closedAfterMs} ms`);
    assert.match(slow.answer, /^HTTP\/1\.1 408/);
    assert.match(slow.answer, /"code":"request_timeout"/, "in Herald's error shape");
    // A body that never finishes arriving.
    const trickle = await rawExchange(server.herald.url, (socket) =>
      socket.write(`POST /api/v1/app HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${server.herald.token}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"na`));
    assert.ok(trickle.closedAfterMs < 6000, `closed after ${trickle.closedAfterMs} ms`);
    assert.match(trickle.answer, /^HTTP\/1\.1 408/);
  });
});

describe('client addresses behind a trusted proxy', () => {
  it('X-Forwarded-For is believed only from the configured proxies', async () => {
    for (const [trust, expected] of [['127.0.0.1', '203.0.113.7'], ['false', '127.0.0.1'], ['10.0.0.0/8', '127.0.0.1']] as const) {
      const herald = await startTestHerald({ HERALD_TRUST_PROXY: trust });
      try {
        const created = await api(herald.url, 'POST', '/api/v1/app', { name: 'proxied' }, { 'x-forwarded-for': '203.0.113.7' });
        assert.equal(created.status, 201);
        // The entry is written once the answer is out.
        const log = await until('the audit entry', async () => {
          const got = await api(herald.url, 'GET', '/api/v1/audit-log');
          return got.json.data.length > 0 && got;
        });
        assert.equal(log.json.data[0].ip, expected, `HERALD_TRUST_PROXY=${trust}`);
      } finally {
        await herald.cleanup();
      }
    }
  });
});

describe('errors reveal nothing internal', () => {
  it('an unexpected failure answers a bare 500 and keeps the detail in the server log', async () => {
    const herald = await startTestHerald();
    try {
      // Fault injection: the store fails the way a broken disk or a lost database would.
      herald.store.catalog.listApps = async () => {
        throw new Error('SQLITE_IOERR at /var/lib/herald/herald.db (internal detail)');
      };
      const res = await api(herald.url, 'GET', '/api/v1/app');
      assert.equal(res.status, 500);
      assert.deepEqual(res.json, { code: 'internal_error', detail: 'Internal server error' });
      const malformed = await api(herald.url, 'POST', '/api/v1/app', '{"name": ');
      assert.equal(malformed.status, 400);
      for (const text of [res.text, malformed.text]) {
        assert.doesNotMatch(text, /\/var\/lib|node_modules|\n\s+at |stack/);
      }
    } finally {
      await herald.cleanup();
    }
  });
});
