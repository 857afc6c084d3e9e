/**
 * Storage conformance for API tokens and the audit log, run against every backend (SQLite, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { HeraldError } from '../../src/lib/errors.ts';
import type { ApiToken, App, AuditEntry, Storage } from '../../src/store/storage.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();
const T0 = 1_700_000_000_000;

const mkApp = (id: string): App => ({ id, uid: null, name: id, metadata: {}, throttleRate: null, createdAt: T0, updatedAt: T0 });

const mkToken = (id: string, over: Partial<ApiToken> = {}): ApiToken => ({
  id, name: `token ${id}`, tokenHash: `hash-${id}`, prefix: 'herald_tok_abc', scope: 'admin', appId: null, readOnly: false,
  rateLimit: null, portal: false, createdBy: 'admin', createdAt: T0, expiresAt: null, lastUsedAt: null, ...over,
});

const mkEntry = (id: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id, at: T0, actorId: null, actorName: 'admin', actorScope: 'admin', ip: '127.0.0.1', requestId: 'req-1', method: 'POST',
  route: '/api/v1/app', path: '/api/v1/app', status: 201, appId: null, resourceId: null, ...over,
});

const page = (limit = 50, iterator: string | null = null, order: 'ascending' | 'descending' = 'ascending') => ({ limit, iterator, order });

describeEachBackend('access store', backends, (withStore) => {
  withStore('a token round-trips and is found by its hash only', async (store) => {
    await store.catalog.createApp(mkApp('app_1'));
    const token = mkToken('tok_1', { scope: 'app', appId: 'app_1', readOnly: true, rateLimit: 5, expiresAt: T0 + 1000 });
    await store.access.createApiToken(token);
    assert.deepEqual(await store.access.findApiTokenByHash('hash-tok_1'), token);
    assert.deepEqual(await store.access.getApiToken('tok_1'), token);
    assert.equal(await store.access.findApiTokenByHash('hash-other'), undefined);
    await assert.rejects(store.access.createApiToken(mkToken('tok_2', { tokenHash: 'hash-tok_1' })), (err: HeraldError) => err.statusCode === 409);
  });

  withStore('tokens list apart from portal links, paginated', async (store) => {
    for (const id of ['tok_a', 'tok_b', 'tok_c']) await store.access.createApiToken(mkToken(id));
    await store.access.createApiToken(mkToken('tok_p', { portal: true }));
    const first = await store.access.listApiTokens({}, page(2));
    assert.deepEqual(first.data.map((t) => t.id), ['tok_a', 'tok_b']);
    assert.equal(first.done, false);
    const second = await store.access.listApiTokens({}, page(2, first.iterator));
    assert.deepEqual(second.data.map((t) => t.id), ['tok_c']);
    assert.deepEqual((await store.access.listApiTokens({ portal: true }, page())).data.map((t) => t.id), ['tok_p']);
  });

  withStore('revoking, last use and expiry', async (store) => {
    await store.access.createApiToken(mkToken('tok_1', { expiresAt: T0 }));
    await store.access.createApiToken(mkToken('tok_2', { expiresAt: T0 + 10_000 }));
    await store.access.createApiToken(mkToken('tok_3'));
    await store.access.noteApiTokenUsed('tok_3', T0 + 5);
    assert.equal((await store.access.getApiToken('tok_3'))?.lastUsedAt, T0 + 5);
    assert.equal(await store.access.deleteExpiredApiTokens(T0 + 1), 1);
    assert.equal(await store.access.getApiToken('tok_1'), undefined);
    assert.equal(await store.access.deleteApiToken('tok_2'), true);
    assert.equal(await store.access.deleteApiToken('tok_2'), false);
    assert.deepEqual((await store.access.listApiTokens({}, page())).data.map((t) => t.id), ['tok_3']);
  });

  withStore("an application's tokens go with it", async (store) => {
    await store.catalog.createApp(mkApp('app_1'));
    await store.access.createApiToken(mkToken('tok_1', { scope: 'app', appId: 'app_1' }));
    await store.catalog.deleteApp('app_1');
    assert.equal(await store.access.getApiToken('tok_1'), undefined);
  });

  withStore('audit entries round-trip and filter by application, token and time', async (store) => {
    const entries = [
      mkEntry('audit_1', { appId: 'app_1', at: T0 }),
      mkEntry('audit_2', { appId: 'app_2', at: T0 + 10, actorId: 'tok_9', actorName: 'ci', actorScope: 'app' }),
      mkEntry('audit_3', { appId: 'app_1', at: T0 + 20, method: 'DELETE', status: 204, resourceId: 'ep_1' }),
    ];
    for (const e of entries) await store.access.appendAuditEntry(e);
    assert.deepEqual((await store.access.listAuditEntries({}, page(50, null, 'descending'))).data, [...entries].reverse());
    assert.deepEqual((await store.access.listAuditEntries({ appId: 'app_1' }, page())).data.map((e) => e.id), ['audit_1', 'audit_3']);
    assert.deepEqual((await store.access.listAuditEntries({ actorId: 'tok_9' }, page())).data.map((e) => e.id), ['audit_2']);
    assert.deepEqual((await store.access.listAuditEntries({ since: T0 + 10, until: T0 + 20 }, page())).data.map((e) => e.id), ['audit_2']);
  });
});
