import assert from 'node:assert/strict';
import { test } from 'node:test';
import ipaddr from 'ipaddr.js';
import { nonGlobalRange } from '../../src/delivery/guard.ts';
import { HttpTransport } from '../../src/delivery/transports/http.ts';
import { api, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';

/** A signed POST as an attempt hands it over: JSON, the attempt deadline of these tests (2 s). */
const post = (http: HttpTransport, url: string, body: string) => http.send({
  url, headers: { 'content-type': 'application/json' }, body, timeoutMs: 2000,
  attempt: { appId: 'app_guard', messageId: 'msg_guard', endpointId: 'ep_guard', eventType: 'guard', number: 1 },
});

test('address classes: only global unicast passes', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1',
    '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:7f00:1::']) {
    assert.notEqual(nonGlobalRange(a), null, `${a} must be refused`);
  }
  for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(nonGlobalRange(a), null, `${a} is public`);
});

test('odd spellings of loopback are refused on the socket, never connected to', async () => {
  const receiver = await Receiver.start();
  const port = new URL(receiver.url()).port;
  const sender = new HttpTransport(2000, { allowPrivate: false });
  try {
    const spellings = [`http://127.0.0.1:${port}/`, `http://2130706433:${port}/`, `http://0x7f.1:${port}/`, `http://0177.0.0.1:${port}/`,
      `http://127.1:${port}/`, `http://[::1]:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://localhost:${port}/`, `http://0.0.0.0:${port}/`];
    for (const url of spellings) {
      const result = await post(sender, url, '{}');
      assert.equal(result.statusCode, null, url);
      assert.match(result.body, /refused to deliver to .*(loopback|unspecified)/, `${url}: ${result.body}`);
    }
    assert.equal(receiver.received.length, 0, 'nothing reached the receiver');
  } finally {
    await sender.close();
    await receiver.close();
  }
});

test('with private targets allowed, the same receiver is reached', async () => {
  const receiver = await Receiver.start();
  const sender = new HttpTransport(2000, { allowPrivate: true });
  try {
    const result = await post(sender, receiver.url(), '{"a":1}');
    assert.equal(result.statusCode, 200);
    assert.equal(receiver.received[0]?.body.toString(), '{"a":1}');
  } finally {
    await sender.close();
    await receiver.close();
  }
});

test('HERALD_ALLOW_PRIVATE_CIDRS: listed private ranges are reachable, other private addresses still refused', async () => {
  const cidr = (text: string) => ipaddr.parseCIDR(text);
  assert.equal(nonGlobalRange('10.1.2.3', [cidr('10.0.0.0/8')]), null);
  assert.equal(nonGlobalRange('::ffff:10.1.2.3', [cidr('10.0.0.0/8')]), null, 'IPv4-mapped IPv6 is matched as IPv4');
  assert.equal(nonGlobalRange('10.1.2.3', [cidr('192.168.0.0/16')]), 'private');
  assert.equal(nonGlobalRange('fd00::1', [cidr('fd00::/8')]), null);
  assert.equal(nonGlobalRange('fd00::1', [cidr('10.0.0.0/8')]), 'uniqueLocal', 'an IPv4 range does not allow IPv6 addresses');

  const receiver = await Receiver.start();
  const port = new URL(receiver.url()).port;
  const sender = new HttpTransport(2000, { allowPrivate: false, allowCidrs: ['127.0.0.1/32'] });
  try {
    const allowed = await post(sender, `http://127.0.0.1:${port}/allowed`, '{}');
    assert.equal(allowed.statusCode, 200, allowed.body);
    const refused = await post(sender, `http://[::1]:${port}/refused`, '{}');
    assert.equal(refused.statusCode, null);
    assert.match(refused.body, /refused to deliver to ::1: it is a loopback address.*HERALD_ALLOW_PRIVATE_CIDRS/);
    assert.deepEqual(receiver.received.map((r) => r.path), ['/allowed']);
  } finally {
    await sender.close();
    await receiver.close();
  }
});

test('HERALD_ENDPOINT_HTTPS_ONLY: the API refuses http:// endpoints, and an older http:// endpoint is not sent to', async () => {
  const sender = new HttpTransport(2000, { allowPrivate: true, httpsOnly: true });
  const herald = await startTestHerald({ HERALD_ENDPOINT_HTTPS_ONLY: 'true' });
  try {
    const result = await post(sender, 'http://127.0.0.1:9/hook', '{}');
    assert.equal(result.statusCode, null);
    assert.match(result.body, /HERALD_ENDPOINT_HTTPS_ONLY allows https:\/\/ endpoints only/);
    const app = await api(herald.url, 'POST', '/api/v1/app', { name: 'https-only' });
    const plain = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: 'http://example.com/hook' });
    assert.equal(plain.status, 422);
    assert.match(plain.json.detail[0].msg, /must be an https URL/);
    const secure = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: 'https://example.com/hook' });
    assert.equal(secure.status, 201);
    const patched = await api(herald.url, 'PATCH', `/api/v1/app/${app.json.id}/endpoint/${secure.json.id}`, { url: 'http://example.com/hook' });
    assert.equal(patched.status, 422);
  } finally {
    await sender.close();
    await herald.cleanup();
  }
});

