import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, api, rawExchange, startTestHerald } from '../helpers/herald.ts';

/**
 * Bodies and cursors a hostile or broken client sends: each is refused with a JSON 4xx that says what is wrong, and
 * nothing is stored. (The generated every-route sweep is hostile-routes.test.ts.)
 */

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let appId: string;
before(async () => {
  herald = await startTestHerald();
  appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'hostile', uid: 'hostile-app' })).json.id;
});
after(() => herald.cleanup());

const messageIds = async () => ((await api(herald.url, 'GET', `/api/v1/app/${appId}/msg?limit=250`)).json.data as { id: string }[]).map((m) => m.id);

/** `{"a":{"a":…}}` with `levels` objects in all, the outermost included. */
const nested = (levels: number, leaf = '1') => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);

/** Sends raw bytes as application/json. */
async function postBytes(path: string, body: Buffer) {
  const res = await fetch(herald.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: new Uint8Array(body),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', json: JSON.parse(text) };
}

describe('nesting depth', () => {
  test('a payload nested 20,000 levels deep is a JSON 400 naming the limit, and stores nothing', async () => {
    const before = await messageIds();
    const body = `{"eventType":"deep","payload":${nested(20_000)}}`;
    const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, body);
    assert.equal(res.status, 400, res.text.slice(0, 300));
    assert.equal(res.json.code, 'json_too_deep');
    assert.match(res.json.detail, /128/);
    assert.deepEqual(await messageIds(), before);
    assert.equal((await api(herald.url, 'GET', '/api/v1/health')).status, 204);
  });

  test('deep arrays count too, on every route that takes JSON', async () => {
    const deepArray = '['.repeat(5000) + ']'.repeat(5000);
    for (const path of ['/api/v1/app', `/api/v1/app/${appId}/endpoint`, '/api/v1/event-type']) {
      const res = await api(herald.url, 'POST', path, `{"name":"x","url":"https://example.com","metadata":${deepArray}}`);
      assert.equal(res.status, 400, path);
      assert.equal(res.json.code, 'json_too_deep', path);
    }
  });

  test('exactly 128 levels is accepted; 129 is refused; brackets inside strings do not count', async () => {
    // The body object is level 1 and the payload level 2, so 126 more levels inside the payload make 128.
    const atLimit = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, `{"eventType":"deep","payload":${nested(127)}}`);
    assert.equal(atLimit.status, 202, atLimit.text.slice(0, 300));
    const over = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, `{"eventType":"deep","payload":${nested(128)}}`);
    assert.equal(over.status, 400);
    assert.equal(over.json.code, 'json_too_deep');
    const brackets = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'deep', payload: { s: '{['.repeat(1000) + '\\"{' } });
    assert.equal(brackets.status, 202, brackets.text.slice(0, 300));
  });
});

describe('encoding', () => {
  test('a body with invalid UTF-8 is a JSON 400 naming the problem, and stores nothing', async () => {
    const before = await messageIds();
    const prefix = Buffer.from('{"eventType":"utf8","payload":{"name":"caf');
    for (const bad of [[0xe9], [0xc3], [0xff, 0xfe], [0xed, 0xa0, 0x80] /* a UTF-16 surrogate, which UTF-8 may not encode */]) {
      const res = await postBytes(`/api/v1/app/${appId}/msg`, Buffer.concat([prefix, Buffer.from(bad), Buffer.from('"}}')]));
      assert.equal(res.status, 400, `bytes ${bad}`);
      assert.match(res.contentType, /application\/json/);
      assert.equal(res.json.code, 'invalid_utf8');
      assert.match(res.json.detail, /UTF-8/);
    }
    assert.deepEqual(await messageIds(), before);
  });

  test('valid UTF-8 (and a byte order mark) is kept exactly', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"eventType":"utf8","payload":{"name":"café 🦀"}}')]);
    const res = await postBytes(`/api/v1/app/${appId}/msg`, body);
    assert.equal(res.status, 202);
    assert.equal(res.json.payload.name, 'café 🦀');
  });
});

