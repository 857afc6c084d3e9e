import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { formatSecret, generateSecret, parseSecret, signatureHeader, signV1, verifyV1 } from '../src/delivery/signing.ts';

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
