import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import {
  REDACTED, VerificationSchema, providerDeliveryId, providerEventType, redactVerification, verificationConfigProblem, verifyInbound,
  type InboundRequest, type Verification,
} from '../../src/inbound/verification.ts';

const stripe = new Stripe('sk_test_unused');
const NOW_MS = Date.UTC(2026, 10, 29, 12, 0, 0);
const NOW_S = Math.floor(NOW_MS / 1000);

function request(headers: InboundRequest['headers'], body: string | Buffer): InboundRequest {
  return { headers, body: typeof body === 'string' ? Buffer.from(body) : body };
}

/** The same body with one byte changed. */
function tampered(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  copy[copy.length - 1] = copy.at(-1)! ^ 0x01;
  return copy;
}

function accepts(v: Verification, req: InboundRequest, nowMs = NOW_MS): void {
  assert.deepEqual(verifyInbound(v, req, nowMs), { ok: true });
}

/**
 * The reason a request is refused, checked against what must never leak into it: the configured secret, any
 * credential or signature the request carried, and the signatures a caller computed with the real secret.
 */
function reason(v: Verification, req: InboundRequest, nowMs = NOW_MS, computedSignatures: readonly string[] = []): string {
  const result = verifyInbound(v, req, nowMs);
  assert.equal(result.ok, false, 'expected a rejection');
  const text = result.ok ? '' : result.reason;
  const secrets = Object.entries(v).filter(([name]) => ['secret', 'password', 'key'].includes(name)).map(([, value]) => String(value));
  const received = Object.values(req.headers).flat().filter((value): value is string => typeof value === 'string' && value.length >= 16);
  for (const secret of [...secrets, ...received, ...computedSignatures]) assert.ok(!text.includes(secret), `reason "${text}" leaks "${secret}"`);
  return text;
}

