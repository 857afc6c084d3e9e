/**
 * Storage conformance for endpoints' authentication: none until set, replaced as a whole, cleared, gone with its
 * endpoint, never written for a missing one, and re-sealed with the other secrets when the master key is rotated.
 * Run against every backend (test/helpers/stores.ts).
 */
import assert from 'node:assert/strict';
import { MasterKey } from '../../src/security/key-format.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import type { EndpointAuth } from '../../src/store/storage.ts';
import { T0, mkApp, mkEndpoint, mkKey } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

const BASIC: EndpointAuth = { basic: { username: 'alice', password: 'open sesame' }, oauth2: null, clientCertificate: null };
const OAUTH2: EndpointAuth = {
  basic: null,
  oauth2: { tokenUrl: 'https://auth.example.com/token', clientId: 'herald', clientSecret: 's3cret', scope: null, audience: 'https://api.example.com', clientAuth: 'body' },
  clientCertificate: { certificate: '-----BEGIN CERTIFICATE-----\n…', privateKey: '-----BEGIN PRIVATE KEY-----\n…', passphrase: null, ca: null },
};

describeEachBackend('endpoint authentication store', backends, (test) => {
  test('none until set, replaced as a whole, cleared, gone with its endpoint, never written for a missing one', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k1'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    const auth = store.endpointAuth;
    assert.equal(await auth.getEndpointAuth('ep_1'), null);
    assert.equal(await auth.setEndpointAuth('ep_1', BASIC, T0), true);
    assert.deepEqual(await auth.getEndpointAuth('ep_1'), BASIC);
    assert.equal(await auth.setEndpointAuth('ep_1', OAUTH2, T0 + 1), true);
    assert.deepEqual(await auth.getEndpointAuth('ep_1'), OAUTH2, 'replaced, not merged');
    assert.equal(await auth.getEndpointAuth('ep_2'), null, "another endpoint's is its own");

    assert.equal(await auth.setEndpointAuth('ep_gone', BASIC, T0), false);
    assert.equal(await auth.getEndpointAuth('ep_gone'), null);

    assert.equal(await auth.clearEndpointAuth('ep_1'), true);
    assert.equal(await auth.clearEndpointAuth('ep_1'), false, 'nothing left to clear');
    assert.equal(await auth.getEndpointAuth('ep_1'), null);

    await auth.setEndpointAuth('ep_2', BASIC, T0);
    await store.catalog.deleteEndpoint('ep_2');
    assert.equal(await auth.getEndpointAuth('ep_2'), null, 'deleted with its endpoint');
  });

  test('a rotated master key re-seals it with the other secrets, and it stays readable', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k1'));
    const rotate = () => store.keys.rotateEncryptionKey(new SecretBox([MasterKey.generate()], 'the next key'));
    const without = await rotate();
    await store.endpointAuth.setEndpointAuth('ep_1', OAUTH2, T0);
    assert.equal(await rotate(), without + 1, 'one more value re-sealed');
    assert.deepEqual(await store.endpointAuth.getEndpointAuth('ep_1'), OAUTH2);
  });
});
