/**
 * Storage conformance for endpoints' and inbound sources' transformations.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import { T0, mkApp, mkEndpoint, mkKey } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';
import type { Source } from '../../src/store/storage.ts';

const backends = await loadBackends();

const mkSource = (id: string, appId: string): Source => ({
  id, uid: null, name: id, appId, verification: { type: 'none' }, response: { status: 202, body: null, contentType: null },
  inspect: false, dedupeWindowSeconds: 0, signForwarded: false, createdAt: T0, updatedAt: T0,
});

describeEachBackend('transformations store', backends, (test) => {
  test('transformations: none until set, patched field by field, removed, gone with their endpoint, never written for a missing one', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k1'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    const t = store.transformations;
    assert.deepEqual(await t.getEndpointTransformation('ep_1'), { code: null, enabled: false, updatedAt: null });

    const code = 'function handler(webhook) { return webhook; }';
    assert.deepEqual(await t.patchEndpointTransformation('ep_1', { code }, T0), { code, enabled: false, updatedAt: T0 });
    assert.deepEqual(await t.patchEndpointTransformation('ep_1', { enabled: true }, T0 + 1), { code, enabled: true, updatedAt: T0 + 1 }, 'the code stays when only enabled is given');
    assert.deepEqual(await t.getEndpointTransformation('ep_1'), { code, enabled: true, updatedAt: T0 + 1 });
    assert.deepEqual(await t.patchEndpointTransformation('ep_1', {}, T0 + 2), { code, enabled: true, updatedAt: T0 + 2 }, 'an empty patch changes nothing but the time');
    assert.deepEqual(await t.patchEndpointTransformation('ep_1', { code: null, enabled: false }, T0 + 3), { code: null, enabled: false, updatedAt: T0 + 3 }, 'code: null removes it');
    assert.deepEqual(await t.getEndpointTransformation('ep_2'), { code: null, enabled: false, updatedAt: null }, "another endpoint's is its own");
    assert.deepEqual(await t.patchEndpointTransformation('ep_2', { enabled: true }, T0), { code: null, enabled: true, updatedAt: T0 }, 'enabled first, code later is allowed');

    assert.equal(await t.patchEndpointTransformation('ep_gone', { code }, T0), undefined, 'nothing for an endpoint that does not exist');
    assert.deepEqual(await t.getEndpointTransformation('ep_gone'), { code: null, enabled: false, updatedAt: null });

    await t.patchEndpointTransformation('ep_1', { code }, T0 + 4);
    await store.catalog.deleteEndpoint('ep_1');
    assert.deepEqual(await t.getEndpointTransformation('ep_1'), { code: null, enabled: false, updatedAt: null }, 'deleted with its endpoint');
  });

  test("sources' transformations: their own table, patched the same way, gone with their source", async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('src_1', 'app_A'), mkKey('k1'));
    await store.inbound.createSource(mkSource('src_1', 'app_S'), mkApp('app_S'));
    const t = store.transformations;
    const code = 'function handler(webhook) { webhook.cancel = true; return webhook; }';
    assert.deepEqual(await t.getSourceTransformation('src_1'), { code: null, enabled: false, updatedAt: null });
    assert.deepEqual(await t.patchSourceTransformation('src_1', { code, enabled: true }, T0), { code, enabled: true, updatedAt: T0 });
    assert.deepEqual(await t.patchSourceTransformation('src_1', { enabled: false }, T0 + 1), { code, enabled: false, updatedAt: T0 + 1 });
    assert.deepEqual(await t.getEndpointTransformation('src_1'), { code: null, enabled: false, updatedAt: null }, 'an endpoint with the same id has its own');
    assert.equal(await t.patchSourceTransformation('src_gone', { code }, T0), undefined, 'nothing for a source that does not exist');
    await store.inbound.deleteSource('src_1');
    assert.deepEqual(await t.getSourceTransformation('src_1'), { code: null, enabled: false, updatedAt: null }, 'deleted with its source');
  });
});