describe('escapes that are not text', () => {
  test('a lone surrogate escape is refused anywhere, a payload included; nothing is stored', async () => {
    const before = await messageIds();
    for (const body of ['{"name":"a\\ud800b"}', '{"name":"ok","metadata":{"\\udc00":"x"}}']) {
      const res = await api(herald.url, 'POST', '/api/v1/app', body);
      assert.equal(res.status, 400, body);
      assert.equal(res.json.code, 'invalid_unicode');
    }
    const msg = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, '{"eventType":"s","payload":{"k":"\\ud83e"}}');
    assert.equal(msg.status, 400);
    assert.equal(msg.json.code, 'invalid_unicode');
    assert.deepEqual(await messageIds(), before);
    // A pair of escapes is one character, and fine.
    const pair = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, '{"eventType":"s","payload":{"k":"\\ud83e\\udd80"}}');
    assert.equal(pair.status, 202, pair.text);
    assert.equal(pair.json.payload.k, '🦀');
  });

  test('NUL is refused outside a message payload (PostgreSQL text cannot hold it) and kept inside one', async () => {
    const apps = (await api(herald.url, 'GET', '/api/v1/app?limit=250')).json.data.length;
    for (const body of ['{"name":"a\\u0000b"}', '{"name":"ok","metadata":{"k":"\\u0000"}}']) {
      const res = await api(herald.url, 'POST', '/api/v1/app', body);
      assert.equal(res.status, 400, body);
      assert.equal(res.json.code, 'nul_character');
    }
    assert.equal((await api(herald.url, 'GET', '/api/v1/app?limit=250')).json.data.length, apps);
    const msg = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, '{"eventType":"s","payload":{"k":"a\\u0000b"}}');
    assert.equal(msg.status, 202, msg.text);
    assert.equal((await api(herald.url, 'GET', `/api/v1/app/${appId}/msg/${msg.json.id}`)).json.payload.k, 'a\u0000b');
  });

  test('an encoded NUL in the URL is a JSON 400', async () => {
    for (const path of [`/api/v1/app/${appId}/msg?tag=a%00b`, '/api/v1/app/a%00b', '/in/x%00?y=1']) {
      const res = await api(herald.url, 'GET', path);
      assert.equal(res.status, 400, path);
      assert.equal(res.json.code, 'nul_character', path);
    }
  });
});

test('payloadRetentionHours is at most 90 days (an unbounded one overflowed PostgreSQL bigint: a 500)', async () => {
  const over = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'keep', payload: {}, payloadRetentionHours: 2161 });
  assert.equal(over.status, 422, over.text);
  assert.deepEqual(over.json.detail[0].loc, ['body', 'payloadRetentionHours']);
  assert.equal((await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'keep', payload: {}, payloadRetentionHours: 2160 })).status, 202);
});

