import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { api, deliveriesSettled, startTestHerald, storeEndpointUrl } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';
import { Receiver, type Received } from '../helpers/receiver.ts';
import { useTestServer, type Herald } from '../helpers/test-server.ts';

async function setup(herald: Herald, endpoint: Record<string, unknown>) {
  const app = await api(herald.url, 'POST', '/api/v1/app', { name: 'deliveries' });
  assert.equal(app.status, 201);
  const ep = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, endpoint);
  assert.equal(ep.status, 201, ep.text);
  const secret = await api(herald.url, 'GET', `/api/v1/app/${app.json.id}/endpoint/${ep.json.id}/secret`);
  return { appId: app.json.id as string, endpointId: ep.json.id as string, secret: secret.json.key as string };
}

async function publish(herald: Herald, appId: string, body: Record<string, unknown>) {
  const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg?with_content=true`, body);
  assert.equal(res.status, 202, res.text);
  return res.json as { id: string };
}

async function attemptsOf(herald: Herald, appId: string, msgId: string) {
  const res = await api(herald.url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}?limit=250&order=ascending`);
  assert.equal(res.status, 200, res.text);
  return res.json.data as { id: string; status: number; responseStatusCode: number; response: string; triggerType: number; timestamp: string }[];
}


const headersOf = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

