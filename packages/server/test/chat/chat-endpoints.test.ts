import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CHAT_KINDS, type ChatKindName } from '../../src/chat/kind.ts';
import { startChatProvider, type FakeChatProvider } from '../helpers/chat-providers.ts';
import { api, deliveriesSettled, runCli, startTestHerald } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';

/**
 * Chat endpoints delivered by the engine to local fakes of each tool that check the tool's documented body and
 * signature and answer with its documented success and error bodies: every kind delivers; a wrong secret is the
 * tool's own error in the attempt log, is not retried and disables the endpoint; a rate limit is retried no sooner
 * than the tool asked; the tool's default rate applies.
 */

type AttemptOut = { status: number; response: string; responseStatusCode: number };

describe('chat endpoints', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  const providers: FakeChatProvider[] = [];
  before(async () => {
    herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '0.2,0.2,0.2', HERALD_PUBLIC_URL: 'https://herald.example.com' });
  });
  after(async () => {
    await herald.cleanup();
    for (const provider of providers) await provider.close();
  });

  const provider = async (kind: ChatKindName, options: Parameters<typeof startChatProvider>[1] = {}) => {
    const started = await startChatProvider(kind, options);
    providers.push(started);
    return started;
  };
  const app = async (name: string) => (await api(herald.url, 'POST', '/api/v1/app', { name })).json.id as string;
  const endpoint = async (appId: string, body: Record<string, unknown>) => {
    const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, body);
    assert.equal(res.status, 201, res.text);
    return res.json as { id: string; kind: string; chatSigned: boolean };
  };
  const publish = async (appId: string, eventType: string, payload: unknown) =>
    (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType, payload })).json.id as string;
  const attemptsOf = async (appId: string, msgId: string): Promise<AttemptOut[]> =>
    (await api(herald.url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}`)).json.data;

  for (const kind of CHAT_KINDS) {
    test(`${kind}: a message arrives as the tool's own message, signed when the tool signs`, async () => {
      const signs = kind === 'feishu' || kind === 'dingtalk';
      const fake = await provider(kind, signs ? { secret: 'SECmysecret' } : {});
      const appId = await app(kind);
      const ep = await endpoint(appId, { url: fake.url, kind, ...(signs && { chatSecret: 'SECmysecret' }) });
      assert.equal(ep.kind, kind);
      assert.equal(ep.chatSigned, signs);
      const msgId = await publish(appId, 'build.failed', { repo: 'acme/api', branch: 'main', status: 'failed' });
      await deliveriesSettled(herald, appId);
      const [attempt] = await attemptsOf(appId, msgId);
      assert.equal(attempt!.status, 0, `${kind}: ${attempt!.response}`);
      assert.equal(fake.received.length, 1, 'the fake took it (it refuses a body or signature not as documented)');
      const text = JSON.stringify(fake.received[0]!.body);
      assert.match(text, /Build failed/, 'titled from the event type');
      assert.match(text, /acme\/api/, 'the payload\'s fields are in it');
      assert.match(text, new RegExp(`https://herald.example.com/ui/#/apps/${appId}/messages/${msgId}`.replace(/[/.#]/g, '\\$&')), 'it links to the message');
    });
  }

  test('a transformation that changes the payload gives the tool its body as it is; one that does not leaves the wording to Herald', async () => {
    const fake = await provider('slack');
    const appId = await app('transformed chat');
    const ep = await endpoint(appId, { url: fake.url, kind: 'slack' });
    const code = `function handler(webhook) {
      if (webhook.payload.custom) webhook.payload = { text: 'Deploy of ' + webhook.payload.service + ' is done :rocket:' };
      return webhook;
    }`;
    assert.equal((await api(herald.url, 'PATCH', `/api/v1/app/${appId}/endpoint/${ep.id}/transformation`, { code, enabled: true })).status, 204);
    await publish(appId, 'deploy.done', { custom: true, service: 'api' });
    await publish(appId, 'deploy.done', { custom: false, service: 'web' });
    await deliveriesSettled(herald, appId);
    const bodies = fake.received.map((r) => r.body as Record<string, unknown>);
    assert.deepEqual(bodies.find((b) => !b['blocks']), { text: 'Deploy of api is done :rocket:' });
    assert.ok(bodies.some((b) => Array.isArray(b['blocks']) && JSON.stringify(b).includes('web')), 'the untouched one was worded by Herald');
  });

  test('a wrong secret is the tool\'s own error in the attempt log, is not retried, and disables the endpoint', async () => {
    const fake = await provider('feishu', { secret: 'right-secret' });
    const appId = await app('wrong secret');
    const ep = await endpoint(appId, { url: fake.url, kind: 'feishu', chatSecret: 'wrong-secret' });
    const msgId = await publish(appId, 'deploy.finished', { service: 'api' });
    await deliveriesSettled(herald, appId);
    const attempts = await attemptsOf(appId, msgId);
    assert.equal(attempts.length, 1, 'no retry');
    assert.equal(attempts[0]!.status, 2);
    assert.equal(attempts[0]!.responseStatusCode, 200, 'Feishu answers 200 with its error in the body');
    assert.match(attempts[0]!.response, /19021/);
    await until('the endpoint disabled', async () => (await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint/${ep.id}`)).json.disabled === true, 5000);
  });

  test('a rate limit is retried, no sooner than the tool asked, and goes through once allowed', async () => {
    const fake = await provider('discord', { rateLimitFirst: 1 });
    const appId = await app('rate limited');
    const ep = await endpoint(appId, { url: fake.url, kind: 'discord' });
    const msgId = await publish(appId, 'alert.firing', { alert: 'HighLatency' });
    await until('the rate-limited attempt', async () => (await attemptsOf(appId, msgId)).length === 1, 5000);
    const [limited] = await attemptsOf(appId, msgId);
    assert.equal(limited!.responseStatusCode, 429);
    assert.match(limited!.response, /rate limit/i);
    const delivery = (await api(herald.url, 'GET', `/api/v1/app/${appId}/msg/${msgId}/endpoint`)).json.data[0];
    assert.equal(delivery.status, 1, 'pending: it will be retried');
    assert.ok(Date.parse(delivery.nextAttempt) - Date.now() >= 50_000, `retried no sooner than a minute (${delivery.nextAttempt})`);
    // A resend now stands for the retry: the tool's limit has passed in the fake.
    assert.equal((await api(herald.url, 'POST', `/api/v1/app/${appId}/msg/${msgId}/endpoint/${ep.id}/resend`)).status, 202);
    await until('delivered', async () => (await attemptsOf(appId, msgId)).some((a) => a.status === 0), 5000);
  });

  test('a tool\'s documented rate applies when the endpoint sets none', async () => {
    const fake = await provider('wecom');
    const appId = await app('wecom rate');
    await endpoint(appId, { url: fake.url, kind: 'wecom' });
    for (let i = 0; i < 3; i++) await publish(appId, 'job.done', { i });
    await until('the first message', async () => fake.received.length >= 1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // 20 a minute: one now, the next about three seconds later.
    assert.equal(fake.received.length, 1, 'the rest wait for the tool\'s rate');
  });

  test('herald endpoint create --kind dingtalk --secret, then send-test: the test message arrives signed', async () => {
    const fake = await provider('dingtalk', { secret: 'SECcli' });
    const appId = await app('cli chat');
    const env = { HERALD_URL: herald.url, HERALD_TOKEN: herald.token };
    const created = await runCli(['endpoint', 'create', fake.url, '--app', appId, '--kind', 'dingtalk', '--secret', 'SECcli', '--uid', 'ops-room', '--json'], env);
    assert.equal(created.code, 0, created.output);
    assert.deepEqual([JSON.parse(created.stdout).kind, JSON.parse(created.stdout).chatSigned], ['dingtalk', true]);
    const sent = await runCli(['endpoint', 'send-test', 'ops-room', '--app', appId], env);
    assert.equal(sent.code, 0, sent.output);
    await until('the test message at the robot', async () => fake.received.length === 1, 5000);
    assert.match(JSON.stringify(fake.received[0]!.body), /Herald test/);
    const updated = await runCli(['endpoint', 'update', 'ops-room', '--app', appId, '--chat-template', '{"title":"Ops: {{eventType}}"}', '--json'], env);
    assert.equal(updated.code, 0, updated.output);
    assert.deepEqual(JSON.parse(updated.stdout).chatTemplate, { title: 'Ops: {{eventType}}' });
    assert.equal(JSON.parse(updated.stdout).chatSigned, true, 'the secret was kept');
  });

  test('bad chat settings are refused with 422 and change nothing', async () => {
    const appId = await app('refused');
    for (const body of [
      { url: 'https://hooks.slack.com/services/T/B/X', kind: 'slack', chatSecret: 'no-such-thing' },
      { url: 'https://example.com/hook', chatTemplate: { title: 'x' } },
      { url: 'https://example.com/hook', kind: 'irc' },
      { url: 'https://oapi.dingtalk.com/robot/send?access_token=x', kind: 'dingtalk', chatTemplate: { colour: 'red' } },
    ]) {
      const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.text}`);
    }
    assert.equal((await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint`)).json.data.length, 0);
  });
});

describe('chat previews and Herald\'s own alerts', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let fake: FakeChatProvider;
  before(async () => {
    herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '', HERALD_PUBLIC_URL: 'https://herald.example.com' });
    fake = await startChatProvider('slack');
  });
  after(async () => {
    await herald.cleanup();
    await fake.close();
  });

  test('the preview shows the wording and the tool\'s body for an example, with the endpoint\'s template or one being tried', async () => {
    const appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'preview' })).json.id;
    const ep = (await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: fake.url, kind: 'slack', chatTemplate: { title: 'Build {{payload.status}}', fields: ['repo'] } })).json;
    const preview = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint/${ep.id}/chat-preview`, { eventType: 'ci.build', payload: { status: 'failed', repo: 'acme/api', sha: 'abc' } });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.json.message.title, 'Build failed');
    assert.deepEqual(preview.json.message.fields, [{ name: 'repo', value: 'acme/api' }]);
    assert.ok(Array.isArray(preview.json.body.blocks), 'Slack blocks');
    const tried = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint/${ep.id}/chat-preview`, { eventType: 'ci.build', payload: { status: 'ok' }, chatTemplate: null });
    assert.equal(tried.json.message.title, 'Ci build', 'Herald\'s default when the template tried is null');
    assert.equal(fake.received.length, 0, 'nothing was sent');
    const plain = (await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: fake.url })).json;
    assert.equal((await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint/${plain.id}/chat-preview`, { eventType: 'a', payload: {} })).status, 422);
  });

  test('an operational webhook endpoint of a chat kind tells operators in their chat when an endpoint is disabled', async () => {
    const ops = await api(herald.url, 'POST', '/api/v1/operational-webhook/endpoint', { url: fake.url, kind: 'slack', filterTypes: ['endpoint.disabled'] });
    assert.equal(ops.status, 201, ops.text);
    const appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'gone' })).json.id;
    const gone = await startChatProvider('discord', { disabled: true });
    try {
      const ep = (await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: gone.url, kind: 'discord' })).json;
      await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'x.y', payload: {} });
      await until('the operators\' chat message', async () => fake.received.length === 1, 10_000);
      const text = JSON.stringify(fake.received[0]!.body);
      assert.match(text, /Endpoint disabled/);
      assert.match(text, new RegExp(ep.id));
      assert.match(text, /Unknown Webhook/, 'the reason is the chat tool\'s own words');
    } finally {
      await gone.close();
    }
  });
});

