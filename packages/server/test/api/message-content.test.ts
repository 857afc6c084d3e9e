/**
 * Herald's message extensions: GET …/msg/{msg}/content (the payload exactly as signed and sent) and the message
 * list's `with_delivery_status`.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { api, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;

describe('message content and delivery status', () => {
  let herald: Herald;
  let receiver: Receiver;
  let appId: string;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(herald.url, method, path, body, headers);

  before(async () => {
    [herald, receiver] = await Promise.all([startTestHerald(), Receiver.start()]);
    appId = (await call('POST', '/api/v1/app', { name: 'Content Co' })).json.id;
    await call('POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/hook') });
  });
  after(async () => {
    await receiver?.close();
    await herald?.cleanup();
  });

  it('answers the bytes the receiver got, as text; 410 once expunged; 404 for an unknown message', async () => {
    const sent = await call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload: { é: '☕ </x>', n: 1e21, list: [0.1, null] } });
    const msgId = sent.json.id as string;
    await receiver.waitFor((r) => r.some((x) => x.headers['webhook-id'] === msgId));
    const received = receiver.received.find((x) => x.headers['webhook-id'] === msgId)!;
    const content = await fetch(`${herald.url}/api/v1/app/${appId}/msg/${msgId}/content`, { headers: { authorization: `Bearer ${herald.token}` } });
    assert.equal(content.status, 200);
    assert.equal(content.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.ok(Buffer.from(await content.arrayBuffer()).equals(received.body));

    assert.equal((await call('DELETE', `/api/v1/app/${appId}/msg/${msgId}/content`)).status, 204);
    const gone = await call('GET', `/api/v1/app/${appId}/msg/${msgId}/content`);
    assert.equal(gone.status, 410);
    assert.equal(gone.json.code, 'message_expunged');
    const unknown = await call('GET', `/api/v1/app/${appId}/msg/msg_nope/content`);
    assert.equal(unknown.status, 404);
  });

  it('an application token reads only its own messages\' content', async () => {
    const other = (await call('POST', '/api/v1/app', { name: 'Other Co' })).json.id;
    const token = (await call('POST', '/api/v1/token', { name: 'other', scope: 'app', appId: other })).json.token as string;
    const msgId = (await call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload: { secret: 1 } })).json.id;
    const res = await call('GET', `/api/v1/app/${appId}/msg/${msgId}/content`, undefined, { authorization: `Bearer ${token}` });
    assert.equal(res.status, 404);
    assert.ok(!res.text.includes('secret'));
  });

  it('lists delivery status only when asked', async () => {
    const plain = await call('GET', `/api/v1/app/${appId}/msg?limit=5`);
    assert.equal(plain.status, 200);
    assert.ok(plain.json.data.every((m: object) => !('deliveryStatus' in m)), 'Svix\'s shape unless asked');
    const withStatus = await call('GET', `/api/v1/app/${appId}/msg?limit=5&with_delivery_status=true`);
    for (const m of withStatus.json.data) {
      assert.deepEqual(Object.keys(m.deliveryStatus).sort(), ['canceled', 'delivered', 'failed', 'failing', 'pending']);
      assert.equal(m.deliveryStatus.delivered + m.deliveryStatus.pending + m.deliveryStatus.failing + m.deliveryStatus.failed + m.deliveryStatus.canceled, 1, 'one endpoint');
    }
    assert.equal((await call('GET', `/api/v1/app/${appId}/msg?with_delivery_status=maybe`)).status, 422);
  });
});

describe('messages an inbound source received with a body that is not a JSON object', () => {
  let herald: Herald;
  const SECRET = 'inbound-test-secret-0123456789';
  before(async () => {
    herald = await startTestHerald();
    const source = await api(herald.url, 'POST', '/api/v1/source', { name: 'Forms', uid: 'forms', verification: { type: 'github', secret: SECRET } });
    assert.equal(source.status, 201, source.text);
  });
  after(() => herald?.cleanup());

  it('are listed and shown with the body as a string (a form, XML, JSON deeper than the API takes), not a 500', async () => {
    const bodies = ['payload=%7B%22ref%22%3A1%7D', '<push ref="main"/>', `${'['.repeat(200)}${']'.repeat(200)}`];
    for (const body of bodies) {
      const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      const res = await fetch(`${herald.url}/in/forms`, {
        method: 'POST', body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': signature, 'x-github-event': 'push', 'x-github-delivery': randomUUID() },
      });
      assert.equal(res.status, 200, await res.text());
    }
    const list = await api(herald.url, 'GET', '/api/v1/app/source-forms/msg');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual((list.json.data as { payload: unknown }[]).map((m) => m.payload).sort(), [...bodies].sort());
    for (const { id } of list.json.data as { id: string }[]) {
      const one = await api(herald.url, 'GET', `/api/v1/app/source-forms/msg/${id}`);
      assert.equal(one.status, 200, one.text);
      assert.equal(typeof one.json.payload, 'string');
    }
  });
});
