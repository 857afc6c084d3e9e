/**
 * The inbound gateway end to end, against a real server and real receivers: providers' signed requests come in at
 * /in/{source}, are verified on their raw bytes, stored, answered, and forwarded by the delivery engine to the
 * destinations as they came.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ADMIN_TOKEN, api, deliveriesSettled, startTestHerald, tempDir } from '../helpers/herald.ts';
import { startCli } from '../helpers/cli-process.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;

const GITHUB_SECRET = "It's a Secret to Everybody";
const SHOPIFY_SECRET = 'shpss_0123456789abcdef';
const DESTINATION_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function githubRequest(event: string, body: string, delivery: string, secret = GITHUB_SECRET) {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/abc123',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
}

async function post(herald: Herald, path: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(herald.url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('inbound gateway', () => {
  let herald: Herald;
  let receiver: Receiver;
  let appId = '';
  before(async () => {
    receiver = await Receiver.start();
    herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1' });
    const source = await api(herald.url, 'POST', '/api/v1/source', {
      name: 'GitHub', uid: 'github', verification: { type: 'github', secret: GITHUB_SECRET },
      response: { status: 202, body: '{"received":true}', contentType: 'application/json' },
    });
    assert.equal(source.status, 201, source.text);
    assert.equal(source.json.ingestPath, '/in/github');
    assert.ok(!source.text.includes(GITHUB_SECRET), 'the secret is never shown');
    appId = source.json.appId;
    // The CI/CD case: only pushes to main reach the deploy service; every event reaches the audit trail.
    const deploy = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, {
      url: receiver.url('/deploy'), uid: 'deploy', filterTypes: ['push'], filter: { body: { ref: 'refs/heads/main' } },
    });
    assert.equal(deploy.status, 201, deploy.text);
    await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/all'), uid: 'all' });
  });
  after(async () => {
    await herald.cleanup();
    await receiver.close();
  });

  it('a signed push is answered at once, stored, and forwarded byte for byte with its headers', async () => {
    const body = '{"ref":"refs/heads/main","after":"9f3c","repository":{"full_name":"acme/api"},  "note":"spacing kept"}';
    const res = await post(herald, '/in/github', body, githubRequest('push', body, 'delivery-1'));
    assert.equal(res.status, 202);
    assert.equal(res.text, '{"received":true}');
    await receiver.waitFor(() => receiver.on('/deploy').length === 1 && receiver.on('/all').length === 1);
    const got = receiver.on('/deploy')[0]!;
    assert.equal(got.body.toString(), body);
    assert.equal(got.headers['x-github-event'], 'push');
    assert.equal(got.headers['x-github-delivery'], 'delivery-1');
    assert.equal(got.headers['x-hub-signature-256'], githubRequest('push', body, 'delivery-1')['x-hub-signature-256']);
    assert.equal(got.headers['user-agent'], 'GitHub-Hookshot/abc123');
    assert.equal(got.headers['webhook-signature'], undefined, 'not re-signed unless the source asks');

    const list = await api(herald.url, 'GET', '/api/v1/source/github/request');
    const stored = list.json.data[0];
    assert.equal(stored.status, 'accepted');
    assert.equal(stored.body, body);
    assert.equal(stored.providerId, 'delivery-1');
    assert.equal(stored.eventType, 'push');
    assert.equal(stored.headers['x-github-event'], 'push');
    assert.match(stored.messageId, /^msg_/);
    // The forwarding is an ordinary message of the source's application: its attempts are in the log.
    await until('both attempts in the log', async () =>
      (await api(herald.url, 'GET', `/api/v1/app/${appId}/attempt/msg/${stored.messageId}`)).json.data.length === 2);
  });

  it('only matching events reach a filtered destination', async () => {
    const before = receiver.on('/deploy').length;
    const branch = '{"ref":"refs/heads/feature","after":"1"}';
    await post(herald, '/in/github', branch, githubRequest('push', branch, 'delivery-2'));
    const issue = '{"action":"opened","ref":"refs/heads/main"}';
    await post(herald, '/in/github', issue, githubRequest('issues', issue, 'delivery-3'));
    await receiver.waitFor(() => receiver.on('/all').length >= 3);
    assert.equal(receiver.on('/deploy').length, before);
  });

  it('forged, tampered and unsigned requests get 401, are kept with the reason, and go nowhere', async () => {
    const count = receiver.received.length;
    const body = '{"ref":"refs/heads/main"}';
    const forged = await post(herald, '/in/github', body, githubRequest('push', body, 'delivery-4', 'wrong secret'));
    assert.equal(forged.status, 401);
    assert.deepEqual(JSON.parse(forged.text), { code: 'verification_failed', detail: 'The request could not be verified' });
    const tampered = await post(herald, '/in/github', body.replace('main', 'mainx'), githubRequest('push', body, 'delivery-5'));
    assert.equal(tampered.status, 401);
    const unsigned = await post(herald, '/in/github', body, { 'content-type': 'application/json', 'x-github-event': 'push' });
    assert.equal(unsigned.status, 401);
    const rejected = await api(herald.url, 'GET', '/api/v1/source/github/request?status=rejected');
    assert.equal(rejected.json.data.length, 3);
    for (const r of rejected.json.data) {
      assert.ok(r.reason, 'each says why');
      assert.ok(!r.reason.includes(GITHUB_SECRET));
      assert.equal(r.messageId, null);
    }
    await deliveriesSettled(herald);
    assert.equal(receiver.received.length, count);
    const replay = await api(herald.url, 'POST', `/api/v1/source/github/request/${rejected.json.data[0].id}/replay`);
    assert.equal(replay.status, 409, 'a forged request is never forwarded, not even by replay');

    // Anyone can send to the URL: of a rejected request only the first 64 KiB are kept.
    const big = JSON.stringify({ ref: 'refs/heads/main', filler: 'x'.repeat(200_000) });
    assert.equal((await post(herald, '/in/github', big, githubRequest('push', '{}', 'delivery-big'))).status, 401);
    const kept = (await api(herald.url, 'GET', '/api/v1/source/github/request?status=rejected&limit=1')).json.data[0];
    assert.equal(kept.body.length, 64 * 1024);
    assert.match(kept.reason, /body cut to its first 64 KiB/);
    // Bodies over HERALD_INBOUND_MAX_BODY (5 MiB by default) are refused before anything is read into memory.
    const huge = await post(herald, '/in/github', 'x'.repeat(5 * 1024 * 1024 + 1), { 'content-type': 'application/json' });
    assert.equal(huge.status, 413);
    assert.match(huge.text, /larger than 5242880 bytes/);
  });

  it("a provider's redelivery (same X-GitHub-Delivery) is answered but forwarded once", async () => {
    const body = '{"ref":"refs/heads/main","after":"dup"}';
    const first = receiver.on('/all').length;
    await post(herald, '/in/github', body, githubRequest('push', body, 'delivery-dup'));
    const again = await post(herald, '/in/github', body, githubRequest('push', body, 'delivery-dup'));
    assert.equal(again.status, 202);
    await receiver.waitFor(() => receiver.on('/all').length >= first + 1);
    await deliveriesSettled(herald);
    assert.equal(receiver.on('/all').length, first + 1);
    const duplicates = await api(herald.url, 'GET', '/api/v1/source/github/request?status=duplicate');
    assert.equal(duplicates.json.data.length, 1);
    assert.match(duplicates.json.data[0].reason, /^duplicate of inreq_/);
  });

  it("GitHub's ping is answered and not forwarded; an unknown source is 404", async () => {
    const count = receiver.received.length;
    const body = '{"zen":"Keep it logically awesome.","hook_id":1}';
    const ping = await post(herald, '/in/github', body, githubRequest('ping', body, 'delivery-ping'));
    assert.equal(ping.status, 202);
    const handshakes = await api(herald.url, 'GET', '/api/v1/source/github/request?status=handshake');
    assert.equal(handshakes.json.data.length, 1);
    assert.equal((await post(herald, '/in/nope', '{}', { 'content-type': 'application/json' })).status, 404);
    await deliveriesSettled(herald);
    assert.equal(receiver.received.length, count);
  });

  it('a destination that is down receives everything once it is back', async () => {
    const down = await Receiver.start();
    // 500, not 503: an overloaded receiver (503) is given at least a minute, longer than a test should wait.
    down.responder = (_req, res) => res.writeHead(500).end('down for maintenance');
    const ep = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: down.url('/flaky'), uid: 'flaky' });
    try {
      const bodies = [0, 1, 2, 3, 4].map((i) => `{"ref":"refs/heads/main","after":"outage-${i}"}`);
      for (const [i, body] of bodies.entries()) {
        assert.equal((await post(herald, '/in/github', body, githubRequest('push', body, `outage-${i}`))).status, 202);
      }
      await down.waitFor((all) => all.length >= 5, 10_000, 'the first attempts');
      down.responder = (_req, res) => res.writeHead(200).end('ok');
      await down.waitFor((all) => new Set(all.filter((r) => r.body.toString().includes('outage')).map((r) => r.body.toString())).size === 5 &&
        all.filter((r) => r.body.toString().includes('outage')).length >= 10, 20_000, 'every request after the outage');
      const received = new Set(down.received.map((r) => r.body.toString()));
      for (const body of bodies) assert.ok(received.has(body), `${body} arrived`);
    } finally {
      await api(herald.url, 'DELETE', `/api/v1/app/${appId}/endpoint/${ep.json.id}`);
      await down.close();
    }
  });

  it('herald listen --source forwards to a laptop as the provider sent it, and herald tail --source shows the attempts', async () => {
    const env = { HERALD_URL: herald.url, HERALD_TOKEN: ADMIN_TOKEN, XDG_CONFIG_HOME: tempDir('herald-cli-home-') };
    const listen = startCli(['listen', '--source', 'github', '--forward-to', receiver.url('/laptop'), '--name', 'laptop', '--events', 'push'], env);
    const tail = startCli(['tail', '--source', 'github', '--json'], env);
    try {
      await listen.waitFor('stderr', /ready: forwarding webhooks of app_\w+/);
      await tail.waitFor('stderr', /watching attempts/);
      const body = '{"ref":"refs/heads/main","after":"laptop"}';
      await post(herald, '/in/github', body, githubRequest('push', body, 'delivery-laptop'));
      await receiver.waitFor(() => receiver.on('/laptop').length === 1);
      const got = receiver.on('/laptop')[0]!;
      assert.equal(got.body.toString(), body);
      assert.equal(got.headers['x-github-event'], 'push');
      assert.equal(got.headers['x-github-delivery'], 'delivery-laptop');
      await tail.waitFor('stdout', /"statusCode":200|"responseStatusCode":200/);
    } finally {
      listen.child.kill('SIGINT');
      tail.child.kill('SIGINT');
      await api(herald.url, 'DELETE', `/api/v1/app/${appId}/endpoint/listen-laptop`);
    }
  });

  it('replays one stored request, or a time range, to the destinations as new messages', async () => {
    const since = new Date().toISOString();
    const body = '{"ref":"refs/heads/main","after":"replay-me"}';
    await post(herald, '/in/github', body, githubRequest('push', body, 'delivery-replay'));
    await receiver.waitFor(() => receiver.on('/deploy').some((r) => r.body.toString() === body));
    const stored = (await api(herald.url, 'GET', '/api/v1/source/github/request?status=accepted&limit=1')).json.data[0];
    const one = await api(herald.url, 'POST', `/api/v1/source/github/request/${stored.id}/replay`);
    assert.equal(one.status, 202);
    assert.notEqual(one.json.messageId, stored.messageId);
    await receiver.waitFor(() => receiver.on('/deploy').filter((r) => r.body.toString() === body).length === 2);
    const range = await api(herald.url, 'POST', '/api/v1/source/github/replay', { since });
    assert.deepEqual(range.json, { replayed: 1, iterator: null, done: true });
    await receiver.waitFor(() => receiver.on('/deploy').filter((r) => r.body.toString() === body).length === 3);
  });
});

describe('inbound gateway: other schemes and modes', () => {
  let herald: Herald;
  let receiver: Receiver;
  before(async () => {
    receiver = await Receiver.start();
    herald = await startTestHerald();
  });
  after(async () => {
    await herald.cleanup();
    await receiver.close();
  });

  it("answers Slack's url_verification challenge once the request is verified", async () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    await api(herald.url, 'POST', '/api/v1/source', { name: 'Slack', uid: 'slack', verification: { type: 'slack', secret } });
    const body = '{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const res = await post(herald, '/in/slack', body, { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    const old = String(Math.floor(Date.now() / 1000) - 600);
    const replayed = `v0=${createHmac('sha256', secret).update(`v0:${old}:${body}`).digest('hex')}`;
    const stale = await post(herald, '/in/slack', body, { 'content-type': 'application/json', 'x-slack-request-timestamp': old, 'x-slack-signature': replayed });
    assert.equal(stale.status, 401, 'a replayed request (old timestamp) is refused');
  });

  it('inspect mode captures whatever arrives, answers, and forwards nothing', async () => {
    const source = await api(herald.url, 'POST', '/api/v1/source', { name: 'What does it send?', verification: { type: 'none' }, inspect: true });
    await api(herald.url, 'POST', `/api/v1/app/${source.json.appId}/endpoint`, { url: receiver.url('/never') });
    const form = 'payload=%7B%22a%22%3A1%7D&x=y';
    const res = await post(herald, `${source.json.ingestPath}?from=test`, form, { 'content-type': 'application/x-www-form-urlencoded', 'x-custom': 'one' });
    assert.equal(res.status, 200);
    const binary = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
    await post(herald, source.json.ingestPath, binary, { 'content-type': 'application/octet-stream' });
    const list = await api(herald.url, 'GET', `/api/v1/source/${source.json.id}/request`);
    const [bin, text] = list.json.data;
    assert.equal(text.status, 'inspected');
    assert.equal(text.body, form);
    assert.equal(text.query, 'from=test');
    assert.equal(text.headers['x-custom'], 'one');
    assert.equal(bin.bodyEncoding, 'base64');
    assert.deepEqual(Buffer.from(bin.body, 'base64'), binary);
    await deliveriesSettled(herald, source.json.appId);
    assert.equal(receiver.on('/never').length, 0);

    // herald tail --source shows captures as they arrive, though an inspecting source makes no attempts.
    const env = { HERALD_URL: herald.url, HERALD_TOKEN: ADMIN_TOKEN, XDG_CONFIG_HOME: tempDir('herald-cli-home-') };
    const tail = startCli(['tail', '--source', source.json.id, '--json'], env);
    try {
      await tail.waitFor('stderr', /watching attempts/);
      // Received requests are followed apart from the attempts, from the newest one stored when that starts: send
      // until one sent after that shows (each poll is a second apart).
      await until('herald tail --source to show a request sent after it started', async () => {
        await post(herald, source.json.ingestPath, '{"hello":"inspector"}', { 'content-type': 'application/json' });
        return tail.waitFor('stdout', /"kind":"request".*"status":"inspected"/, 2_500).then(() => true, () => false);
      }, 15_000);
      assert.doesNotMatch(tail.stdout(), /deadbeef|payload=/, 'only what arrived after it started');
    } finally {
      tail.child.kill('SIGINT');
    }
  });

  it('a request captured in inspect mode that failed verification is never forwarded, not even by replay', async () => {
    const source = await api(herald.url, 'POST', '/api/v1/source', {
      name: 'GitHub trial', uid: 'gh-trial', inspect: true, verification: { type: 'github', secret: GITHUB_SECRET },
    });
    await api(herald.url, 'POST', `/api/v1/app/${source.json.appId}/endpoint`, { url: receiver.url('/trial') });
    const body = '{"ref":"refs/heads/main"}';
    assert.equal((await post(herald, '/in/gh-trial', body, githubRequest('push', body, 'trial-1', 'not the secret'))).status, 200);
    assert.equal((await post(herald, '/in/gh-trial', body, githubRequest('push', body, 'trial-2'))).status, 200);
    const [genuine, forged] = (await api(herald.url, 'GET', '/api/v1/source/gh-trial/request')).json.data;
    assert.match(forged.reason, /signature/);
    assert.equal(genuine.reason, null);
    await api(herald.url, 'PATCH', '/api/v1/source/gh-trial', { inspect: false });
    assert.equal((await api(herald.url, 'POST', `/api/v1/source/gh-trial/request/${forged.id}/replay`)).status, 409);
    assert.equal((await api(herald.url, 'POST', `/api/v1/source/gh-trial/request/${genuine.id}/replay`)).status, 202);
    await receiver.waitFor(() => receiver.on('/trial').length === 1);
    await deliveriesSettled(herald, source.json.appId);
    assert.equal(receiver.on('/trial').length, 1);
  });

  it('re-signs forwarded requests with Herald\'s Standard Webhooks signature when asked', async () => {
    const source = await api(herald.url, 'POST', '/api/v1/source', {
      name: 'Shopify', uid: 'shopify', verification: { type: 'shopify', secret: SHOPIFY_SECRET }, signForwarded: true,
    });
    await api(herald.url, 'POST', `/api/v1/app/${source.json.appId}/endpoint`, { url: receiver.url('/orders'), secret: DESTINATION_SECRET });
    const body = '{"id":1}';
    const res = await post(herald, '/in/shopify', body, {
      'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'shop-1',
      'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(body).digest('base64'),
    });
    assert.equal(res.status, 200);
    await receiver.waitFor(() => receiver.on('/orders').length === 1);
    const got = receiver.on('/orders')[0]!;
    assert.equal(got.body.toString(), body);
    assert.equal(got.headers['x-shopify-topic'], 'orders/create');
    new Webhook(DESTINATION_SECRET).verify(got.body.toString(), got.headers as Record<string, string>);
  });

  it('bad source definitions are refused with 422 and nothing is stored', async () => {
    const before = (await api(herald.url, 'GET', '/api/v1/source')).json.data.length;
    for (const body of [
      { name: 'x', verification: { type: 'github' } },
      { name: 'x', verification: { type: 'rot13', secret: 'abc' } },
      { name: 'x', verification: { type: 'none' }, response: { status: 500 } },
      { name: 'x', uid: 'src_looks_like_an_id', verification: { type: 'none' } },
    ]) {
      const res = await api(herald.url, 'POST', '/api/v1/source', body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.text}`);
    }
    assert.equal((await api(herald.url, 'GET', '/api/v1/source')).json.data.length, before);
  });
});

describe('inbound gateway: source definitions', () => {
  it('a mistake in a verification scheme gets one precise message', async () => {
    const herald = await startTestHerald();
    try {
      const cases: [unknown, string[], RegExp][] = [
        [{ type: 'github' }, ['body', 'verification', 'secret'], /required/],
        [{ type: 'stripe', secret: 'whsec_0123456789abcdef', tolerance: 5 }, ['body', 'verification'], /has no field "tolerance" for type stripe/],
        [{ type: 'hmac', secret: '0123456789abcdef0123', header: 'x-sig', algorithm: 'md5', encoding: 'hex' }, ['body', 'verification', 'algorithm'], /./],
        [{ type: 'standard-webhooks', secret: 'whsec_tooshort' }, ['body', 'verification', 'secret'], /whsec_/],
      ];
      for (const [verification, loc, message] of cases) {
        const res = await api(herald.url, 'POST', '/api/v1/source', { name: 'x', verification });
        assert.equal(res.status, 422, res.text);
        assert.equal(res.json.detail.length, 1, res.text);
        assert.deepEqual(res.json.detail[0].loc, loc, res.text);
        assert.match(res.json.detail[0].msg, message);
      }
      const patched = await api(herald.url, 'POST', '/api/v1/source', { name: 'ok', uid: 'ok', verification: { type: 'none' } });
      assert.equal((await api(herald.url, 'PATCH', '/api/v1/source/ok', { verification: { type: 'api-key' } })).status, 422);
      assert.deepEqual((await api(herald.url, 'GET', '/api/v1/source/ok')).json.verification, patched.json.verification, 'a refused change changes nothing');
    } finally {
      await herald.cleanup();
    }
  });
});
