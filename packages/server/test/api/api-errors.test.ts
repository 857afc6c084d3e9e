import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestServer } from '../helpers/test-server.ts';

let appId: string;
const server = useTestServer({}, async () => {
  appId = (await server.call('POST', '/api/v1/app', { name: 'errors', uid: 'errors-app' })).json.id;
});

const messageCount = async () => (await server.call('GET', `/api/v1/app/${appId}/msg?limit=250`)).json.data.length as number;

test('401 without a valid bearer token, as JSON', async () => {
  for (const headers of [{ authorization: '' }, { authorization: 'Bearer nope-not-the-token' }, { authorization: 'Basic abc' }]) {
    const res = await server.call('GET', '/api/v1/app', undefined, headers);
    assert.equal(res.status, 401);
    assert.equal(res.json.code, 'authentication_failed');
    assert.equal(typeof res.json.detail, 'string');
  }
  assert.equal((await server.call('GET', '/api/v1/health', undefined, { authorization: '' })).status, 204, 'health needs no token');
});

test('request bodies over 1 MiB get 413 JSON and store nothing', async () => {
  const before = await messageCount();
  const res = await server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'big', payload: { blob: 'x'.repeat(1024 * 1024) } });
  assert.equal(res.status, 413);
  assert.equal(res.json.code, 'payload_too_large');
  assert.equal(await messageCount(), before);
});

test('malformed JSON, wrong content type and unknown routes are JSON 4xx', async () => {
  const broken = await server.call('POST', '/api/v1/app', '{"name": ');
  assert.equal(broken.status, 400);
  assert.equal(broken.json.code, 'bad_request');
  assert.match(broken.json.detail, /not valid JSON/);
  const text = await server.call('POST', '/api/v1/app', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(text.status, 415);
  assert.equal(text.json.code, 'unsupported_media_type');
  const missing = await server.call('GET', '/api/v1/nothing-here');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.code, 'not_found');
  const noApp = await server.call('GET', '/api/v1/app/app_doesnotexist/msg');
  assert.equal(noApp.status, 404);
  assert.deepEqual(Object.keys(noApp.json).sort(), ['code', 'detail']);
});

test('422 carries Svix validation details and nothing is stored', async () => {
  const before = await messageCount();
  const cases: [unknown, string[]][] = [
    [{ payload: {} }, ['body', 'eventType']],
    [{ eventType: 'bad type!', payload: {} }, ['body', 'eventType']],
    [{ eventType: 'ok', payload: 'not an object' }, ['body', 'payload']],
    [{ eventType: 'ok', payload: {}, channels: ['a', 'a'] }, ['body', 'channels']],
    [{ eventType: 'ok', payload: {}, eventId: 'msg_looks_like_an_id' }, ['body', 'eventId']],
  ];
  for (const [body, loc] of cases) {
    const res = await server.call('POST', `/api/v1/app/${appId}/msg`, body);
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.ok(Array.isArray(res.json.detail), res.text);
    const item = res.json.detail[0];
    assert.deepEqual(item.loc.slice(0, loc.length), loc, res.text);
    assert.equal(typeof item.msg, 'string');
    assert.equal(typeof item.type, 'string');
  }
  assert.equal(await messageCount(), before);
  const badLimit = await server.call('GET', '/api/v1/app?limit=abc');
  assert.equal(badLimit.status, 422);
  assert.deepEqual(badLimit.json.detail[0].loc, ['query', 'limit']);
});

test('a nullable field holding neither gets one 422 item: what is wrong with it, not "must be null"', async () => {
  const bad = await server.call('POST', '/api/v1/app', { name: 'Nullable', uid: 'not a uid!' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.detail.length, 1, bad.text);
  assert.deepEqual(bad.json.detail[0].loc, ['body', 'uid']);
  assert.match(bad.json.detail[0].msg, /pattern/);
  const wrongType = await server.call('POST', '/api/v1/app', { name: 'Nullable', uid: 5 });
  assert.deepEqual(wrongType.json.detail.map((d: { msg: string }) => d.msg), ['must be string'], wrongType.text);
  const apps = (await server.call('GET', '/api/v1/app?limit=250')).json.data as { name: string }[];
  assert.ok(!apps.some((a) => a.name === 'Nullable'), 'nothing stored');
});

test('a rejected update leaves the stored endpoint as it was', async () => {
  const ep = (await server.call('POST', `/api/v1/app/${appId}/endpoint`, { url: 'https://example.com/hook', uid: 'keep-me' })).json;
  for (const patch of [{ url: 'ftp://example.com' }, { url: 'not a url' }, { eventTypes: [] }, { uid: 'ep_fake' }, { disabled: 'yes' }]) {
    const res = await server.call('PATCH', `/api/v1/app/${appId}/endpoint/${ep.id}`, patch);
    assert.equal(res.status, 422, `${JSON.stringify(patch)}: ${res.text}`);
  }
  const headers = await server.call('PUT', `/api/v1/app/${appId}/endpoint/${ep.id}/headers`, { headers: { 'webhook-signature': 'forged' } });
  assert.equal(headers.status, 422);
  const now = (await server.call('GET', `/api/v1/app/${appId}/endpoint/${ep.id}`)).json;
  assert.deepEqual(now, ep);
});

test('an idempotency key returns the first response again and stores one message', async () => {
  const before = await messageCount();
  const headers = { 'idempotency-key': 'order-42-created' };
  const first = await server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'order.created', payload: { id: 42 } }, headers);
  const second = await server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'order.created', payload: { id: 42 } }, headers);
  assert.equal(first.status, 202);
  assert.equal(second.status, 202);
  assert.equal(second.text, first.text);
  assert.equal(await messageCount(), before + 1);
  const concurrent = await Promise.all(
    Array.from({ length: 5 }, () => server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'race', payload: {} }, { 'idempotency-key': 'race-1' })),
  );
  const ids = new Set(concurrent.filter((r) => r.status === 202).map((r) => r.json.id));
  assert.equal(ids.size, 1, 'concurrent repeats never create a second message');
  for (const r of concurrent) assert.ok(r.status === 202 || r.status === 409, `${r.status} ${r.text}`);
  assert.equal(await messageCount(), before + 2);
});

test('eventId de-duplicates: a second message with the same eventId is refused with 409', async () => {
  const first = await server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'a', payload: {}, eventId: 'evt-1' });
  assert.equal(first.status, 202);
  const again = await server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'a', payload: {}, eventId: 'evt-1' });
  assert.equal(again.status, 409);
  assert.equal(again.json.code, 'conflict');
  const byEventId = await server.call('GET', `/api/v1/app/${appId}/msg/evt-1`);
  assert.equal(byEventId.json.id, first.json.id);
});