test('an endpoint at a private literal address or localhost is refused when saved (POST, PUT, PATCH), naming the setting', async () => {
  const herald = await startTestHerald({ HERALD_ALLOW_PRIVATE_TARGETS: 'false', HERALD_ALLOW_PRIVATE_CIDRS: '10.0.0.0/8' });
  try {
    const app = (await api(herald.url, 'POST', '/api/v1/app', { name: 'private targets' })).json;
    const base = `/api/v1/app/${app.id}/endpoint`;
    const refused = [
      ['http://127.0.0.1:3000/hooks', '127.0.0.1 is a loopback address'],
      ['http://0x7f.1/hooks', '127.0.0.1 is a loopback address'],
      ['http://[::1]:3000/', '::1 is a loopback address'],
      ['http://[::ffff:127.0.0.1]/', 'is a loopback address'],
      ['http://localhost:3000/hooks', 'localhost is a loopback name'],
      ['http://LocalHost./hooks', 'localhost is a loopback name'],
      ['http://api.localhost/hooks', 'api.localhost is a loopback name'],
      ['http://192.168.1.20/hooks', '192.168.1.20 is a private address'],
      ['http://169.254.169.254/latest/meta-data', '169.254.169.254 is a linkLocal address'],
      ['http://0.0.0.0:8080/', '0.0.0.0 is an unspecified address'],
    ] as const;
    for (const [url, reason] of refused) {
      const res = await api(herald.url, 'POST', base, { url });
      assert.equal(res.status, 422, `${url}: ${res.text}`);
      assert.deepEqual(res.json.detail[0].loc, ['body', 'url']);
      assert.ok(res.json.detail[0].msg.includes(reason), `${url}: ${res.json.detail[0].msg}`);
      assert.match(res.json.detail[0].msg, /HERALD_ALLOW_PRIVATE_TARGETS=true/);
    }
    // Public literals, names (checked at delivery, once resolved) and the listed private range are accepted.
    for (const url of ['https://example.com/hooks', 'http://93.184.216.34/hooks', 'http://hooks.internal.example/x', 'http://10.1.2.3/hooks']) {
      assert.equal((await api(herald.url, 'POST', base, { url })).status, 201, url);
    }
    const put = await api(herald.url, 'PUT', `${base}/fresh`, { url: 'http://localhost/x' });
    assert.equal(put.status, 422, put.text);
    const created = (await api(herald.url, 'POST', base, { url: 'https://example.com/kept', uid: 'kept' })).json;
    const patched = await api(herald.url, 'PATCH', `${base}/kept`, { url: 'http://127.0.0.1/x' });
    assert.equal(patched.status, 422, patched.text);
    const replaced = await api(herald.url, 'PUT', `${base}/kept`, { url: 'http://[::1]/x' });
    assert.equal(replaced.status, 422, replaced.text);
    const opWebhook = await api(herald.url, 'POST', '/api/v1/operational-webhook/endpoint', { url: 'http://127.0.0.1/ops' });
    assert.equal(opWebhook.status, 422, opWebhook.text);

    assert.equal((await api(herald.url, 'GET', `${base}/kept`)).json.url, created.url, 'nothing changed');
    const urls = (await api(herald.url, 'GET', `${base}?limit=250`)).json.data.map((e: { url: string }) => e.url);
    assert.equal(urls.length, 5, `only the accepted ones are stored: ${urls}`);
  } finally {
    await herald.cleanup();
  }
});

test('with HERALD_ALLOW_PRIVATE_TARGETS=true, local targets are accepted when saved', async () => {
  const herald = await startTestHerald({ HERALD_ALLOW_PRIVATE_TARGETS: 'true' });
  try {
    const app = (await api(herald.url, 'POST', '/api/v1/app', { name: 'local dev' })).json;
    for (const url of ['http://127.0.0.1:3000/hooks', 'http://localhost:3000/hooks', 'http://[::1]/x']) {
      assert.equal((await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint`, { url })).status, 201, url);
    }
  } finally {
    await herald.cleanup();
  }
});
