import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { Received } from '../helpers/receiver.ts';
import { useTestServer } from '../helpers/test-server.ts';

interface OpEvent {
  type: string;
  data: Record<string, any>;
}

let opSecret: string;
let flakyCalls = 0;

// Five attempts 0.3 s apart; an endpoint failing for 1 s of exhausted deliveries is disabled.
const server = useTestServer({ receiver: true, env: { HERALD_RETRY_SCHEDULE: '0.3,0.3,0.3,0.3', HERALD_DISABLE_ENDPOINT_AFTER: '1' } }, async () => {
  server.receiver.responder = (req, res) => {
    if (req.path === '/bad') return res.writeHead(500).end('down');
    if (req.path === '/flaky') return res.writeHead(++flakyCalls <= 4 ? 500 : 200).end();
    return res.writeHead(204).end();
  };
  const op = await server.call('POST', '/api/v1/operational-webhook/endpoint', { url: server.receiver.url('/ops'), description: 'on-call' });
  assert.equal(op.status, 201, op.text);
  assert.match(op.json.id, /^ep_/);
  opSecret = (await server.call('GET', `/api/v1/operational-webhook/endpoint/${op.json.id}/secret`)).json.key;
});

/** Operational webhooks received so far, each checked against the operational endpoint's secret. */
function opEvents(): OpEvent[] {
  return server.receiver.on('/ops').map((r: Received) => {
    const headers = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
    return new Webhook(opSecret).verify(r.body.toString(), headers) as OpEvent;
  });
}

const waitForEvent = async (type: string, match: (e: OpEvent) => boolean, timeoutMs = 10_000) => {
  await server.receiver.waitFor(() => opEvents().some((e) => e.type === type && match(e)), timeoutMs, type);
  return opEvents().find((e) => e.type === type && match(e))!;
};

test('failing, exhausted, recovered, disabled and enabled arrive as signed operational webhooks', async () => {
  const app = (await server.call('POST', '/api/v1/app', { name: 'ops-watched', uid: 'watched' })).json;
  const bad = (await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/bad'), eventTypes: ['x.bad'], uid: 'bad-ep' })).json;
  const flaky = (await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/flaky'), eventTypes: ['x.flaky'] })).json;
  const publish = async (eventType: string, eventId: string) =>
    (await server.call('POST', `/api/v1/app/${app.id}/msg`, { eventType, payload: {}, eventId })).json.id as string;

  const m1 = await publish('x.bad', 'evt-bad-1');
  const m2 = await publish('x.flaky', 'evt-flaky-1');

  const failing = await waitForEvent('message.attempt.failing', (e) => e.data['msgId'] === m1);
  assert.deepEqual(Object.keys(failing.data).sort(), ['appId', 'appUid', 'endpointId', 'lastAttempt', 'msgEventId', 'msgId']);
  assert.equal(failing.data['appId'], app.id);
  assert.equal(failing.data['appUid'], 'watched');
  assert.equal(failing.data['endpointId'], bad.id);
  assert.equal(failing.data['msgEventId'], 'evt-bad-1');
  assert.equal(failing.data['lastAttempt'].responseStatusCode, 500);
  assert.match(failing.data['lastAttempt'].id, /^atmpt_/);

  const exhausted = await waitForEvent('message.attempt.exhausted', (e) => e.data['msgId'] === m1);
  assert.equal(exhausted.data['endpointId'], bad.id);
  const attempts = (await server.call('GET', `/api/v1/app/${app.id}/attempt/msg/${m1}`)).json.data;
  assert.equal(attempts.length, 5, 'failing came after the 4th attempt, exhausted after the 5th and last');

  const recovered = await waitForEvent('message.attempt.recovered', (e) => e.data['msgId'] === m2);
  assert.equal(recovered.data['lastAttempt'].responseStatusCode, 200);
  assert.ok(opEvents().some((e) => e.type === 'message.attempt.failing' && e.data['msgId'] === m2), 'it was failing before');

  // A second exhausted delivery more than 1 s into the endpoint's failing run disables it. No wait is needed for
  // that: m3's five attempts, 0.3 s apart, take over a second, so its exhaustion comes over 1 s into the run.
  const m3 = await publish('x.bad', 'evt-bad-2');
  const disabled = await waitForEvent('endpoint.disabled', (e) => e.data['endpointId'] === bad.id);
  assert.equal(disabled.data['endpointUid'], 'bad-ep');
  assert.ok(Date.parse(disabled.data['failSince']) <= Date.now() - 1_000);
  assert.equal(disabled.data['reason'], 'its deliveries kept failing');
  assert.ok(opEvents().some((e) => e.type === 'message.attempt.exhausted' && e.data['msgId'] === m3));
  assert.equal((await server.call('GET', `/api/v1/app/${app.id}/endpoint/${bad.id}`)).json.disabled, true);
  assert.equal(opEvents().filter((e) => e.type === 'endpoint.disabled').length, 1, 'the flaky endpoint recovered: its run ended');

  const enabled = await server.call('PATCH', `/api/v1/app/${app.id}/endpoint/${bad.id}`, { disabled: false });
  assert.equal(enabled.status, 200);
  const event = await waitForEvent('endpoint.enabled', (e) => e.data['endpointId'] === bad.id);
  assert.equal(event.data['appId'], app.id);
});

test('operational endpoints filter by event type and are managed only under their own routes', async () => {
  const list = await server.call('GET', '/api/v1/operational-webhook/endpoint');
  assert.equal(list.status, 200);
  assert.equal(list.json.data.length, 1);
  const filtered = await server.call('POST', '/api/v1/operational-webhook/endpoint', { url: server.receiver.url('/ops-disabled-only'), filterTypes: ['endpoint.disabled'] });
  assert.equal(filtered.status, 201);
  assert.deepEqual(filtered.json.filterTypes, ['endpoint.disabled']);

  const apps = (await server.call('GET', '/api/v1/app?limit=250')).json.data.map((a: { id: string }) => a.id);
  assert.ok(!apps.includes('app_operational'), 'the internal application is not listed');
  assert.equal((await server.call('GET', '/api/v1/app/app_operational')).status, 404);
  const forged = await server.call('POST', '/api/v1/app/app_operational/msg', { eventType: 'endpoint.disabled', payload: {} });
  assert.equal(forged.status, 404, 'nobody can publish a forged operational event');
  const removed = await server.call('DELETE', `/api/v1/operational-webhook/endpoint/${filtered.json.id}`);
  assert.equal(removed.status, 204);
});