describe('delivery to a real receiver', () => {
  const server = useTestServer({ receiver: true, env: { HERALD_RETRY_SCHEDULE: '1,1', HERALD_REQUEST_TIMEOUT: '2' } });


  test('a message arrives once, byte for byte, signed the Standard Webhooks way, with custom headers', async () => {
    const { appId, secret } = await setup(server.herald, { url: server.receiver.url('/signed'), headers: { 'X-Team': 'payments', Authorization: 'Bearer s3cret' } });
    const payload = { type: 'invoice.paid', data: { amount: 1234, note: 'über ✓', nested: { list: [1, 2, 3] } } };
    const msg = await publish(server.herald, appId, { eventType: 'invoice.paid', payload });
    await server.receiver.waitFor((all) => all.some((r) => r.path === '/signed'));
    const [got] = server.receiver.on('/signed');
    assert.ok(got);
    assert.equal(got.body.toString('utf8'), JSON.stringify(payload));
    assert.equal(got.headers['webhook-id'], msg.id);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['x-team'], 'payments');
    assert.match(String(got.headers['user-agent']), /^Herald-Webhooks\//);
    assert.ok(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000) < 5);
    const verified = new Webhook(secret).verify(got.body.toString('utf8'), headersOf(got));
    assert.deepEqual(verified, payload);
    assert.throws(() => new Webhook('whsec_' + Buffer.alloc(24, 7).toString('base64')).verify(got.body.toString('utf8'), headersOf(got)));

    const attempts = await until('the attempt record', async () => {
      const list = await attemptsOf(server.herald, appId, msg.id);
      return list.length === 1 && list;
    });
    assert.equal(attempts[0]!.status, 0);
    assert.equal(attempts[0]!.responseStatusCode, 200);
    assert.equal(attempts[0]!.response, 'ok');
    // The attempt log keeps what was sent, but only the names of the endpoint's custom headers.
    const sent = await server.call('GET', `/api/v1/app/${appId}/msg/${msg.id}/attempt/${attempts[0]!.id}/headers`);
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.json.sensitive.sort(), ['authorization', 'x-team']);
    assert.doesNotMatch(sent.text, /s3cret|payments/);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type', 'user-agent']) {
      assert.equal(sent.json.headers[name], got.headers[name], `${name} as the receiver got it`);
    }
    assert.equal((await server.call('GET', `/api/v1/app/${appId}/msg/${msg.id}/attempt/atmpt_nope/headers`)).status, 404);
    await deliveriesSettled(server.herald, appId);
    assert.equal(server.receiver.on('/signed').length, 1, 'delivered exactly once');
  });

  test('fan-out honours event types, channels and disabled endpoints', async () => {
    const app = (await server.call('POST', '/api/v1/app', { name: 'fanout' })).json;
    const mk = async (path: string, extra: Record<string, unknown>) =>
      assert.equal((await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url(path), ...extra })).status, 201);
    await mk('/fan/all', {});
    await mk('/fan/signup-only', { eventTypes: ['user.signup'] });
    await mk('/fan/legacy-filter', { filterTypes: ['user.deleted'] });
    await mk('/fan/channel-eu', { channels: ['eu'] });
    await mk('/fan/disabled', { disabled: true });
    await publish(server.herald, app.id, { eventType: 'user.signup', payload: { n: 1 } });
    await publish(server.herald, app.id, { eventType: 'user.deleted', payload: { n: 2 }, channels: ['eu'] });
    await publish(server.herald, app.id, { eventType: 'user.updated', payload: { n: 3 }, channels: ['us'] });
    await server.receiver.waitFor((all) => all.filter((r) => r.path.startsWith('/fan/')).length >= 5);
    await deliveriesSettled(server.herald, app.id);
    const bodies = (path: string) => server.receiver.on(path).map((r) => JSON.parse(r.body.toString()).n as number).sort();
    assert.deepEqual(bodies('/fan/all'), [1, 2, 3]);
    assert.deepEqual(bodies('/fan/signup-only'), [1]);
    assert.deepEqual(bodies('/fan/legacy-filter'), [2]);
    assert.deepEqual(bodies('/fan/channel-eu'), [2]);
    assert.deepEqual(bodies('/fan/disabled'), []);
  });

  test('failures retry on the schedule with the same webhook-id until they succeed', async () => {
    let calls = 0;
    const { appId } = await setup(server.herald, { url: server.receiver.url('/flaky') });
    const previous = server.receiver.responder;
    server.receiver.responder = (req, res) => {
      if (req.path !== '/flaky') return previous(req, res);
      calls++;
      res.writeHead(calls <= 2 ? 500 : 204).end(calls <= 2 ? 'boom' : undefined);
    };
    const msg = await publish(server.herald, appId, { eventType: 'x.y', payload: { retry: true } });
    await server.receiver.waitFor(() => calls >= 3, 15_000, 'three calls');
    const got = server.receiver.on('/flaky');
    assert.equal(new Set(got.map((r) => r.headers['webhook-id'])).size, 1);
    const gaps = got.slice(1).map((r, i) => r.at - got[i]!.at);
    for (const gap of gaps) assert.ok(gap >= 700 && gap < 3000, `retry gap ${gap} ms should be about 1 s ±20 %`);
    const attempts = await until('three attempts', async () => {
      const list = await attemptsOf(server.herald, appId, msg.id);
      return list.length === 3 && list;
    });
    assert.deepEqual(attempts.map((a) => [a.status, a.responseStatusCode]), [[2, 500], [2, 500], [0, 204]]);
    assert.equal(attempts[0]!.response, 'boom');
    server.receiver.responder = previous;
  });

  test('after the last scheduled retry the message is failed for that endpoint', async () => {
    const { appId, endpointId } = await setup(server.herald, { url: server.receiver.url('/always-500') });
    const previous = server.receiver.responder;
    server.receiver.responder = (req, res) => (req.path === '/always-500' ? res.writeHead(500).end() : previous(req, res));
    const msg = await publish(server.herald, appId, { eventType: 'x.y', payload: {} });
    const status = await until('the delivery to fail', async () => {
      const res = await server.call('GET', `/api/v1/app/${appId}/msg/${msg.id}/endpoint`);
      return res.json.data[0]?.statusText === 'fail' && res.json.data[0];
    }, 15_000);
    assert.equal(status.nextAttempt, null);
    assert.equal((await attemptsOf(server.herald, appId, msg.id)).length, 3, '1 attempt + 2 retries');
    const stats = await server.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}/stats`);
    assert.deepEqual(stats.json, { success: 0, pending: 0, sending: 0, fail: 1, canceled: 0 });
    server.receiver.responder = previous;
  });

  test('a redirect is not followed and counts as a failure', async () => {
    const { appId } = await setup(server.herald, { url: server.receiver.url('/redirect') });
    const previous = server.receiver.responder;
    server.receiver.responder = (req, res) =>
      req.path === '/redirect' ? res.writeHead(302, { location: server.receiver.url('/redirect-target') }).end() : previous(req, res);
    const msg = await publish(server.herald, appId, { eventType: 'x.y', payload: {} });
    const attempts = await until('the 302 attempt', async () => {
      const list = await attemptsOf(server.herald, appId, msg.id);
      return list.length >= 1 && list;
    });
    assert.equal(attempts[0]!.responseStatusCode, 302);
    assert.equal(attempts[0]!.status, 2);
    assert.equal(server.receiver.on('/redirect-target').length, 0);
    server.receiver.responder = previous;
  });

  test('Retry-After is honoured within [scheduled, 2 × scheduled]', async () => {
    const { appId } = await setup(server.herald, { url: server.receiver.url('/retry-after') });
    const previous = server.receiver.responder;
    let calls = 0;
    server.receiver.responder = (req, res) => {
      if (req.path !== '/retry-after') return previous(req, res);
      calls++;
      if (calls === 1) res.writeHead(500, { 'retry-after': '2' }).end();
      else res.writeHead(200).end();
    };
    await publish(server.herald, appId, { eventType: 'x.y', payload: {} });
    await server.receiver.waitFor(() => calls >= 2, 10_000, 'the retry');
    const [first, second] = server.receiver.on('/retry-after');
    const gap = second!.at - first!.at;
    assert.ok(gap >= 1900 && gap < 3500, `gap ${gap} ms should be the 2 s the receiver asked for`);
    server.receiver.responder = previous;
  });

  test('a timeout is recorded as a failed attempt with a clear message', async () => {
    const { appId } = await setup(server.herald, { url: server.receiver.url('/hang') });
    const previous = server.receiver.responder;
    server.receiver.responder = (req, res) => (req.path === '/hang' ? undefined : previous(req, res));
    const msg = await publish(server.herald, appId, { eventType: 'x.y', payload: {} });
    const attempts = await until('the timed-out attempt', async () => {
      const list = await attemptsOf(server.herald, appId, msg.id);
      return list.length >= 1 && list;
    });
    assert.equal(attempts[0]!.responseStatusCode, 0);
    assert.match(attempts[0]!.response, /timed out after 2s/);
    server.receiver.responder = previous;
  });

  test('after a rotation both the new and the old secret verify, until the grace period ends', async () => {
    const { appId, endpointId, secret: oldSecret } = await setup(server.herald, { url: server.receiver.url('/rotated') });
    const rotate = await server.call('POST', `/api/v1/app/${appId}/endpoint/${endpointId}/secret/rotate`, { gracePeriodSeconds: 3600 });
    assert.equal(rotate.status, 204, rotate.text);
    const newSecret = (await server.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}/secret`)).json.key;
    assert.notEqual(newSecret, oldSecret);
    await publish(server.herald, appId, { eventType: 'x.y', payload: { rotated: 1 } });
    await server.receiver.waitFor((all) => all.some((r) => r.path === '/rotated'));
    const got = server.receiver.on('/rotated')[0]!;
    assert.equal(String(got.headers['webhook-signature']).split(' ').length, 2);
    new Webhook(newSecret).verify(got.body.toString(), headersOf(got));
    new Webhook(oldSecret).verify(got.body.toString(), headersOf(got));

    await server.call('POST', `/api/v1/app/${appId}/endpoint/${endpointId}/secret/rotate`, { gracePeriodSeconds: 0 });
    const newest = (await server.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}/secret`)).json.key;
    await publish(server.herald, appId, { eventType: 'x.y', payload: { rotated: 2 } });
    await server.receiver.waitFor(() => server.receiver.on('/rotated').length >= 2);
    const second = server.receiver.on('/rotated')[1]!;
    assert.equal(String(second.headers['webhook-signature']).split(' ').length, 2, 'the newest key and the first one, still in its hour of grace');
    new Webhook(newest).verify(second.body.toString(), headersOf(second));
    new Webhook(oldSecret).verify(second.body.toString(), headersOf(second));
    assert.throws(() => new Webhook(newSecret).verify(second.body.toString(), headersOf(second)), 'a key rotated away with no grace no longer signs');
  });

  test('an endpoint that hangs and one that fails everything do not hold back a healthy one', async () => {
    const app = (await server.call('POST', '/api/v1/app', { name: 'isolation' })).json;
    const make = async (path: string) => (await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url(path) })).json.id as string;
    const stuck = await make('/stuck');
    const failing = await make('/failing');
    await make('/healthy');
    const previous = server.receiver.responder;
    server.receiver.responder = (req, res) => {
      if (req.path === '/stuck') return undefined; // never answers: each attempt runs into the 2 s timeout
      if (req.path === '/failing') return res.writeHead(500).end('down');
      return previous(req, res);
    };
    for (let i = 0; i < 40; i++) await publish(server.herald, app.id, { eventType: 'x.y', payload: { i } });
    await server.receiver.waitFor(() => server.receiver.on('/healthy').length >= 40, 10_000, 'healthy deliveries');
    // Causal, not a stopwatch: the healthy endpoint got everything while the first attempts to the stuck one were
    // still hanging (none has timed out and been recorded yet) and the failing one was being answered with 500s.
    const stuckAttempts = (await server.call('GET', `/api/v1/app/${app.id}/attempt/endpoint/${stuck}`)).json.data;
    assert.equal(stuckAttempts.length, 0, 'no attempt to the hanging endpoint has finished yet');
    assert.equal(server.receiver.on('/stuck').length, 10, 'exactly the per-endpoint concurrency is stuck in flight');
    const failingAttempts = (await server.call('GET', `/api/v1/app/${app.id}/attempt/endpoint/${failing}`)).json.data;
    assert.ok(failingAttempts.length >= 10, 'the failing endpoint was being tried alongside');
    server.receiver.responder = previous;
  });

  test('throttleRate on an endpoint and on an app limits messages per second', async () => {
    const { appId } = await setup(server.herald, { url: server.receiver.url('/throttled'), throttleRate: 5 });
    const started = Date.now();
    for (let i = 0; i < 15; i++) await publish(server.herald, appId, { eventType: 'x.y', payload: { i } });
    await server.receiver.waitFor(() => server.receiver.on('/throttled').length >= 15, 10_000, 'throttled deliveries');
    const times = server.receiver.on('/throttled').map((r) => r.at - started);
    // A full bucket (5) at once, then 5 per second: the 15th cannot arrive before 2 s.
    assert.ok(times[14]! >= 1_800, `15 messages at 5/s took ${times[14]} ms`);
    assert.ok(times.filter((t) => t < 900).length <= 5 + 4, 'no more than the burst plus the first refill in the first 0.9 s');

    const app = (await server.call('POST', '/api/v1/app', { name: 'app-throttled', throttleRate: 4 })).json;
    await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/app-a') });
    await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/app-b') });
    const appStarted = Date.now();
    for (let i = 0; i < 6; i++) await publish(server.herald, app.id, { eventType: 'x.y', payload: { i } });
    await server.receiver.waitFor(() => server.receiver.on('/app-a').length + server.receiver.on('/app-b').length >= 12, 10_000, 'app-throttled deliveries');
    const last = Math.max(...[...server.receiver.on('/app-a'), ...server.receiver.on('/app-b')].map((r) => r.at)) - appStarted;
    assert.ok(last >= 1_800, `12 deliveries under an app rate of 4/s across both endpoints took ${last} ms`);
  });

  test('an ordered endpoint gets its messages strictly in creation order, retries included; others stay concurrent', async () => {
    const app = (await server.call('POST', '/api/v1/app', { name: 'ordered' })).json;
    const ordered = await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/ordered'), ordered: true });
    assert.equal(ordered.status, 201, ordered.text);
    assert.equal(ordered.json.ordered, true);
    await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/free') });
    const previous = server.receiver.responder;
    const calls = new Map<number, number>();
    server.receiver.responder = (req, res) => {
      if (req.path === '/free') return setTimeout(() => res.writeHead(200).end(), 300);
      if (req.path !== '/ordered') return previous(req, res);
      const n = JSON.parse(req.body.toString()).n as number;
      calls.set(n, (calls.get(n) ?? 0) + 1);
      // Message 2 fails once then succeeds; message 4 always fails (exhausted after 3 attempts); the rest succeed.
      const fail = (n === 2 && calls.get(n)! < 2) || n === 4;
      res.writeHead(fail ? 500 : 200).end();
    };
    for (let n = 0; n < 8; n++) await publish(server.herald, app.id, { eventType: 'x.y', payload: { n } });
    await server.receiver.waitFor(() => server.receiver.on('/free').length >= 8, 5_000, 'the unordered endpoint');
    const freeSpan = Math.max(...server.receiver.on('/free').map((r) => r.at)) - Math.min(...server.receiver.on('/free').map((r) => r.at));
    assert.ok(freeSpan < 250, `the unordered endpoint got all 8 at once (${freeSpan} ms apart, each answer takes 300 ms)`);
    await server.receiver.waitFor(() => server.receiver.on('/ordered').some((r) => JSON.parse(r.body.toString()).n === 7), 15_000, 'the last ordered message');
    const sequence = server.receiver.on('/ordered').map((r) => JSON.parse(r.body.toString()).n as number);
    assert.deepEqual(sequence, [0, 1, 2, 2, 3, 4, 4, 4, 5, 6, 7], 'each waits until the one before succeeded or failed for good');
    server.receiver.responder = previous;
  });

  test('410 Gone disables the endpoint at once; nothing more is sent to it', async () => {
    const { appId, endpointId } = await setup(server.herald, { url: server.receiver.url('/gone') });
    const previous = server.receiver.responder;
    server.receiver.responder = (req, res) => (req.path === '/gone' ? res.writeHead(410).end('gone for good') : previous(req, res));
    const first = await publish(server.herald, appId, { eventType: 'x.y', payload: { n: 1 } });
    const ep = await until('the endpoint to be disabled', async () => {
      const got = (await server.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}`)).json;
      return got.disabled === true && got;
    });
    assert.equal(ep.disabled, true);
    const attempts = await until('the 410 attempt', async () => {
      const list = await attemptsOf(server.herald, appId, first.id);
      return list.length === 1 && list;
    });
    assert.equal(attempts[0]!.responseStatusCode, 410);
    const state = (await server.call('GET', `/api/v1/app/${appId}/msg/${first.id}/endpoint`)).json.data[0];
    assert.equal(state.statusText, 'fail', 'no retry after 410');
    await publish(server.herald, appId, { eventType: 'x.y', payload: { n: 2 } });
    await deliveriesSettled(server.herald, appId);
    assert.equal(server.receiver.on('/gone').length, 1, 'nothing is left to retry, and the disabled endpoint gets no new message');
    server.receiver.responder = previous;
  });

  test('a receiver stops retries of a message with webhook-delivery: abort-message', async () => {
    const { appId, endpointId } = await setup(server.herald, { url: server.receiver.url('/abort') });
    const previous = server.receiver.responder;
    server.receiver.responder = (req, res) =>
      req.path === '/abort' ? res.writeHead(500, { 'webhook-delivery': 'abort-message' }).end('stop') : previous(req, res);
    const msg = await publish(server.herald, appId, { eventType: 'x.y', payload: {} });
    const state = await until('the delivery to fail', async () => {
      const d = (await server.call('GET', `/api/v1/app/${appId}/msg/${msg.id}/endpoint`)).json.data[0];
      return d?.statusText === 'fail' && d;
    });
    assert.equal(state.nextAttempt, null);
    await deliveriesSettled(server.herald, appId);
    assert.equal(server.receiver.on('/abort').length, 1, 'not retried');
    const ep = (await server.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}`)).json;
    assert.equal(ep.disabled, false, 'only the message is given up, not the endpoint');
    server.receiver.responder = previous;
  });

  test('expunged content is never sent; the delivery log stays', async () => {
    const { appId, endpointId } = await setup(server.herald, { url: server.receiver.url('/expunged') });
    const msg = await publish(server.herald, appId, { eventType: 'x.y', payload: { secret: 'pii' }, deliverAt: new Date(Date.now() + 800).toISOString() });
    const gone = await server.call('DELETE', `/api/v1/app/${appId}/msg/${msg.id}/content`);
    assert.equal(gone.status, 204, gone.text);
    const read = await server.call('GET', `/api/v1/app/${appId}/msg/${msg.id}?with_content=true`);
    assert.deepEqual(read.json.payload, {}, 'the payload is gone from the API');
    assert.equal(read.json.eventType, 'x.y', 'the metadata stays');
    const attempts = await until('the attempt', async () => {
      const list = await attemptsOf(server.herald, appId, msg.id);
      return list.length === 1 && list;
    });
    assert.equal(attempts[0]!.response, 'not sent: the message content was expunged');
    assert.equal(server.receiver.on('/expunged').length, 0);
    const sent = await server.call('GET', `/api/v1/app/${appId}/msg/${msg.id}/attempt/${attempts[0]!.id}/headers`);
    assert.deepEqual(sent.json, { headers: null, sensitive: [] }, 'nothing was sent, so no headers were');
    const resend = await server.call('POST', `/api/v1/app/${appId}/msg/${msg.id}/endpoint/${endpointId}/resend`);
    assert.equal(resend.status, 400);
    assert.equal(resend.json.code, 'message_expunged');
    assert.equal((await server.call('DELETE', `/api/v1/app/${appId}/msg/msg_nope/content`)).status, 404);
  });

  test('deliverAt holds a message until its time', async () => {
    const { appId } = await setup(server.herald, { url: server.receiver.url('/later') });
    const at = Date.now() + 1500;
    await publish(server.herald, appId, { eventType: 'x.y', payload: {}, deliverAt: new Date(at).toISOString() });
    await server.receiver.waitFor(() => server.receiver.on('/later').length >= 1, 5_000);
    assert.ok(server.receiver.on('/later')[0]!.at >= at - 20, 'not before deliverAt');
  });

  test('a manual resend sends again with trigger type manual', async () => {
    const { appId, endpointId } = await setup(server.herald, { url: server.receiver.url('/resend') });
    const msg = await publish(server.herald, appId, { eventType: 'x.y', payload: { again: true } });
    await until('the first attempt', async () => (await attemptsOf(server.herald, appId, msg.id)).length === 1);
    const res = await server.call('POST', `/api/v1/app/${appId}/msg/${msg.id}/endpoint/${endpointId}/resend`);
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, {});
    await server.receiver.waitFor(() => server.receiver.on('/resend').length >= 2);
    const attempts = await until('two attempts', async () => {
      const list = await attemptsOf(server.herald, appId, msg.id);
      return list.length === 2 && list;
    });
    assert.deepEqual(attempts.map((a) => a.triggerType), [0, 1]);
    assert.equal(server.receiver.on('/resend')[1]!.headers['webhook-id'], msg.id);
  });
});

describe('resend while an attempt is in flight', () => {
  test('the resend is accepted and follows the attempt in flight', async () => {
    const herald = await startTestHerald();
    const receiver = await Receiver.start();
    receiver.responder = (_req, res) => setTimeout(() => res.writeHead(200).end('slow ok'), 300);
    try {
      const { appId, endpointId } = await setup(herald, { url: receiver.url('/slow') });
      const msg = await publish(herald, appId, { eventType: 'x.y', payload: {} });
      await receiver.waitFor(() => receiver.on('/slow').length >= 1);
      const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg/${msg.id}/endpoint/${endpointId}/resend`);
      assert.equal(res.status, 202, res.text);
      await receiver.waitFor(() => receiver.on('/slow').length >= 2, 5_000, 'the resent delivery');
      const attempts = await until('both attempts', async () => {
        const list = await attemptsOf(herald, appId, msg.id);
        return list.length === 2 && list;
      });
      assert.deepEqual(attempts.map((a) => a.triggerType), [0, 1]);
      const state = await until('the delivery to settle', async () => {
        const d = (await api(herald.url, 'GET', `/api/v1/app/${appId}/msg/${msg.id}/endpoint`)).json.data[0];
        return d?.statusText === 'success' && d;
      });
      assert.equal(state.nextAttempt, null);
      await deliveriesSettled(herald, appId);
      assert.equal(receiver.on('/slow').length, 2, 'sent exactly twice');
    } finally {
      await herald.cleanup();
      await receiver.close();
    }
  });
});