describe('iterators', () => {
  test('an iterator Herald never issued is a 422 on every list, not the first page', async () => {
    const ep = (await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: 'https://example.com/hook' })).json;
    const msg = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'it', payload: {} })).json;
    const source = (await api(herald.url, 'POST', '/api/v1/source', { name: 'cursor', verification: { type: 'none' } })).json;
    const lists = [
      '/api/v1/app', `/api/v1/app/${appId}/endpoint`, `/api/v1/app/${appId}/msg`, '/api/v1/event-type',
      `/api/v1/app/${appId}/attempt/endpoint/${ep.id}`, `/api/v1/app/${appId}/attempt/msg/${msg.id}`,
      `/api/v1/app/${appId}/endpoint/${ep.id}/msg`, `/api/v1/app/${appId}/msg/${msg.id}/endpoint`,
      '/api/v1/token', '/api/v1/audit-log', '/api/v1/source', '/api/v1/background-task', `/api/v1/source/${source.id}/request`,
    ];
    // A cursor of another list's kind is as foreign as garbage: an app id cannot continue a list of messages.
    for (const garbage of ['garbage', 'na%20me', '%FF%FE', 'msg_', '-', `${msg.id}x`, 'app_2a5Hm4z0Ew1H6p1YJ0Q4Q3hYb2X', 'zzz!!']) {
      for (const path of lists) {
        const res = await api(herald.url, 'GET', `${path}?iterator=${garbage}`);
        if (path === '/api/v1/app' && garbage.startsWith('app_')) continue;
        // Event types are listed by name, so any string that could be a name is a cursor that list could issue.
        if (path === '/api/v1/event-type' && /^-?[a-zA-Z0-9_.-]+$/.test(garbage)) continue;
        assert.equal(res.status, 422, `${path}?iterator=${garbage}: ${res.text.slice(0, 200)}`);
        assert.deepEqual(res.json.detail[0].loc, ['query', 'iterator'], path);
        assert.match(res.json.detail[0].msg, /iterator/, path);
      }
    }
  });

  test('the iterators Herald issues, forward and back, are still accepted', async () => {
    for (let i = 0; i < 3; i++) await api(herald.url, 'POST', '/api/v1/event-type', { name: `it.page.${i}`, description: 'x' });
    for (const path of ['/api/v1/app', `/api/v1/app/${appId}/msg`, '/api/v1/event-type', '/api/v1/audit-log']) {
      const first = await api(herald.url, 'GET', `${path}?limit=1`);
      assert.equal(first.status, 200, path);
      const second = await api(herald.url, 'GET', `${path}?limit=1&iterator=${encodeURIComponent(first.json.iterator)}`);
      assert.equal(second.status, 200, path);
      const back = await api(herald.url, 'GET', `${path}?limit=1&iterator=${encodeURIComponent(second.json.prevIterator)}`);
      assert.equal(back.status, 200, path);
      assert.deepEqual(back.json.data, first.json.data, path);
    }
  });

  test("the operational webhooks' own application (a fixed id) can be a page edge, and its iterators are honoured", async () => {
    // Creating an operational endpoint creates that application; newest first, it is the first row.
    await api(herald.url, 'POST', '/api/v1/operational-webhook/endpoint', { url: 'https://example.com/ops' });
    const first = await api(herald.url, 'GET', '/api/v1/app?order=descending&limit=1');
    assert.equal(first.status, 200);
    for (const iterator of [first.json.iterator, first.json.prevIterator]) {
      const next = await api(herald.url, 'GET', `/api/v1/app?order=descending&limit=1&iterator=${encodeURIComponent(iterator)}`);
      assert.equal(next.status, 200, `${iterator}: ${next.text}`);
    }
  });

  test('a source replay with a foreign iterator is a 422 and replays nothing', async () => {
    const source = (await api(herald.url, 'POST', '/api/v1/source', { name: 'replay-it', verification: { type: 'none' } })).json;
    assert.ok(source.id, JSON.stringify(source));
    const res = await api(herald.url, 'POST', `/api/v1/source/${source.id}/replay`, { since: '2020-01-01T00:00:00Z', iterator: 'garbage' });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.json.detail[0].loc, ['body', 'iterator']);
  });
});

describe('requests the HTTP parser refuses', () => {
  test('headers over the size limit: 431 in Herald\'s JSON error shape', async () => {
    const oversized: [string, Record<string, string>][] = [['/api/v1/app', { 'x-big': 'h'.repeat(20_000) }], [`/api/v1/app?tag=${'q'.repeat(20_000)}`, {}]];
    for (const [path, headers] of oversized) {
      const res = await api(herald.url, 'GET', path, undefined, headers);
      assert.equal(res.status, 431);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(res.json.code, 'headers_too_large');
      assert.match(res.json.detail, /HERALD_MAX_HEADER_SIZE/);
    }
  });

  test('malformed HTTP: 400 in Herald\'s JSON error shape', async () => {
    const { answer } = await rawExchange(herald.url, (socket) => socket.write('POST /api/v1/app HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'));
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /content-type: application\/json/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    assert.equal(body.code, 'bad_request');
    assert.equal(typeof body.detail, 'string');
    assert.equal((await api(herald.url, 'GET', '/api/v1/health')).status, 204);
  });
});