describe('GitHub', () => {
  // docs.github.com "Validating webhook deliveries": the published test vector.
  const v: Verification = { type: 'github', secret: "It's a Secret to Everybody" };
  const body = Buffer.from('Hello, World!');
  const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  test("GitHub's published vector verifies, whatever the case of the header name", () => {
    accepts(v, request({ 'x-hub-signature-256': signature }, body));
    accepts(v, request({ 'X-Hub-Signature-256': signature }, body));
    accepts(v, request({ 'x-hub-signature-256': signature.toUpperCase().replace('SHA256=', 'sha256=') }, body));
  });

  test('a body with one byte changed, a forged signature and a missing or malformed header are refused', () => {
    assert.equal(reason(v, request({ 'x-hub-signature-256': signature }, tampered(body)), NOW_MS, [signature]), 'signature mismatch (X-Hub-Signature-256)');
    const forged = `sha256=${createHmac('sha256', 'guessed secret').update(body).digest('hex')}`;
    assert.equal(reason(v, request({ 'x-hub-signature-256': forged }, body), NOW_MS, [signature]), 'signature mismatch (X-Hub-Signature-256)');
    assert.equal(reason(v, request({}, body)), 'missing header X-Hub-Signature-256');
    assert.equal(reason(v, request({ 'x-hub-signature-256': signature.slice('sha256='.length) }, body)), 'malformed header X-Hub-Signature-256: expected sha256=<hex>');
    assert.equal(reason(v, request({ 'x-hub-signature-256': 'sha256=not-hex' }, body)), 'malformed header X-Hub-Signature-256: expected sha256=<hex>');
  });

  test('the legacy SHA-1 X-Hub-Signature is not accepted, even alone and valid', () => {
    const sha1 = `sha1=${createHmac('sha1', v.type === 'github' ? v.secret : '').update(body).digest('hex')}`;
    assert.equal(reason(v, request({ 'x-hub-signature': sha1 }, body)), 'missing header X-Hub-Signature-256 (the legacy SHA-1 X-Hub-Signature is not accepted)');
    accepts(v, request({ 'x-hub-signature': sha1, 'x-hub-signature-256': signature }, body));
  });

  test('the signature covers the raw bytes, including ones that are not UTF-8', () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const header = `sha256=${createHmac('sha256', "It's a Secret to Everybody").update(raw).digest('hex')}`;
    accepts(v, request({ 'x-hub-signature-256': header }, raw));
    // Decoding to a string first would turn both invalid bytes into U+FFFD and lose the difference.
    assert.match(reason(v, request({ 'x-hub-signature-256': header }, Buffer.from([0x7b, 0xff, 0xff, 0x00, 0x7d]))), /signature mismatch/);
  });

  test('delivery id and event type come from X-GitHub-Delivery and X-GitHub-Event', () => {
    const req = request({ 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-github-event': 'push' }, body);
    assert.equal(providerDeliveryId(v, req), '72d3162e-cc78-11e3-81ab-4c9367dc0958');
    assert.equal(providerEventType(v, req), 'push');
    assert.equal(providerDeliveryId(v, request({}, body)), null);
    assert.equal(providerEventType(v, request({}, body)), null);
  });
});

describe('Stripe', () => {
  const secret = 'whsec_5f1e0c3b8a7d4e2f9b6c1a0d3e8f7a6b';
  const v: Verification = { type: 'stripe', secret };
  const payload = JSON.stringify({ id: 'evt_1QjB2cF4', object: 'event', type: 'payment_intent.succeeded', data: { object: { amount: 1999 } } }, null, 2);
  const signed = (options: { timestamp?: number; secret?: string; scheme?: string } = {}) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: NOW_S, ...options });

  test('the locally computed vector is what the stripe package generates, and it verifies', () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: '{"id":"evt_test","object":"event"}', secret: 'whsec_test_secret', timestamp: 1492774577 });
    assert.equal(header, 't=1492774577,v1=691252e266ce41cb94d709c84e9580d4172b117a510bbc81723f657d2cd5d215');
    accepts({ type: 'stripe', secret: 'whsec_test_secret' }, request({ 'stripe-signature': header }, '{"id":"evt_test","object":"event"}'), 1492774577_000);
  });

  test('headers from generateTestHeaderString verify, and the stripe package agrees on the same request', () => {
    const header = signed();
    accepts(v, request({ 'stripe-signature': header }, payload));
    assert.equal(stripe.webhooks.constructEvent(payload, header, secret, 300, undefined, NOW_MS).id, 'evt_1QjB2cF4');
    const headerNow = stripe.webhooks.generateTestHeaderString({ payload, secret });
    accepts(v, request({ 'stripe-signature': headerNow }, payload), Date.now());
  });

  test('any v1 may match (a rolled secret signs too), and v0 is ignored', () => {
    const current = signed();
    const old = signed({ secret: 'whsec_0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0' });
    const v0 = signed({ scheme: 'v0' }).split(',')[1];
    const both = `${old},${current.split(',')[1]},${v0}`;
    accepts(v, request({ 'stripe-signature': both }, payload));
    accepts({ type: 'stripe', secret: 'whsec_0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0' }, request({ 'stripe-signature': both }, payload));
    // A v0 signature made with the right secret still does not count: only v1 is trusted.
    assert.equal(reason(v, request({ 'stripe-signature': signed({ scheme: 'v0' }) }, payload)), 'malformed header Stripe-Signature: no v1 signature');
  });

  test('a replayed (old) or future timestamp is refused with its age, both ways', () => {
    const replayed = signed({ timestamp: NOW_S - 912 });
    assert.equal(reason(v, request({ 'stripe-signature': replayed }, payload)), 'timestamp is 912 s old (tolerance 300 s)');
    assert.equal(reason(v, request({ 'stripe-signature': signed({ timestamp: NOW_S + 301 }) }, payload)), 'timestamp is 301 s in the future (tolerance 300 s)');
    accepts(v, request({ 'stripe-signature': signed({ timestamp: NOW_S - 300 }) }, payload));
    accepts(v, request({ 'stripe-signature': signed({ timestamp: NOW_S + 300 }) }, payload));
    accepts({ ...v, toleranceSeconds: 1000 }, request({ 'stripe-signature': replayed }, payload));
  });

  test('a tampered body, a wrong secret, a forged timestamp and malformed headers are refused', () => {
    const header = signed();
    const v1 = header.split(',')[1]!;
    assert.equal(reason(v, request({ 'stripe-signature': header }, tampered(Buffer.from(payload))), NOW_MS, [v1]), 'signature mismatch (Stripe-Signature)');
    assert.equal(reason({ type: 'stripe', secret: 'whsec_another0another0another0' }, request({ 'stripe-signature': header }, payload), NOW_MS, [v1]), 'signature mismatch (Stripe-Signature)');
    // Moving t to pass the window breaks the signature, which covers it.
    assert.equal(reason(v, request({ 'stripe-signature': `t=${NOW_S + 1},${v1}` }, payload)), 'signature mismatch (Stripe-Signature)');
    assert.equal(reason(v, request({}, payload)), 'missing header Stripe-Signature');
    assert.equal(reason(v, request({ 'stripe-signature': v1 }, payload)), 'malformed header Stripe-Signature: expected one t=<timestamp>');
    assert.equal(reason(v, request({ 'stripe-signature': `t=${NOW_S},t=${NOW_S},${v1}` }, payload)), 'malformed header Stripe-Signature: expected one t=<timestamp>');
    assert.equal(reason(v, request({ 'stripe-signature': `t=soon,${v1}` }, payload)), 'malformed header Stripe-Signature: expected Unix time in seconds');
    assert.equal(reason(v, request({ 'stripe-signature': `t=${NOW_S},v1=zz` }, payload)), 'malformed header Stripe-Signature: expected v1=<hex>');
  });

  test('delivery id and event type come from the event body', () => {
    const req = request({ 'stripe-signature': signed() }, payload);
    assert.equal(providerDeliveryId(v, req), 'evt_1QjB2cF4');
    assert.equal(providerEventType(v, req), 'payment_intent.succeeded');
    assert.equal(providerDeliveryId(v, request({}, 'not json')), null);
    assert.equal(providerEventType(v, request({}, '{"type":42}')), null);
  });
});