describe('the private-address guard in a running server', () => {
  test('a delivery to a loopback target is refused as an attempt with a clear error', async () => {
    const herald = await startTestHerald({ HERALD_ALLOW_PRIVATE_TARGETS: 'false', HERALD_RETRY_SCHEDULE: '60' });
    const receiver = await Receiver.start();
    try {
      // Created at a public name, then stored at loopback (as an endpoint saved before the API refused that would be).
      const { appId, endpointId } = await setup(herald, { url: 'https://example.com/private' });
      await storeEndpointUrl(herald, appId, endpointId, receiver.url('/private'));
      const msg = await publish(herald, appId, { eventType: 'x.y', payload: {} });
      const attempts = await until('the refused attempt', async () => {
        const list = await attemptsOf(herald, appId, msg.id);
        return list.length >= 1 && list;
      });
      assert.equal(attempts[0]!.status, 2);
      assert.equal(attempts[0]!.responseStatusCode, 0);
      assert.match(attempts[0]!.response, /refused to deliver to 127\.0\.0\.1: it is a loopback address/);
      assert.equal(receiver.received.length, 0);
      assert.equal((await api(herald.url, 'GET', '/api/v1/health')).status, 204, 'the server is still up');
    } finally {
      await herald.cleanup();
      await receiver.close();
    }
  });
});
