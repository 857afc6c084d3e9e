import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { test } from 'node:test';
import { api, runCli, startTestHerald, tempDir } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';

/** A receiver's check of a v1a signature with nothing but the whpk_ public key. */
function verifiesWithPublicKey(publicKey: string, headers: Record<string, string | string[] | undefined>, body: Buffer): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey.slice(5), 'base64').toString('base64url') }, format: 'jwk' });
  const signed = Buffer.concat([Buffer.from(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`), body]);
  return String(headers['webhook-signature']).split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    return version === 'v1a' && signature !== undefined && verify(null, signed, key, Buffer.from(signature, 'base64'));
  });
}

test('an endpoint created with --asymmetric signs v1a; its public key, from the API and the CLI, verifies deliveries', async () => {
  const receiver = await Receiver.start();
  const herald = await startTestHerald();
  const cli = { HERALD_URL: herald.url, HERALD_TOKEN: herald.token, XDG_CONFIG_HOME: tempDir('herald-cli-home-') };
  try {
    assert.equal((await api(herald.url, 'POST', '/api/v1/app', { name: 'Asym', uid: 'asym' })).status, 201);
    const created = await runCli(['endpoint', 'create', receiver.url('/asym'), '--app', 'asym', '--uid', 'edkey', '--asymmetric', '--json'], cli);
    assert.equal(created.code, 0, created.output);

    const secret = await api(herald.url, 'GET', '/api/v1/app/asym/endpoint/edkey/secret');
    assert.match(secret.json.key, /^whsk_/);
    const fromApi = await api(herald.url, 'GET', '/api/v1/app/asym/endpoint/edkey/public-key');
    assert.equal(fromApi.status, 200);
    assert.match(fromApi.json.key, /^whpk_[A-Za-z0-9+/]{43}=$/);
    const fromCli = await runCli(['endpoint', 'public-key', 'edkey', '--app', 'asym'], cli);
    assert.equal(fromCli.code, 0, fromCli.output);
    assert.equal(fromCli.output.trim(), fromApi.json.key);

    await api(herald.url, 'POST', '/api/v1/app/asym/msg', { eventType: 'invoice.paid', payload: { amount: 4200 } });
    await receiver.waitFor((all) => all.length >= 1);
    const got = receiver.received[0]!;
    assert.match(String(got.headers['webhook-signature']), /^v1a,[A-Za-z0-9+/]{86}==$/);
    assert.ok(verifiesWithPublicKey(fromApi.json.key, got.headers, got.body), 'the public key verifies the delivery');
    const tampered = Buffer.from(got.body.toString().replace('4200', '4201'));
    assert.ok(!verifiesWithPublicKey(fromApi.json.key, got.headers, tampered), 'a changed body does not verify');

    // A shared-secret endpoint has no public key, and says so.
    await api(herald.url, 'POST', '/api/v1/app/asym/endpoint', { url: receiver.url('/hmac'), uid: 'hmac' });
    const none = await api(herald.url, 'GET', '/api/v1/app/asym/endpoint/hmac/public-key');
    assert.equal(none.status, 404);
    assert.match(none.json.detail, /shared secret/);
    const bad = await api(herald.url, 'POST', '/api/v1/app/asym/endpoint', { url: receiver.url('/x'), secret: `whsk_${Buffer.alloc(64, 7).toString('base64')}` });
    assert.equal(bad.status, 422, 'a whsk_ key whose halves do not match is refused');
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});
