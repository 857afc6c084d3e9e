import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  formatSecret, generateAsymmetricSecret, generateSecret, parseSecret, publicKeyOf, signatureHeader, signV1, signV1a, verifyV1,
} from '../../src/delivery/signing.ts';

// The Standard Webhooks spec's v1 vector (libraries/javascript "sign function works", also Svix's worker tests).
const VECTOR = {
  secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  expected: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

test('v1 signature matches the Standard Webhooks test vector', () => {
  assert.equal(signV1(VECTOR.secret, VECTOR.msgId, VECTOR.timestamp, VECTOR.payload), VECTOR.expected);
  assert.equal(signV1(VECTOR.secret, VECTOR.msgId, VECTOR.timestamp, Buffer.from(VECTOR.payload)), VECTOR.expected);
});

test('whsec_ secrets parse to the raw key; bad ones are refused', () => {
  assert.equal(parseSecret(`whsec_${VECTOR.secret}`), VECTOR.secret);
  assert.equal(parseSecret(VECTOR.secret), VECTOR.secret);
  assert.equal(parseSecret('whsec_'), null);
  assert.equal(parseSecret(''), null);
  assert.equal(parseSecret('whsec_tooshort'), null);
  assert.equal(parseSecret('whsec_' + 'A'.repeat(31) + '!'), null);
});

test('a signature header with several keys verifies against each of them (rotation grace period)', () => {
  const oldKey = generateSecret();
  const newKey = generateSecret();
  const header = signatureHeader([newKey, oldKey], VECTOR.msgId, VECTOR.timestamp, VECTOR.payload);
  assert.equal(header.split(' ').length, 2);
  assert.ok(verifyV1(oldKey, VECTOR.msgId, VECTOR.timestamp, VECTOR.payload, header));
  assert.ok(verifyV1(newKey, VECTOR.msgId, VECTOR.timestamp, VECTOR.payload, header));
  assert.ok(!verifyV1(generateSecret(), VECTOR.msgId, VECTOR.timestamp, VECTOR.payload, header));
});

test('verification rejects the spec negative cases', () => {
  const { secret, msgId, timestamp, payload } = VECTOR;
  assert.ok(verifyV1(secret, msgId, timestamp, payload, `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,x ${VECTOR.expected}`));
  assert.ok(!verifyV1(secret, msgId, timestamp, payload, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA='));
  assert.ok(!verifyV1(secret, msgId, timestamp, payload, 'v1,'));
  assert.ok(!verifyV1(secret, msgId, timestamp, payload + ' ', VECTOR.expected));
  assert.ok(!verifyV1(secret, msgId, timestamp + 1, payload, VECTOR.expected));
});

test('the standardwebhooks package accepts what Herald signs', () => {
  const secret = generateSecret();
  const ts = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ type: 'user.signup', data: { id: 1, name: 'Zoë' } });
  const headers = { 'webhook-id': 'msg_abc', 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([secret], 'msg_abc', ts, body) };
  const wh = new Webhook(formatSecret(secret));
  assert.deepEqual(wh.verify(body, headers), JSON.parse(body));
  assert.throws(() => wh.verify(body.replace('Zoë', 'Zoe'), headers));
});

// The Standard Webhooks spec's v1a example, equal to the Svix server's test_asymmetric_key_signing.
const V1A = {
  secret: 'whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==',
  publicKey: 'whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  expected: 'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==',
};

test('v1a (ed25519) signature matches the spec vector, and the public key is derived from the secret', () => {
  assert.equal(signV1a(V1A.secret, V1A.msgId, V1A.timestamp, V1A.payload), V1A.expected);
  assert.equal(signatureHeader([V1A.secret], V1A.msgId, V1A.timestamp, V1A.payload), V1A.expected);
  assert.equal(publicKeyOf(V1A.secret), V1A.publicKey);
  assert.equal(publicKeyOf(generateSecret()), null, 'a shared secret has no public key');
  assert.equal(parseSecret(V1A.secret), V1A.secret, 'whsk_ secrets are kept with their prefix');
  assert.equal(formatSecret(V1A.secret), V1A.secret);
});

test('whsk_ secrets whose public half does not match the seed, or of the wrong length, are refused', () => {
  const raw = Buffer.from(V1A.secret.slice(5), 'base64');
  const tampered = Buffer.from(raw);
  tampered[40] = tampered[40]! ^ 1;
  assert.equal(parseSecret(`whsk_${tampered.toString('base64')}`), null);
  assert.equal(parseSecret(`whsk_${raw.subarray(0, 32).toString('base64')}`), null);
  const fresh = generateAsymmetricSecret();
  assert.equal(parseSecret(fresh), fresh);
  assert.match(fresh, /^whsk_[A-Za-z0-9+/]{86}==$/);
});

test('a key rotation from a shared secret to ed25519 signs with both kinds during the grace period', () => {
  const shared = generateSecret();
  const header = signatureHeader([V1A.secret, shared], V1A.msgId, V1A.timestamp, V1A.payload);
  assert.deepEqual(header.split(' ').map((s) => s.split(',')[0]), ['v1a', 'v1']);
  assert.ok(verifyV1(shared, V1A.msgId, V1A.timestamp, V1A.payload, header));
});
