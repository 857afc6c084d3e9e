import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { request } from 'undici';
import { CHAT_KINDS, type ChatKindName, type ChatMessage, type ChatVerdict } from '../../src/chat/kind.ts';
import { chatKind } from '../../src/chat/kinds/index.ts';
import { type ChatProviderOptions, type FakeChatProvider, startChatProvider } from '../helpers/chat-providers.ts';

/**
 * Each kind against its fake provider over real HTTP: what prepare(render(…)) sends is taken; a wrong secret (or, for
 * the providers without a signature, a wrong credential in the URL), a rate limit, a disabled bot and a bad body are
 * answered with the provider's documented errors; and judge reads each of those answers as it should.
 */

const MESSAGE: ChatMessage = {
  title: 'Build failed',
  text: 'Pipeline **main #42** failed at `test`.\n- 3 tests failed\n- see [the log](https://ci.example/42)',
  fields: [
    { name: 'Repository', value: 'acme/shop' },
    { name: 'Commit', value: '9f3c2e1' },
  ],
  link: { label: 'Open in Herald', url: 'https://herald.example/app/app_1/msg/msg_1' },
  severity: 'error',
};

const LONG: ChatMessage = { ...MESSAGE, title: '标题'.repeat(200), text: '日志行 <b> & "quotes"\n'.repeat(5000), fields: Array.from({ length: 40 }, (_, i) => ({ name: `字段 ${i}`, value: '值'.repeat(2000) })) };

const SECRET = 'SEC-the-right-secret';
const SIGNING = new Set<ChatKindName>(['feishu', 'dingtalk']);

const started: FakeChatProvider[] = [];
after(() => Promise.all(started.map((fake) => fake.close())));

async function fake(kind: ChatKindName, options: ChatProviderOptions = {}): Promise<FakeChatProvider> {
  const provider = await startChatProvider(kind, { ...(SIGNING.has(kind) ? { secret: SECRET } : {}), ...options });
  started.push(provider);
  return provider;
}

/** Sends what the kind prepares, as Herald will: a JSON POST; returns the kind's verdict on the answer. */
async function deliver(kind: ChatKindName, url: string, options: { message?: ChatMessage; body?: Record<string, unknown>; secret?: string | null; nowMs?: number } = {}): Promise<ChatVerdict> {
  const chat = chatKind(kind);
  const body = options.body ?? chat.render(options.message ?? MESSAGE);
  const secret = options.secret === undefined ? (SIGNING.has(kind) ? SECRET : null) : options.secret;
  const prepared = chat.prepare(url, body, secret, options.nowMs ?? Date.now());
  const answer = await request(prepared.url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: prepared.body });
  const headers = Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value]));
  return chat.judge(answer.statusCode, headers, await answer.body.text());
}

function failure(verdict: ChatVerdict): Extract<ChatVerdict, { ok: false }> {
  assert.equal(verdict.ok, false, `expected a failure, got ${JSON.stringify(verdict)}`);
  return verdict as Extract<ChatVerdict, { ok: false }>;
}

/** The provider's own words for each refusal, as its fake gives them from the docs. */
const EXPECTED_REASONS: Record<ChatKindName, { wrongCredential: RegExp; disabled: RegExp; rateLimit: RegExp; badBody: RegExp }> = {
  slack: { wrongCredential: /^Slack error 404: no_service$/, disabled: /^Slack error 404: no_service$/, rateLimit: /^Slack error 429/, badBody: /^Slack error 400: no_text$/ },
  teams: {
    wrongCredential: /^Teams error 401 DirectApiInvalidAuthorizationSignature/,
    disabled: /^Teams error 400 WorkflowTriggerIsNotEnabled/,
    rateLimit: /^Teams error 429 TooManyRequests/,
    badBody: /^Teams error 400 TriggerInputSchemaMismatch/,
  },
  discord: { wrongCredential: /^Discord error 50027: Invalid Webhook Token/, disabled: /^Discord error 10015: Unknown Webhook/, rateLimit: /^Discord error/, badBody: /^Discord error 50006: Cannot send an empty message/ },
  feishu: {
    wrongCredential: /^Feishu error 19021: sign match fail or timestamp is not within one hour from current time$/,
    disabled: /^Feishu error 19001/,
    rateLimit: /^Feishu error 11232: frequency limited/,
    badBody: /^Feishu error 19002: param invalid: msg_type$/,
  },
  dingtalk: { wrongCredential: /^DingTalk error 310000: sign not match/, disabled: /^DingTalk error 300001: token is not exist$/, rateLimit: /^DingTalk error 130101: send too fast/, badBody: /^DingTalk error 40035/ },
  wecom: { wrongCredential: /^WeCom error 93000: invalid webhook url/, disabled: /^WeCom error 93000/, rateLimit: /^WeCom error 45009: api freq out of limit$/, badBody: /^WeCom error 40008: invalid message type$/ },
};