describe('Shopify', () => {
  const v: Verification = { type: 'shopify', secret: 'shop-secret' };
  const body = '{"id":1}';
  const hmac = 'plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0=';

  test('the computed vector verifies; tampered, forged, missing and malformed are refused', () => {
    accepts(v, request({ 'x-shopify-hmac-sha256': hmac }, body));
    assert.equal(reason(v, request({ 'x-shopify-hmac-sha256': hmac }, '{"id":2}'), NOW_MS, [hmac]), 'signature mismatch (X-Shopify-Hmac-Sha256)');
    assert.equal(reason(v, request({ 'x-shopify-hmac-sha256': createHmac('sha256', 'other').update(body).digest('base64') }, body), NOW_MS, [hmac]), 'signature mismatch (X-Shopify-Hmac-Sha256)');
    assert.equal(reason(v, request({}, body)), 'missing header X-Shopify-Hmac-Sha256');
    assert.equal(reason(v, request({ 'x-shopify-hmac-sha256': 'sha256=abc!' }, body)), 'malformed header X-Shopify-Hmac-Sha256: expected base64');
  });

  test('delivery id and event type come from X-Shopify-Webhook-Id and X-Shopify-Topic', () => {
    const req = request({ 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', 'x-shopify-topic': 'orders/create' }, body);
    assert.equal(providerDeliveryId(v, req), 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
    assert.equal(providerEventType(v, req), 'orders/create');
  });
});

describe('Slack', () => {
  // api.slack.com "Verifying requests from Slack": the published worked example.
  const v: Verification = { type: 'slack', secret: '8f742231b10e8888abcd99yyyzzz85a5' };
  const timestamp = 1531420618;
  const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const signature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
  const headers = { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
  const sign = (ts: number, text: string) => `v0=${createHmac('sha256', '8f742231b10e8888abcd99yyyzzz85a5').update(`v0:${ts}:${text}`).digest('hex')}`;

  test("Slack's published example verifies within the window", () => {
    accepts(v, request(headers, body), timestamp * 1000 + 42_000);
    assert.equal(sign(timestamp, body), signature);
  });

  test('replayed and future timestamps are refused; a wider tolerance admits them', () => {
    assert.equal(reason(v, request(headers, body), (timestamp + 912) * 1000), 'timestamp is 912 s old (tolerance 300 s)');
    assert.equal(reason(v, request(headers, body), (timestamp - 600) * 1000), 'timestamp is 600 s in the future (tolerance 300 s)');
    accepts({ ...v, toleranceSeconds: 1000 }, request(headers, body), (timestamp + 912) * 1000);
  });

  test('a tampered body, a moved timestamp, missing and malformed headers are refused', () => {
    const at = timestamp * 1000;
    assert.equal(reason(v, request(headers, tampered(Buffer.from(body))), at, [signature]), 'signature mismatch (X-Slack-Signature)');
    assert.equal(reason(v, request({ ...headers, 'x-slack-request-timestamp': String(timestamp + 1) }, body), at), 'signature mismatch (X-Slack-Signature)');
    assert.equal(reason(v, request({ 'x-slack-signature': signature }, body), at), 'missing header X-Slack-Request-Timestamp');
    assert.equal(reason(v, request({ 'x-slack-request-timestamp': String(timestamp) }, body), at), 'missing header X-Slack-Signature');
    assert.equal(reason(v, request({ ...headers, 'x-slack-signature': signature.replace('v0=', 'v1=') }, body), at), 'malformed header X-Slack-Signature: expected v0=<hex>');
    assert.equal(reason(v, request({ ...headers, 'x-slack-request-timestamp': '1531420618.5' }, body), at), 'malformed header X-Slack-Request-Timestamp: expected Unix time in seconds');
  });

  test('delivery id: event_id for the Events API, trigger_id for commands and interactions; event type: the inner event', () => {
    const slashCommand = request(headers, body);
    assert.equal(providerDeliveryId(v, slashCommand), '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c');
    assert.equal(providerEventType(v, slashCommand), null);

    const callback = request({}, JSON.stringify({ type: 'event_callback', event_id: 'Ev08MFMKH6', event: { type: 'app_mention', text: 'hi' } }));
    assert.equal(providerDeliveryId(v, callback), 'Ev08MFMKH6');
    assert.equal(providerEventType(v, callback), 'app_mention');

    const challenge = request({}, JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 'x' }));
    assert.equal(providerDeliveryId(v, challenge), null);
    assert.equal(providerEventType(v, challenge), 'url_verification');

    const interaction = request({}, `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', trigger_id: '13345224609.738474920.8088930838d88f008e0' }))}`);
    assert.equal(providerDeliveryId(v, interaction), '13345224609.738474920.8088930838d88f008e0');
    assert.equal(providerEventType(v, interaction), 'block_actions');
  });
});

describe('Standard Webhooks', () => {
  // The spec's v1 vector (libraries/*/webhook tests, Svix worker.rs).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const v: Verification = { type: 'standard-webhooks', secret };
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const payload = '{"test": 2432232314}';
  const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
  const headers = (signature: string, ts = timestamp) => ({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature });
  const at = timestamp * 1000;

  test('the spec vector verifies, with webhook-* or the svix-* aliases', () => {
    accepts(v, request(headers(expected), payload), at);
    accepts(v, request({ 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': expected }, payload), at);
    accepts(v, request({ 'Svix-Id': id, 'Svix-Timestamp': String(timestamp), 'Svix-Signature': expected }, payload), at);
  });

  test('signatures made by the standardwebhooks package verify, and it agrees on what is refused', () => {
    const wh = new Webhook(secret);
    const body = JSON.stringify({ type: 'invoice.paid', timestamp: new Date(NOW_MS).toISOString(), data: { id: 'inv_1', note: 'Zoë' } });
    const sent = headers(wh.sign('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', new Date(NOW_MS), body), NOW_S);
    sent['webhook-id'] = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    accepts(v, request(sent, body));
    const changed = body.replace('Zoë', 'Zoe');
    assert.throws(() => wh.verify(changed, sent));
    assert.equal(reason(v, request(sent, changed)), 'signature mismatch (webhook-signature)');
  });

  test('several signatures: any v1 may match, other versions and non-matching entries are ignored', () => {
    const list = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${expected}`;
    accepts(v, request(headers(list), payload), at);
    assert.equal(reason(v, request(headers(expected.replace('v1,', 'v2,')), payload), at), 'malformed header webhook-signature: no v1 signature');
  });

  test("the spec's negative cases are refused", () => {
    const mismatch = 'signature mismatch (webhook-signature)';
    assert.equal(reason(v, request(headers('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA='), payload), at, [expected]), mismatch);
    assert.equal(reason(v, request(headers('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLawdd'), payload), at, [expected]), mismatch);
    assert.equal(reason(v, request(headers('v1,'), payload), at), 'malformed header webhook-signature: expected v1,<base64>');
    assert.equal(reason(v, request(headers(expected), `${payload} `), at, [expected]), mismatch);
    assert.equal(reason(v, request({ ...headers(expected), 'webhook-id': `${id}x` }, payload), at, [expected]), mismatch);
    assert.equal(reason(v, request(headers(expected, timestamp + 1), payload), at, [expected]), mismatch);
  });

  test('timestamps outside the tolerance are refused both ways', () => {
    assert.equal(reason(v, request(headers(expected), payload), at + 912_000), 'timestamp is 912 s old (tolerance 300 s)');
    assert.equal(reason(v, request(headers(expected), payload), at - 301_000), 'timestamp is 301 s in the future (tolerance 300 s)');
    accepts({ ...v, toleranceSeconds: 3600 }, request(headers(expected), payload), at + 912_000);
  });

  test('missing headers are named', () => {
    assert.equal(reason(v, request({ 'webhook-timestamp': String(timestamp), 'webhook-signature': expected }, payload), at), 'missing header webhook-id (or svix-id)');
    assert.equal(reason(v, request({ 'webhook-id': id, 'webhook-signature': expected }, payload), at), 'missing header webhook-timestamp (or svix-timestamp)');
    assert.equal(reason(v, request({ 'webhook-id': id, 'webhook-timestamp': String(timestamp) }, payload), at), 'missing header webhook-signature (or svix-signature)');
  });

  test('v1a (ed25519) signatures verify with the whpk_ public key: the spec and Svix vector', () => {
    const asymmetric: Verification = { type: 'standard-webhooks', secret: 'whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=' };
    const v1a = 'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==';
    accepts(asymmetric, request(headers(`${expected} ${v1a}`), payload), at);
    assert.equal(reason(asymmetric, request(headers(v1a), `${payload} `), at), 'signature mismatch (webhook-signature)');
    // A valid HMAC is no substitute when the source is configured for ed25519.
    assert.equal(reason(asymmetric, request(headers(expected), payload), at), 'malformed header webhook-signature: no v1a signature');
  });

  test('delivery id and event type: webhook-id (or svix-id) and the body type', () => {
    const body = '{"type":"user.created","data":{}}';
    assert.equal(providerDeliveryId(v, request(headers(expected), body)), id);
    assert.equal(providerDeliveryId(v, request({ 'svix-id': 'msg_svix' }, body)), 'msg_svix');
    assert.equal(providerEventType(v, request({}, body)), 'user.created');
  });
});

describe('generic HMAC', () => {
  // Convoy's published vectors (pkg/signature/testdata/signature-vectors.json).
  const convoyBody = '{"event":"charge.success","amount":1000,"currency":"NGN"}';
  const convoy: Verification = { type: 'hmac', secret: 'convoy-webhook-secret', header: 'X-Convoy-Signature', algorithm: 'sha256', encoding: 'hex' };

  test("Convoy's simple vector verifies as hex and as base64", () => {
    accepts(convoy, request({ 'x-convoy-signature': '244449b7f48cbc2709060c9dcdc2b3aa47a78f540430579015c579fb12defbb4' }, convoyBody));
    accepts({ ...convoy, encoding: 'base64' }, request({ 'x-convoy-signature': 'JERJt/SMvCcJBgydzcKzqkenj1QEMFeQFcV5+xLe+7Q=' }, convoyBody));
    assert.equal(reason(convoy, request({ 'x-convoy-signature': '244449b7f48cbc2709060c9dcdc2b3aa47a78f540430579015c579fb12defbb4' }, tampered(Buffer.from(convoyBody)))), 'signature mismatch (X-Convoy-Signature)');
    assert.equal(reason(convoy, request({}, convoyBody)), 'missing header X-Convoy-Signature');
    assert.equal(reason(convoy, request({ 'x-convoy-signature': 'JERJt/SMvCcJBgydzcKzqkenj1QEMFeQFcV5+xLe+7Q=' }, convoyBody)), 'malformed header X-Convoy-Signature: expected <hex>');
  });

  test('timestamp + separator + body: Convoy advanced (comma) and Hook0 v0 (dot) vectors', () => {
    const advanced: Verification = { ...convoy, signed: 'timestamp.body', timestampHeader: 'X-Convoy-Timestamp', separator: ',', prefix: 'v1=' };
    const advancedHeaders = { 'x-convoy-timestamp': '1700000000', 'x-convoy-signature': 'v1=77b8b9269f25a199846a55a2bd25b3fba151c70fdae60bb1dcd87fbbc943c55c' };
    accepts(advanced, request(advancedHeaders, convoyBody), 1700000000_000);
    assert.equal(reason(advanced, request(advancedHeaders, convoyBody), 1700000912_000), 'timestamp is 912 s old (tolerance 300 s)');
    assert.equal(reason(advanced, request(advancedHeaders, convoyBody), 1699999000_000), 'timestamp is 1000 s in the future (tolerance 300 s)');
    assert.equal(reason(advanced, request({ 'x-convoy-signature': advancedHeaders['x-convoy-signature'] }, convoyBody), 1700000000_000), 'missing header X-Convoy-Timestamp');

    const hook0: Verification = { type: 'hmac', secret: 'secret', header: 'x-hook0-signature', algorithm: 'sha256', encoding: 'hex', prefix: 'v0=', signed: 'timestamp.body', timestampHeader: 'x-hook0-timestamp' };
    const hook0Headers = { 'x-hook0-timestamp': '1636936200', 'x-hook0-signature': 'v0=1b3d69df55f1e52f05224ba94a5162abeb17ef52cd7f4948c390f810d6a87e98' };
    accepts(hook0, request(hook0Headers, 'hello !'), 1636936200_000);
    assert.equal(reason(hook0, request({ ...hook0Headers, 'x-hook0-timestamp': '1636936201' }, 'hello !'), 1636936200_000), 'signature mismatch (x-hook0-signature)');
  });

  test('several signatures in the header; with a prefix, only entries bearing it count', () => {
    const body = Buffer.from('{"ok":true}');
    const secret = 'adnanh-webhook-secret-1';
    const sha256 = createHmac('sha256', secret).update(body).digest('hex');
    const sha1 = createHmac('sha1', secret).update(body).digest('hex');
    const v: Verification = { type: 'hmac', secret, header: 'X-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' };
    accepts(v, request({ 'x-signature': `sha256=${'0'.repeat(64)},sha256=${sha256}` }, body));
    accepts(v, request({ 'x-signature': `sha1=${sha1}, sha256=${sha256}` }, body));
    assert.equal(reason(v, request({ 'x-signature': `sha1=${sha1}` }, body)), 'malformed header X-Signature: no signature starting with "sha256="');
    assert.equal(reason(v, request({ 'x-signature': sha256 }, body)), 'malformed header X-Signature: no signature starting with "sha256="');
    // The legacy GitHub header, configured explicitly.
    const legacyGitHub: Verification = { type: 'hmac', secret, header: 'X-Hub-Signature', algorithm: 'sha1', encoding: 'hex', prefix: 'sha1=' };
    accepts(legacyGitHub, request({ 'x-hub-signature': `sha1=${sha1}` }, body));
  });

  test('sha512 and base64 or hex secrets key the HMAC with the decoded bytes', () => {
    const body = Buffer.from('payload');
    const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const signature = createHmac('sha512', key).update(body).digest('base64');
    const hex: Verification = { type: 'hmac', secret: key.toString('hex'), secretEncoding: 'hex', header: 'x-sig', algorithm: 'sha512', encoding: 'base64' };
    accepts(hex, request({ 'x-sig': signature }, body));
    accepts({ ...hex, secret: key.toString('base64'), secretEncoding: 'base64' }, request({ 'x-sig': signature }, body));
    assert.equal(reason({ ...hex, secretEncoding: 'utf8' }, request({ 'x-sig': signature }, body)), 'signature mismatch (x-sig)');
    assert.equal(reason({ ...hex, secret: 'not hex at all, sorry' }, request({ 'x-sig': signature }, body)), 'source misconfigured: the secret is not valid hex');
  });

  test('delivery id and event type come from the configured headers, if any', () => {
    const req = request({ 'x-request-id': 'req-42', 'x-event': 'order.paid' }, '{}');
    assert.equal(providerDeliveryId(convoy, req), null);
    assert.equal(providerEventType(convoy, req), null);
    const configured: Verification = { ...convoy, idHeader: 'X-Request-Id', eventTypeHeader: 'X-Event' };
    assert.equal(providerDeliveryId(configured, req), 'req-42');
    assert.equal(providerEventType(configured, req), 'order.paid');
    assert.equal(providerDeliveryId(configured, request({ 'x-request-id': 'x'.repeat(257) }, '{}')), null);
    assert.equal(providerDeliveryId({ ...configured, idHeader: 'constructor' }, request({}, '{}')), null);
  });
});

describe('basic auth, API key and none', () => {
  const basic: Verification = { type: 'basic-auth', username: 'hooks', password: 'correct-horse-battery-staple' };
  const authorization = (credentials: string) => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });

  test('basic auth: the right credentials pass; wrong ones, a missing or non-Basic header are refused', () => {
    accepts(basic, request(authorization('hooks:correct-horse-battery-staple'), ''));
    accepts({ ...basic, password: 'pass:with:colons-0123' }, request(authorization('hooks:pass:with:colons-0123'), ''));
    assert.equal(reason(basic, request(authorization('hooks:correct-horse-battery-stapl'), '')), 'wrong username or password');
    assert.equal(reason(basic, request(authorization('admin:correct-horse-battery-staple'), '')), 'wrong username or password');
    assert.equal(reason(basic, request({}, '')), 'missing header Authorization');
    assert.equal(reason(basic, request({ authorization: 'Bearer correct-horse-battery-staple' }, '')), 'malformed header Authorization: expected Basic credentials');
    assert.equal(reason(basic, request(authorization('no-colon-here-at-all'), '')), 'malformed header Authorization: expected user:password');
  });

  test('API key: the exact header value passes; a wrong or missing key is refused', () => {
    const v: Verification = { type: 'api-key', header: 'X-Api-Key', key: 'k_7Hq2LmN9pR4sT6vW' };
    accepts(v, request({ 'x-api-key': 'k_7Hq2LmN9pR4sT6vW' }, ''));
    assert.equal(reason(v, request({ 'x-api-key': 'k_7Hq2LmN9pR4sT6vX' }, '')), 'wrong key in header X-Api-Key');
    assert.equal(reason(v, request({ 'x-api-key': 'k_7Hq2LmN9pR4sT6vW-and-more' }, '')), 'wrong key in header X-Api-Key');
    assert.equal(reason(v, request({ 'x-api-key': ['k_7Hq2LmN9pR4sT6vW', 'k_7Hq2LmN9pR4sT6vW'] }, '')), 'wrong key in header X-Api-Key');
    assert.equal(reason(v, request({}, '')), 'missing header X-Api-Key');
    const bearer: Verification = { type: 'api-key', header: 'authorization', key: 'Bearer k_7Hq2LmN9pR4sT6vW' };
    accepts(bearer, request({ authorization: 'Bearer k_7Hq2LmN9pR4sT6vW' }, ''));
  });

  test('none accepts anything', () => {
    accepts({ type: 'none' }, request({}, 'anything'));
  });

  test('a configuration of an unknown type is refused, not trusted', () => {
    assert.equal(reason({ type: 'quantum' } as unknown as Verification, request({}, '')), 'unsupported verification type "quantum"');
  });
});

describe('configuration', () => {
  const validate = new Ajv({ strict: false, allErrors: false, useDefaults: true }).compile(VerificationSchema);
  const valid: Verification[] = [
    { type: 'none' },
    { type: 'github', secret: "It's a Secret to Everybody" },
    { type: 'stripe', secret: 'whsec_5f1e0c3b8a7d4e2f9b6c1a0d3e8f7a6b', toleranceSeconds: 600 },
    { type: 'shopify', secret: '2a9b5c4d7e1f3a6b8c0d2e4f6a8b0c1d' },
    { type: 'slack', secret: '8f742231b10e8888abcd99yyyzzz85a5' },
    { type: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    { type: 'standard-webhooks', secret: 'whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=' },
    { type: 'hmac', secret: 'convoy-webhook-secret', header: 'X-Convoy-Signature', algorithm: 'sha256', encoding: 'hex', idHeader: 'X-Request-Id' },
    { type: 'hmac', secret: 'c2VjcmV0LWJ5dGVzLTAxMjM0NQ==', secretEncoding: 'base64', header: 'x-sig', algorithm: 'sha512', encoding: 'base64', prefix: 'v0=', signed: 'timestamp.body', timestampHeader: 'x-ts', separator: ':' },
    { type: 'basic-auth', username: 'hooks', password: 'correct-horse-battery-staple' },
    { type: 'api-key', header: 'X-Api-Key', key: 'k_7Hq2LmN9pR4sT6vW' },
  ];

  test('the schema accepts each scheme and the configurations are usable', () => {
    for (const v of valid) {
      assert.ok(validate(structuredClone(v)), `${JSON.stringify(v)}: ${JSON.stringify(validate.errors)}`);
      assert.equal(verificationConfigProblem(v), null);
    }
  });

  test('the schema refuses bad values, unknown properties and inconsistent options', () => {
    const invalid: unknown[] = [
      { type: 'github', secret: 'short' },
      { type: 'github', secret: 'a secret pasted with a newline\n' },
      { type: 'github', secret: "It's a Secret to Everybody", tolerance: 300 },
      { type: 'stripe', secret: 'sk_live_51HqLyjWDarjtT1zdp7dc' },
      { type: 'stripe', secret: 'whsec_5f1e0c3b8a7d4e2f9b6c1a0d3e8f7a6b', toleranceSeconds: 0 },
      { type: 'standard-webhooks', secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      { type: 'standard-webhooks', secret: 'whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==' },
      { type: 'hmac', secret: 'convoy-webhook-secret', header: 'X Signature', algorithm: 'sha256', encoding: 'hex' },
      { type: 'hmac', secret: 'convoy-webhook-secret', header: 'x-sig', algorithm: 'md5', encoding: 'hex' },
      { type: 'hmac', secret: 'convoy-webhook-secret', header: 'x-sig', algorithm: 'sha256', encoding: 'hex', signed: 'timestamp.body' },
      { type: 'hmac', secret: 'convoy-webhook-secret', header: 'x-sig', algorithm: 'sha256', encoding: 'hex', timestampHeader: 'x-ts' },
      { type: 'hmac', secret: 'convoy-webhook-secret', header: 'x-sig', algorithm: 'sha256', encoding: 'hex', prefix: 'v1,' },
      { type: 'basic-auth', username: 'a:b', password: 'correct-horse-battery-staple' },
      { type: 'api-key', header: 'X-Api-Key', key: 'k_7Hq2LmN9pR4sT6vW ' },
      { type: 'mystery' },
    ];
    for (const v of invalid) assert.equal(validate(v), false, JSON.stringify(v));
  });

  test('what the schema cannot see is reported without the secret', () => {
    const badHex: Verification = { type: 'hmac', secret: 'zzzz-not-hex-zzzz', secretEncoding: 'hex', header: 'x-sig', algorithm: 'sha256', encoding: 'hex' };
    assert.equal(validate(structuredClone(badHex)), true);
    assert.equal(verificationConfigProblem(badHex), 'secret is not valid hex');
    // Well-formed to the pattern, but 18 bytes: below the 24 the Standard Webhooks spec asks for.
    const shortKey: Verification = { type: 'standard-webhooks', secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAA' };
    assert.match(verificationConfigProblem(shortKey) ?? '', /^secret must be whsec_/);
    assert.equal(reason(shortKey, request({ 'webhook-id': 'm', 'webhook-timestamp': String(NOW_S), 'webhook-signature': 'v1,AAAA' }, '')), 'source misconfigured: the secret is not a usable whsec_ secret or whpk_ public key');
  });

  test('redaction replaces every secret with a fixed mask that the schema then refuses', () => {
    for (const v of valid) {
      const redacted = redactVerification(v);
      const text = JSON.stringify(redacted);
      for (const [name, value] of Object.entries(v)) {
        if (['secret', 'password', 'key'].includes(name)) {
          assert.equal(redacted[name], REDACTED);
          assert.ok(!text.includes(String(value)), `${text} leaks ${name}`);
        } else {
          assert.deepEqual(redacted[name], value);
        }
      }
      if (v.type !== 'none') assert.equal(validate(redacted), false, `redacted ${v.type} must not be accepted back`);
    }
  });
});