describe('Herald\'s own circuit alerts in chat', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let ops: FakeChatProvider;
  before(async () => {
    herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '', HERALD_CIRCUIT_BREAKER_AFTER: '3' });
    ops = await startChatProvider('wecom');
  });
  after(async () => {
    await herald.cleanup();
    await ops.close();
  });

  test('the circuit opening and closing again reach the operators\' chat', async () => {
    const created = await api(herald.url, 'POST', '/api/v1/operational-webhook/endpoint', {
      url: ops.url, kind: 'wecom', throttleRate: 100, filterTypes: ['endpoint.circuit.opened', 'endpoint.circuit.closed'],
    });
    assert.equal(created.status, 201, created.text);
    let healthy = false;
    const receiver = createServer((_req, res) => res.writeHead(healthy ? 200 : 503).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'flaky' })).json.id;
      const ep = (await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, uid: 'flaky-hook' })).json;
      for (let i = 0; i < 4; i++) await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'x.y', payload: { i } });
      await until('the circuit-opened message', async () => ops.received.length >= 1, 10_000);
      assert.match(JSON.stringify(ops.received[0]!.body), /Endpoint circuit opened/);
      assert.match(JSON.stringify(ops.received[0]!.body), new RegExp(ep.id));
      healthy = true;
      await until('the circuit-closed message after a successful probe', async () => ops.received.length >= 2, 20_000);
      assert.match(JSON.stringify(ops.received[1]!.body), /Endpoint circuit closed/);
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
  });
});