for (const kind of CHAT_KINDS) {
  describe(kind, () => {
    test('the fake takes what prepare(render(message)) sends, and judge reads its success', async () => {
      const provider = await fake(kind);
      assert.deepEqual(await deliver(kind, provider.url), { ok: true });
      assert.equal(provider.received.length, 1);
      const received = provider.received[0]!;
      assert.match(String(received.headers['content-type']), /^application\/json/);
      const body = received.body as Record<string, unknown>;
      for (const [key, value] of Object.entries(chatKind(kind).render(MESSAGE))) assert.deepEqual(body[key], value, `${key} arrived as rendered`);
    });

    test('over-long input is cut to what the provider takes', async () => {
      const provider = await fake(kind);
      assert.deepEqual(await deliver(kind, provider.url, { message: LONG }), { ok: true });
    });

    test(SIGNING.has(kind) ? 'a wrong secret is refused with the documented error: not retried, the endpoint disabled' : 'a wrong credential in the URL is refused with the documented error: not retried, the endpoint disabled', async () => {
      const provider = await fake(kind);
      const verdict = SIGNING.has(kind) ? await deliver(kind, provider.url, { secret: 'SEC-a-wrong-secret' }) : await deliver(kind, provider.url.replace(/[^/=]+$/, 'not-the-credential'));
      const failed = failure(verdict);
      assert.match(failed.reason, EXPECTED_REASONS[kind].wrongCredential);
      assert.deepEqual({ retry: failed.retry, disable: failed.disable }, { retry: false, disable: true });
    });

    test('a rate limit is answered as documented and judged worth retrying later; then the message goes through', async () => {
      const provider = await fake(kind, { rateLimitFirst: 2 });
      for (let attempt = 0; attempt < 2; attempt++) {
        const failed = failure(await deliver(kind, provider.url));
        assert.match(failed.reason, EXPECTED_REASONS[kind].rateLimit);
        assert.equal(failed.retry, true);
        assert.equal(failed.disable, false);
        assert.ok((failed.retryAfterSeconds ?? 0) > 0, `a delay to wait: ${failed.retryAfterSeconds}`);
      }
      assert.deepEqual(await deliver(kind, provider.url), { ok: true });
      assert.equal(provider.received.length, 3);
    });

    test('a disabled or removed bot disables the endpoint', async () => {
      const provider = await fake(kind, { disabled: true });
      const failed = failure(await deliver(kind, provider.url));
      assert.match(failed.reason, EXPECTED_REASONS[kind].disabled);
      assert.deepEqual({ retry: failed.retry, disable: failed.disable }, { retry: false, disable: true });
    });

    test('a body the provider does not take is neither retried nor a reason to disable', async () => {
      const provider = await fake(kind);
      const failed = failure(await deliver(kind, provider.url, { body: { hello: 'world' } }));
      assert.match(failed.reason, EXPECTED_REASONS[kind].badBody);
      assert.deepEqual({ retry: failed.retry, disable: failed.disable }, { retry: false, disable: false });
    });
  });
}

describe('signatures outside the one-hour window', () => {
  test('Feishu refuses a timestamp over an hour old with 19021', async () => {
    const provider = await fake('feishu');
    const failed = failure(await deliver('feishu', provider.url, { nowMs: Date.now() - 2 * 3_600_000 }));
    assert.match(failed.reason, /^Feishu error 19021/);
    assert.equal(failed.disable, true);
  });
  test("DingTalk refuses one with 310000 invalid timestamp; the bot's clock decides", async () => {
    const provider = await fake('dingtalk', { now: () => Date.now() + 2 * 3_600_000 });
    const failed = failure(await deliver('dingtalk', provider.url));
    assert.equal(failed.reason, 'DingTalk error 310000: invalid timestamp');
    assert.equal(failed.disable, true);
  });
  test('an unsigned request to a bot with a secret is refused', async () => {
    for (const kind of ['feishu', 'dingtalk'] as const) {
      const provider = await fake(kind);
      const failed = failure(await deliver(kind, provider.url, { secret: null }));
      assert.equal(failed.disable, true, failed.reason);
    }
  });
});
