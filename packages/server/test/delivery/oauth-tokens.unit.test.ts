import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OAuthTokens, type TokenAnswer, type TokenPost } from '../../src/delivery/oauth-tokens.ts';
import type { OAuth2ClientCredentials } from '../../src/store/slices/endpoint-auth.ts';

/**
 * The OAuth token cache on a fake clock against a fake token server: one request for many attempts, asked again early
 * (before the token runs out), a refused token replaced, one request shared by attempts that need a token at once,
 * client authentication as HTTP basic or in the form, and a failed request said in words.
 */

const SETTINGS: OAuth2ClientCredentials = {
  tokenUrl: 'https://auth.example.com/token', clientId: 'herald client', clientSecret: 's3cr+t/=', scope: 'hooks:write', audience: null, clientAuth: 'basic',
};

function rig(answer: (post: TokenPost, n: number) => TokenAnswer | Promise<TokenAnswer>) {
  let now = 1_000_000;
  const posts: TokenPost[] = [];
  const tokens = new OAuthTokens({
    now: () => now,
    post: async (post) => {
      posts.push(post);
      return answer(post, posts.length);
    },
  });
  return { tokens, posts, advance: (ms: number) => (now += ms) };
}

const issued = (n: number, expiresIn?: number): TokenAnswer => ({
  statusCode: 200, timedOut: false, body: JSON.stringify({ access_token: `token-${n}`, token_type: 'Bearer', ...(expiresIn !== undefined && { expires_in: expiresIn }) }),
});

test('one token request serves every attempt until shortly before the token runs out', async () => {
  const { tokens, posts, advance } = rig((_post, n) => issued(n, 3600));
  for (let i = 0; i < 5; i++) assert.deepEqual(await tokens.token('ep_1', SETTINGS, 1_000), { ok: true, token: 'token-1' });
  assert.equal(posts.length, 1);
  // 90 % of an hour is earlier than 30 s before its end.
  advance(3_239_000);
  assert.deepEqual(await tokens.token('ep_1', SETTINGS, 1_000), { ok: true, token: 'token-1' });
  advance(1_000);
  assert.deepEqual(await tokens.token('ep_1', SETTINGS, 1_000), { ok: true, token: 'token-2' });
  assert.equal(posts.length, 2);
});

test('a 5-minute token is asked for again 30 s before its end, a 4-second one after half its life, one without expires_in after 5 minutes', async () => {
  for (const [expiresIn, keptMs] of [[300, 270_000], [4, 2_000], [undefined, 300_000]] as const) {
    const { tokens, posts, advance } = rig((_post, n) => issued(n, expiresIn));
    await tokens.token('ep_1', SETTINGS, 1_000);
    advance(keptMs - 1);
    await tokens.token('ep_1', SETTINGS, 1_000);
    assert.equal(posts.length, 1, `expires_in ${expiresIn}: still held`);
    advance(1);
    assert.deepEqual(await tokens.token('ep_1', SETTINGS, 1_000), { ok: true, token: 'token-2' }, `expires_in ${expiresIn}: asked again`);
  }
});

test('a refused token is replaced; a token held by another endpoint or other settings is not shared', async () => {
  const { tokens, posts } = rig((_post, n) => issued(n, 3600));
  const first = await tokens.token('ep_1', SETTINGS, 1_000);
  assert.ok(first.ok);
  tokens.refused('ep_1', SETTINGS, 'token-0');
  assert.deepEqual(await tokens.token('ep_1', SETTINGS, 1_000), first, 'refusing a token no longer held changes nothing');
  tokens.refused('ep_1', SETTINGS, first.token);
  assert.deepEqual(await tokens.token('ep_1', SETTINGS, 1_000), { ok: true, token: 'token-2' });
  assert.deepEqual(await tokens.token('ep_2', SETTINGS, 1_000), { ok: true, token: 'token-3' });
  assert.deepEqual(await tokens.token('ep_1', { ...SETTINGS, clientSecret: 'rotated' }, 1_000), { ok: true, token: 'token-4' });
  assert.equal(posts.length, 4);
});

test('attempts that need a token at once share one request', async () => {
  let release!: () => void;
  const answered = new Promise<void>((resolve) => (release = resolve));
  const { tokens, posts } = rig(async (_post, n) => {
    await answered;
    return issued(n, 60);
  });
  const waiting = Array.from({ length: 10 }, () => tokens.token('ep_1', SETTINGS, 1_000));
  release();
  for (const result of await Promise.all(waiting)) assert.deepEqual(result, { ok: true, token: 'token-1' });
  assert.equal(posts.length, 1);
});

test('the client id and secret go form-encoded as HTTP basic (client_secret_basic), or in the form (client_secret_post)', async () => {
  const { tokens, posts } = rig((_post, n) => issued(n));
  await tokens.token('ep_1', SETTINGS, 1_500);
  await tokens.token('ep_2', { ...SETTINGS, clientAuth: 'body', scope: null, audience: 'https://api.example.com' }, 1_500);
  const [basic, body] = posts;
  assert.equal(basic!.url, SETTINGS.tokenUrl);
  assert.equal(basic!.timeoutMs, 1_500);
  assert.equal(basic!.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(Buffer.from(basic!.headers['authorization']!.replace(/^Basic /, ''), 'base64').toString(), 'herald+client:s3cr%2Bt%2F%3D');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(basic!.body)), { grant_type: 'client_credentials', scope: 'hooks:write' });
  assert.equal(body!.headers['authorization'], undefined);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(body!.body)), {
    grant_type: 'client_credentials', audience: 'https://api.example.com', client_id: 'herald client', client_secret: 's3cr+t/=',
  });
});

test('a failed token request says why, and the next attempt asks again', async () => {
  const answers: TokenAnswer[] = [
    { statusCode: 401, timedOut: false, body: '{"error":"invalid_client"}' },
    { statusCode: null, timedOut: false, body: 'ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:443' },
    { statusCode: null, timedOut: true, body: 'timed out after 1s' },
    { statusCode: 200, timedOut: false, body: '{"token_type":"Bearer"}' },
    { statusCode: 200, timedOut: false, body: '<html>' },
    { statusCode: 200, timedOut: false, body: '{"access_token":"t","token_type":"DPoP"}' },
  ];
  const { tokens, posts } = rig((_post, n) => answers[n - 1]!);
  const reasons = [];
  for (let i = 0; i < answers.length; i++) {
    const result = await tokens.token('ep_1', SETTINGS, 1_000);
    assert.equal(result.ok, false);
    if (!result.ok) reasons.push([result.reason, result.timedOut]);
  }
  const failed = 'OAuth token request to https://auth.example.com/token failed: ';
  assert.deepEqual(reasons, [
    [`${failed}401 {"error":"invalid_client"}`, false],
    [`${failed}ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:443`, false],
    [`${failed}timed out after 1s`, true],
    [`${failed}the 200 answer has no access_token`, false],
    [`${failed}the 200 answer is not JSON: <html>`, false],
    [`${failed}the token is of type DPoP; only Bearer tokens are supported`, false],
  ]);
  assert.equal(posts.length, answers.length);
});

test('an attempt waiting for a shared request gives up at its own deadline', async () => {
  const { tokens } = rig(() => new Promise<TokenAnswer>(() => {}));
  const result = await tokens.token('ep_1', SETTINGS, 50);
  assert.deepEqual(result, { ok: false, reason: 'OAuth token request to https://auth.example.com/token failed: timed out after 0.05s', timedOut: true });
});
