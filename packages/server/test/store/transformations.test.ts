/**
 * Storage conformance for endpoints' transformations.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import { T0, mkApp, mkEndpoint, mkKey } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

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
});
