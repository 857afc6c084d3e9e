/**
 * Storage conformance for settings (and what every store reports about itself).
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

describeEachBackend('settings store', backends, (test) => {
  test('reports its dialect', async (store, { backend }) => {
    assert.equal(store.dialect, backend.name);
  });

  test('settings: missing is undefined; set, get, overwrite', async (store) => {
    assert.equal(await store.settings.getSetting('admin_token_hash'), undefined);
    await store.settings.setSetting('admin_token_hash', 'first ✓');
    await store.settings.setSetting('other', 'x');
    assert.equal(await store.settings.getSetting('admin_token_hash'), 'first ✓');
    await store.settings.setSetting('admin_token_hash', 'second');
    assert.equal(await store.settings.getSetting('admin_token_hash'), 'second');
    assert.equal(await store.settings.getSetting('other'), 'x');
  });
});
