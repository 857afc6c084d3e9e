/**
 * Named API tokens and their scopes, consumer portal links, and the audit log, against a real server.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Svix } from 'svix';
import { Authenticator } from '../../src/api/auth.ts';
import { ADMIN_TOKEN, api, runCli, startTestHerald, tempDir } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;

const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe('API tokens', () => {
  let herald: Herald;
  let dataDir: string;
  before(async () => {
    dataDir = tempDir();
    herald = await startTestHerald({ HERALD_DATA_DIR: dataDir });
    await api(herald.url, 'POST', '/api/v1/app', { name: 'Acme', uid: 'acme' });
    await api(herald.url, 'POST', '/api/v1/app/acme/endpoint', { url: 'https://example.com/hook', uid: 'main', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
  });
  after(() => herald.cleanup());

  it('creates a token shown once, stored only as a hash, listed without it', async () => {
    const created = await api(herald.url, 'POST', '/api/v1/token', { name: 'deploy bot', scope: 'admin' });
    assert.equal(created.status, 201);
    assert.match(created.json.token, /^herald_tok_[A-Za-z0-9_-]{43}$/);
    assert.match(created.json.id, /^tok_/);
    assert.equal(created.json.prefix, created.json.token.slice(0, created.json.prefix.length));
    assert.equal(created.json.lastUsedAt, null);
    const listed = await api(herald.url, 'GET', '/api/v1/token');
    const row = listed.json.data.find((t: { id: string }) => t.id === created.json.id);
    assert.equal(row.name, 'deploy bot');
    assert.equal(row.token, undefined);
    assert.ok(!listed.text.includes(created.json.token));

    // The admin-scoped token works like the admin token, and its use is recorded.
    const apps = await api(herald.url, 'GET', '/api/v1/app', undefined, as(created.json.token));
    assert.equal(apps.status, 200);
    const fetched = await api(herald.url, 'GET', `/api/v1/token/${created.json.id}`);
    assert.ok(fetched.json.lastUsedAt !== null, 'last use is recorded');

    // Nowhere in the database files is the token in clear.
    for (const file of readdirSync(dataDir)) {
      const bytes = readFileSync(path.join(dataDir, file));
      assert.equal(bytes.indexOf(created.json.token), -1, `${file} holds the token in clear`);
    }
  });

  it('a revoked token stops working at once', async () => {
    const { json } = await api(herald.url, 'POST', '/api/v1/token', { name: 'short-lived', scope: 'read-only' });
    assert.equal((await api(herald.url, 'GET', '/api/v1/app', undefined, as(json.token))).status, 200);
    assert.equal((await api(herald.url, 'DELETE', `/api/v1/token/${json.id}`)).status, 204);
    const after = await api(herald.url, 'GET', '/api/v1/app', undefined, as(json.token));
    assert.equal(after.status, 401);
    assert.deepEqual(after.json, { code: 'authentication_failed', detail: 'Invalid token' });
    assert.equal((await api(herald.url, 'DELETE', `/api/v1/token/${json.id}`)).status, 404);
  });

  it('read-only tokens read everything but secrets, and change nothing', async () => {
    const { json } = await api(herald.url, 'POST', '/api/v1/token', { name: 'grafana', scope: 'read-only' });
    const ro = as(json.token);
    assert.equal(json.readOnly, true);
    assert.equal((await api(herald.url, 'GET', '/api/v1/app/acme/endpoint', undefined, ro)).status, 200);
    assert.equal((await api(herald.url, 'GET', '/metrics', undefined, ro)).status, 200);
    for (const [method, route, body] of [
      ['GET', '/api/v1/app/acme/endpoint/main/secret', undefined],
      ['GET', '/api/v1/app/acme/endpoint/main/headers', undefined],
      ['POST', '/api/v1/app', { name: 'nope' }],
      ['POST', '/api/v1/app/acme/msg', { eventType: 'a', payload: {} }],
      ['DELETE', '/api/v1/app/acme', undefined],
      ['GET', '/api/v1/token', undefined],
      ['GET', '/api/v1/audit-log', undefined],
    ] as const) {
      const res = await api(herald.url, method, route, body, ro);
      assert.equal(res.status, 403, `${method} ${route}`);
      assert.equal(res.json.code, 'forbidden');
    }
    assert.equal((await api(herald.url, 'GET', '/api/v1/app/acme')).status, 200, 'nothing was deleted');
  });

  it('only admin tokens manage tokens; bad token requests are refused with 422', async () => {
    const { json } = await api(herald.url, 'POST', '/api/v1/token', { name: 'acme only', scope: 'app', appId: 'acme' });
    assert.equal((await api(herald.url, 'POST', '/api/v1/token', { name: 'x', scope: 'admin' }, as(json.token))).status, 403);
    assert.equal((await api(herald.url, 'POST', '/api/v1/token', { name: 'x', scope: 'app' })).status, 422);
    assert.equal((await api(herald.url, 'POST', '/api/v1/token', { name: 'x', scope: 'root' })).status, 422);
    assert.equal((await api(herald.url, 'POST', '/api/v1/token', { name: 'x', scope: 'app', appId: 'missing' })).status, 404);
    assert.equal((await api(herald.url, 'POST', '/api/v1/token', { name: 'x', scope: 'admin', expiresIn: 5 })).status, 422);
  });

  it('an expired token is refused as expired', async () => {
    const { json } = await api(herald.url, 'POST', '/api/v1/token', { name: 'soon gone', scope: 'admin', expiresIn: 60 });
    const now = Date.now();
    // Asked at a time past the expiry (the HTTP path uses the wall clock, and a test does not wait a minute).
    const auth = new Authenticator(herald.store, Buffer.alloc(32), herald.log);
    assert.equal((await auth.authenticate(`Bearer ${json.token}`, now)).name, 'soon gone');
    await assert.rejects(auth.authenticate(`Bearer ${json.token}`, now + 61_000), /Token expired/);
  });

  it('portal access: a link and token that reach one application, read-only when asked, expiring', async () => {
    await api(herald.url, 'POST', '/api/v1/app', { name: 'Other', uid: 'other' });
    const res = await api(herald.url, 'POST', '/api/v1/auth/app-portal-access/acme', { expiry: 3600 });
    assert.equal(res.status, 200);
    assert.match(res.json.token, /^herald_portal_/);
    assert.equal(res.json.url, `${herald.url}/ui/portal#token=${res.json.token}`);
    // Without HERALD_PUBLIC_URL the link names the host the request came to.
    const viaName = await herald.server!.inject({
      method: 'POST', url: '/api/v1/auth/app-portal-access/acme', payload: {}, headers: { host: 'herald.example.com', ...as(ADMIN_TOKEN) },
    });
    assert.match(viaName.json().url, /^http:\/\/herald\.example\.com\/ui\/portal#token=herald_portal_/);
    const portal = as(res.json.token);
    assert.equal((await api(herald.url, 'GET', '/api/v1/app/acme/endpoint', undefined, portal)).status, 200);
    assert.equal((await api(herald.url, 'GET', '/api/v1/app/acme/endpoint/main/secret', undefined, portal)).status, 200);
    assert.equal((await api(herald.url, 'GET', '/api/v1/app/other', undefined, portal)).status, 404);
    assert.equal((await api(herald.url, 'GET', '/api/v1/app', undefined, portal)).status, 403);
    assert.equal((await api(herald.url, 'POST', '/api/v1/app/acme/endpoint', { url: 'https://example.com/2' }, portal)).status, 201);

    const listed = await api(herald.url, 'GET', '/api/v1/token?portal=true');
    const link = listed.json.data.find((t: { prefix: string }) => res.json.token.startsWith(t.prefix));
    assert.equal(link.appId, (await api(herald.url, 'GET', '/api/v1/app/acme')).json.id);
    assert.ok(Math.abs(Date.parse(link.expiresAt) - (Date.now() + 3_600_000)) < 10_000);

    const me = await api(herald.url, 'GET', '/api/v1/auth/me', undefined, portal);
    assert.deepEqual({ ...me.json, tokenId: undefined }, { tokenId: undefined, name: 'portal acme', scope: 'app', appId: link.appId, readOnly: false });
    assert.deepEqual((await api(herald.url, 'GET', '/api/v1/auth/me')).json, { tokenId: null, name: 'admin', scope: 'admin', appId: null, readOnly: false });
    const ro = await api(herald.url, 'POST', '/api/v1/auth/app-portal-access/acme', { readOnly: true });
    assert.equal((await api(herald.url, 'GET', '/api/v1/app/acme/msg', undefined, as(ro.json.token))).status, 200);
    assert.equal((await api(herald.url, 'POST', '/api/v1/app/acme/endpoint', { url: 'https://example.com/3' }, as(ro.json.token))).status, 403);
    assert.equal((await api(herald.url, 'POST', '/api/v1/auth/app-portal-access/missing', {})).status, 404);

    // The official client's call works unchanged, and its token reaches that application.
    const svix = new Svix(ADMIN_TOKEN, { serverUrl: herald.url });
    const access = await svix.authentication.appPortalAccess('acme', { expiry: 600 } as never);
    assert.match(access.url, /\/ui\/portal#token=herald_portal_/);
    const consumer = new Svix(access.token, { serverUrl: herald.url });
    assert.equal((await consumer.endpoint.list('acme')).data.length >= 1, true);
    await assert.rejects(consumer.application.get('other'), (err: { code?: number }) => err.code === 404);
    assert.equal((await api(herald.url, 'POST', '/api/v1/auth/app-portal-access/acme', { expiry: 1 })).status, 422);

    // The client's logout ends the token it is called with, read-only ones included; the admin token cannot end.
    await consumer.authentication.logout();
    await assert.rejects(consumer.endpoint.list('acme'), (err: { code?: number }) => err.code === 401);
    assert.equal((await api(herald.url, 'POST', '/api/v1/auth/logout', undefined, as(ro.json.token))).status, 204);
    assert.equal((await api(herald.url, 'GET', '/api/v1/app/acme/msg', undefined, as(ro.json.token))).status, 401);
    assert.equal((await api(herald.url, 'GET', '/api/v1/app/acme/msg', undefined, portal)).status, 200, 'other links live on');
    const admin = await api(herald.url, 'POST', '/api/v1/auth/logout');
    assert.equal(admin.status, 409);
    assert.match(admin.json.detail, /cannot be revoked/);
    assert.equal((await api(herald.url, 'GET', '/api/v1/app')).status, 200);
  });

  it('the audit log records who changed what, when and from where; reads and refused changes are not in it', async () => {
    const { json: bot } = await api(herald.url, 'POST', '/api/v1/token', { name: 'audit bot', scope: 'app', appId: 'acme' });
    const since = new Date().toISOString();
    const created = await api(herald.url, 'POST', '/api/v1/app/acme/endpoint', { url: 'https://example.com/audited', uid: 'audited' }, as(bot.token));
    await api(herald.url, 'PATCH', '/api/v1/app/acme/endpoint/audited', { description: 'changed' }, as(bot.token));
    await api(herald.url, 'GET', '/api/v1/app/acme/endpoint/audited', undefined, as(bot.token));
    await api(herald.url, 'DELETE', '/api/v1/app/acme', undefined, as(bot.token));
    await api(herald.url, 'DELETE', '/api/v1/app/acme/endpoint/audited');
    // Entries are written once the answer is out: wait for the last change's.
    const log = await until('the admin\'s DELETE in the audit log', async () => {
      const got = await api(herald.url, 'GET', `/api/v1/audit-log?since=${encodeURIComponent(since)}`);
      return got.json.data.some((e: any) => e.method === 'DELETE' && e.resourceId === 'audited') && got;
    });
    assert.equal(log.status, 200);
    // The token's own creation may be logged just after `since` (entries are written after the answer).
    const changes = log.json.data.filter((e: any) => e.route !== '/api/v1/token');
    const rows = changes.map((e: any) => [e.actorName, e.method, e.route, e.statusCode, e.resourceId]);
    assert.deepEqual(rows, [
      ['admin', 'DELETE', '/api/v1/app/:app_id/endpoint/:endpoint_id', 204, 'audited'],
      ['audit bot', 'PATCH', '/api/v1/app/:app_id/endpoint/:endpoint_id', 200, 'audited'],
      ['audit bot', 'POST', '/api/v1/app/:app_id/endpoint', 201, created.json.id],
    ]);
    const entry = changes[2];
    assert.equal(entry.actorId, bot.id);
    assert.equal(entry.ip, '127.0.0.1');
    assert.equal(entry.appId, bot.appId);
    assert.ok(Date.parse(entry.timestamp) >= Date.parse(since));
    const byToken = await api(herald.url, 'GET', `/api/v1/audit-log?token_id=${bot.id}`);
    assert.equal(byToken.json.data.length, 2);
    const byApp = await api(herald.url, 'GET', `/api/v1/audit-log?app_id=acme&limit=1`);
    assert.equal(byApp.json.data.length, 1);
    assert.equal(byApp.json.done, false);
  });

  it('herald token create|list|revoke, portal-link and audit list from the CLI', async () => {
    const env = { HERALD_URL: herald.url, HERALD_TOKEN: ADMIN_TOKEN };
    const created = await runCli(['token', 'create', '--name', 'cli token', '--scope', 'app', '--app', 'acme', '--read-only', '--expires-in', '30d', '--json'], env);
    assert.equal(created.code, 0, created.output);
    const token = JSON.parse(created.stdout);
    assert.equal(token.readOnly, true);
    const listed = await runCli(['token', 'list'], env);
    assert.match(listed.stdout, /cli token/);
    assert.match(listed.stdout, /cli token\s+app, read-only\s+app_\w+/);
    assert.equal((await runCli(['app', 'get', 'acme'], { HERALD_URL: herald.url, HERALD_TOKEN: token.token })).code, 0);
    assert.equal((await runCli(['app', 'list'], { HERALD_URL: herald.url, HERALD_TOKEN: token.token })).code, 4);
    const revoked = await runCli(['token', 'revoke', token.id], env);
    assert.equal(revoked.code, 0, revoked.output);
    assert.equal((await runCli(['app', 'get', 'acme'], { HERALD_URL: herald.url, HERALD_TOKEN: token.token })).code, 4);
    const link = await runCli(['portal-link', 'acme', '--expires-in', '1h'], env);
    assert.match(link.stdout.trim(), /^http:\/\/127\.0\.0\.1:\d+\/ui\/portal#token=herald_portal_/);
    const audit = await runCli(['audit', 'list', '--limit', '5'], env);
    assert.match(audit.stdout, /DELETE \/api\/v1\/token\/tok_/);
    assert.equal((await runCli(['token', 'create', '--name', 'x', '--scope', 'app'], env)).code, 2);
  });
});
