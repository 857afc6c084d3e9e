import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Svix, Webhook } from 'svix';
import { api, deliveriesSettled, startTestHerald, storeEndpointUrl } from '../helpers/herald.ts';
import { Receiver, type Received } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

/**
 * Endpoint transformations applied to deliveries, set through the svix client: the payload, method and URL a
 * transformation returns are what the endpoint receives (signed as sent), a cancel is recorded as canceled and never
 * retried, a failing transformation fails its attempt with the reason and retries like any failure, the
 * private-address guard applies to a URL it changes, and hostile code harms neither the server nor other endpoints.
 */

type AttemptOut = { status: number; statusText?: string; response: string; responseStatusCode: number; url: string };

async function attemptsOf(url: string, appId: string, msgId: string): Promise<AttemptOut[]> {
  return (await api(url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}?limit=250`)).json.data;
}

const verified = (secret: string, r: Received) => new Webhook(secret).verify(r.body.toString('utf8'), {
  'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']),
});

describe('transformations on deliveries', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let svix: Svix;
  let receiver: Receiver;
  before(async () => {
    herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '0.2,0.2,0.2', HERALD_TRANSFORM_CPU_MS: '50' });
    svix = new Svix(herald.token, { serverUrl: herald.url });
    receiver = await Receiver.start();
  });
  after(async () => {
    await herald.cleanup();
    await receiver.close();
  });

  async function endpointWith(code: string, path: string) {
    const app = await svix.application.create({ name: path });
    const ep = await svix.endpoint.create(app.id, { url: receiver.url(path) });
    await svix.endpoint.transformation.patch(app.id, ep.id, { code, enabled: true });
    const { key } = await svix.endpoint.getSecret(app.id, ep.id);
    return { appId: app.id, endpointId: ep.id, secret: key };
  }

  test('the payload, method and URL the transformation returns are what the endpoint gets, signed as sent', async () => {
    const { appId, secret } = await endpointWith(`function handler(webhook) {
      webhook.method = 'PUT';
      webhook.url = webhook.url + '/' + webhook.payload.id;
      webhook.payload = { text: 'invoice ' + webhook.payload.id + ' paid (' + webhook.eventType + ')' };
      return webhook;
    }`, '/reshaped');
    const msg = await svix.message.create(appId, { eventType: 'invoice.paid', payload: { id: 'in_42', amount: 1200 } });
    await receiver.waitFor((all) => all.some((r) => r.path === '/reshaped/in_42'), 10_000, 'the reshaped delivery');
    const got = receiver.on('/reshaped/in_42')[0]!;
    assert.equal(got.method, 'PUT');
    assert.deepEqual(JSON.parse(got.body.toString('utf8')), { text: 'invoice in_42 paid (invoice.paid)' });
    assert.doesNotThrow(() => verified(secret, got), 'the signature covers the body sent');
    assert.equal(got.headers['webhook-id'], msg.id);
    await deliveriesSettled(herald, appId);
    const [attempt] = await attemptsOf(herald.url, appId, msg.id);
    assert.equal(attempt!.status, 0);
    assert.equal(attempt!.url, receiver.url('/reshaped/in_42'), 'the attempt log shows the URL it went to');
    assert.equal(receiver.on('/reshaped').length, 0, 'nothing went to the original URL');
  });

  test('a cancel is recorded as canceled, never sent and never retried; the endpoint\'s other messages go', async () => {
    const { appId, endpointId } = await endpointWith(`function handler(webhook) {
      if (webhook.payload.internal) webhook.cancel = true;
      return webhook;
    }`, '/cancel');
    const skipped = await svix.message.create(appId, { eventType: 'user.updated', payload: { internal: true } });
    const sent = await svix.message.create(appId, { eventType: 'user.updated', payload: { internal: false } });
    await deliveriesSettled(herald, appId);
    assert.deepEqual(receiver.on('/cancel').map((r) => JSON.parse(r.body.toString('utf8'))), [{ internal: false }]);
    const attempts = await attemptsOf(herald.url, appId, skipped.id);
    assert.equal(attempts.length, 1, 'one attempt, no retry');
    assert.equal(attempts[0]!.status, 4);
    assert.equal(attempts[0]!.responseStatusCode, 0);
    assert.match(attempts[0]!.response, /cancelled/);
    const delivery = (await api(herald.url, 'GET', `/api/v1/app/${appId}/msg/${skipped.id}/endpoint`)).json.data[0];
    assert.deepEqual([delivery.status, delivery.statusText], [4, 'canceled']);
    const stats = await svix.endpoint.getStats(appId, endpointId);
    assert.deepEqual([stats.success, stats.canceled, stats.fail], [1, 1, 0]);
    assert.equal((await attemptsOf(herald.url, appId, sent.id))[0]!.status, 0);
  });

  test('a transformation that throws fails the attempt with its reason, retries, and the fixed code delivers', async () => {
    const { appId, endpointId } = await endpointWith(`function handler(webhook) { throw new Error('no template for ' + webhook.eventType); }`, '/throws');
    const msg = await svix.message.create(appId, { eventType: 'order.shipped', payload: { order: 7 } });
    const failed = await until('two failed attempts', async () => {
      const list = await attemptsOf(herald.url, appId, msg.id);
      return list.length >= 2 && list;
    });
    for (const attempt of failed) {
      assert.equal(attempt.status, 2);
      assert.equal(attempt.responseStatusCode, 0);
      assert.equal(attempt.response, 'not sent: the transformation failed: the handler threw: Error: no template for order.shipped');
    }
    assert.equal(receiver.on('/throws').length, 0);
    await svix.endpoint.transformation.patch(appId, endpointId, { code: `function handler(webhook) { webhook.payload = { shipped: webhook.payload.order }; return webhook; }` });
    await receiver.waitFor((all) => all.some((r) => r.path === '/throws'), 10_000, 'the retry with the fixed code');
    assert.deepEqual(JSON.parse(receiver.on('/throws')[0]!.body.toString('utf8')), { shipped: 7 });
  });

  test('a disabled transformation is not run', async () => {
    const { appId, endpointId } = await endpointWith(`function handler(webhook) { webhook.payload = 'changed'; return webhook; }`, '/off');
    await svix.endpoint.transformation.patch(appId, endpointId, { enabled: false });
    await svix.message.create(appId, { eventType: 'a.b', payload: { as: 'sent' } });
    await receiver.waitFor((all) => all.some((r) => r.path === '/off'));
    assert.deepEqual(JSON.parse(receiver.on('/off')[0]!.body.toString('utf8')), { as: 'sent' });
  });

  test('an endless loop fails its own endpoint\'s attempts while another endpoint gets every message and the server stays healthy', async () => {
    const looping = await endpointWith(`function handler(webhook) { for (;;) {} }`, '/loop');
    const app = await svix.application.create({ name: 'neighbour' });
    await svix.endpoint.create(app.id, { url: receiver.url('/neighbour') });
    const loopMessages = await Promise.all(Array.from({ length: 5 }, (_, n) => svix.message.create(looping.appId, { eventType: 'e', payload: { n } })));
    await Promise.all(Array.from({ length: 50 }, (_, n) => svix.message.create(app.id, { eventType: 'e', payload: { n } })));
    await receiver.waitFor((all) => all.filter((r) => r.path === '/neighbour').length === 50, 15_000, 'all 50 messages at the other endpoint');
    assert.equal((await api(herald.url, 'GET', '/api/v1/health')).status, 204);
    const attempt = await until('a failed attempt of the looping endpoint', async () => (await attemptsOf(herald.url, looping.appId, loopMessages[0]!.id))[0]);
    assert.equal(attempt.response, 'not sent: the transformation failed: the transformation ran longer than its 50 ms CPU limit');
    assert.equal(receiver.on('/loop').length, 0);
  });
});

test('a URL changed by a transformation goes through the private-address guard', async () => {
  const herald = await startTestHerald({ HERALD_ALLOW_PRIVATE_TARGETS: 'false', HERALD_RETRY_SCHEDULE: '60' });
  const receiver = await Receiver.start();
  try {
    const svix = new Svix(herald.token, { serverUrl: herald.url });
    const app = await svix.application.create({ name: 'guard' });
    const ep = await svix.endpoint.create(app.id, { url: 'https://example.com/public' });
    await svix.endpoint.transformation.patch(app.id, ep.id, { enabled: true, code: `function handler(webhook) { webhook.url = ${JSON.stringify(receiver.url('/inside'))}; return webhook; }` });
    const msg = await svix.message.create(app.id, { eventType: 'e', payload: {} });
    const attempt = await until('the refused attempt', async () => (await attemptsOf(herald.url, app.id, msg.id))[0]);
    assert.equal(attempt.status, 2);
    assert.match(attempt.response, /refused to deliver to 127\.0\.0\.1: it is a loopback address/);
    assert.equal(receiver.received.length, 0);
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});

test('an inbound source\'s transformation reshapes each request it forwards, and can cancel one', async () => {
  const herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '600' });
  const receiver = await Receiver.start();
  try {
    const source = await api(herald.url, 'POST', '/api/v1/source', { name: 'Alerts', uid: 'alerts', verification: { type: 'none' } });
    assert.equal(source.status, 201, source.text);
    const appId = source.json.appId;
    await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/chat') });
    const code = `function handler(webhook) {
      if (webhook.payload.status === 'resolved') { webhook.cancel = true; return webhook; }
      webhook.payload = { text: webhook.payload.alert + ' is ' + webhook.payload.status };
      return webhook;
    }`;
    assert.equal((await api(herald.url, 'PATCH', '/api/v1/source/alerts/transformation', { code, enabled: true })).status, 204);
    const stored = (await api(herald.url, 'GET', '/api/v1/source/alerts/transformation')).json;
    assert.deepEqual([stored.code, stored.enabled], [code, true]);
    const tried = await api(herald.url, 'POST', '/api/v1/source/alerts/transformation/simulate', { code, eventType: 'alert', payload: { alert: 'disk', status: 'firing' } });
    assert.deepEqual(tried.json.payload, { text: 'disk is firing' });

    const send = (body: object) => fetch(`${herald.url}/in/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-alert-source': 'test' }, body: JSON.stringify(body) });
    assert.equal((await send({ alert: 'cpu', status: 'firing' })).status, 200, 'the default answer to the provider');
    assert.equal((await send({ alert: 'cpu', status: 'resolved' })).status, 200);
    await receiver.waitFor((all) => all.length === 1, 10_000, 'the firing alert');
    await deliveriesSettled(herald, appId);
    assert.equal(receiver.received.length, 1, 'the resolved alert was cancelled');
    const got = receiver.received[0]!;
    assert.deepEqual(JSON.parse(got.body.toString('utf8')), { text: 'cpu is firing' });
    assert.equal(got.headers['x-alert-source'], 'test', "the provider's headers are still passed on");
    assert.equal(got.headers['content-length'], String(got.body.length));
    assert.equal((await api(herald.url, 'GET', '/api/v1/source/missing/transformation')).status, 404);
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});
