import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { diagnose, type VerifyInput } from '../../src/cli/verify.ts';
import { signatureHeader } from '../../src/delivery/signing.ts';
import { runCli, tempDir } from '../helpers/herald.ts';

// The Standard Webhooks v1 vector.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const SIG = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const input = (over: Partial<VerifyInput> = {}): VerifyInput => ({
  secret: SECRET, id: ID, timestamp: String(TS), signature: SIG, body: Buffer.from(BODY), toleranceSeconds: 300, nowSeconds: TS + 10, ...over,
});

test('the spec vector verifies; an old timestamp is named even when the signature matches', () => {
  assert.deepEqual(diagnose(input()), { valid: true, reasons: ['signature valid; timestamp 10 s old, within ±300 s'] });
  const old = diagnose(input({ nowSeconds: TS + 3_600 }));
  assert.equal(old.valid, false);
  assert.match(old.reasons[0]!, /timestamp outside tolerance: 3600 s old .* the signature itself matches/);
  assert.match(diagnose(input({ nowSeconds: TS - 900 })).reasons[0]!, /900 s in the future/);
});

test('a changed body is told apart where it can be: re-serialized JSON, trailing newline', () => {
  const compactSig = signatureHeader(['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], ID, TS, '{"test":2432232314}');
  const reserialized = diagnose(input({ signature: compactSig, body: Buffer.from('{ "test" : 2432232314 }') }));
  assert.equal(reserialized.valid, false);
  assert.match(reserialized.reasons[1]!, /re-serialized .* verify the raw bytes as received/);
  assert.match(diagnose(input({ body: Buffer.from(BODY + '\n') })).reasons[1]!, /trailing newline was added/);
  const other = diagnose(input({ secret: 'whsec_' + Buffer.alloc(24, 9).toString('base64') }));
  assert.match(other.reasons[1]!, /either the secret is wrong .* or the body was changed/);
  const both = diagnose(input({ body: Buffer.from('{"test": 1}'), nowSeconds: TS + 9_999 }));
  assert.match(both.reasons.at(-1)!, /also, the timestamp is outside tolerance/);
});

test('each cause of a mismatch is reported as itself, also for a compact JSON body (which re-serializes to itself)', () => {
  const key = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const compact = '{"order":"ord_1","total":5}';
  const signedCompact = signatureHeader([key], ID, TS, compact);
  const signedWithNewline = signatureHeader([key], ID, TS, compact + '\n');
  const cause = (signature: string, body: string) => {
    const verdict = diagnose(input({ signature, body: Buffer.from(body) }));
    assert.equal(verdict.valid, false);
    assert.equal(verdict.reasons.length, 2, verdict.reasons.join('\n'));
    return verdict.reasons[1]!;
  };
  assert.equal(cause(signedCompact, compact + '\n'), 'body changed: a trailing newline was added to the body');
  assert.equal(cause(signedCompact, compact + '\r\n'), 'body changed: a trailing newline was added to the body');
  assert.equal(cause(signedWithNewline, compact), 'body changed: a trailing newline was removed from the body');
  assert.match(cause(signedCompact, JSON.stringify(JSON.parse(compact), null, 2)), /^body changed: the body was re-serialized/);
  assert.match(cause(signedCompact, '{"order":"ord_2","total":5}'), /^either the secret is wrong/);
});

test('malformed input is reported as such', () => {
  assert.match(diagnose(input({ signature: 'v2,abc' })).reasons[0]!, /malformed webhook-signature/);
  assert.match(diagnose(input({ signature: 'v1,' })).reasons[0]!, /malformed webhook-signature/);
  assert.match(diagnose(input({ timestamp: 'yesterday' })).reasons[0]!, /malformed webhook-timestamp/);
  assert.match(diagnose(input({ secret: 'whsec_' })).reasons[0]!, /malformed secret/);
  assert.match(diagnose(input({ id: '' })).reasons[0]!, /malformed webhook-id/);
  assert.ok(diagnose(input({ signature: `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,x ${SIG}` })).reasons[0]!.startsWith('signature valid'), 'any matching v1 entry counts');
});

test('herald verify exits 0 for valid, 1 for invalid, 2 for malformed input', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'body.json');
    const now = Math.floor(Date.now() / 1000);
    const sig = signatureHeader(['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], ID, now, BODY);
    writeFileSync(file, BODY);
    const args = (signature: string, timestamp = String(now)) =>
      ['verify', '--secret', SECRET, '--id', ID, '--timestamp', timestamp, '--signature', signature, '--body-file', file];
    const ok = await runCli(args(sig));
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /^valid\n {2}signature valid/);
    const stale = await runCli(args(SIG, String(TS)));
    assert.equal(stale.code, 1);
    assert.match(stale.output, /^invalid\n {2}timestamp outside tolerance/);
    // A framework that appends a newline to what it hands over: the CLI names that, not a re-serialization.
    writeFileSync(file, '{"test":2432232314}\n');
    const newline = await runCli(args(signatureHeader(['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], ID, now, '{"test":2432232314}')));
    assert.equal(newline.code, 1, newline.output);
    assert.match(newline.output, /^invalid\n {2}signature does not match .*\n {2}body changed: a trailing newline was added/);
    writeFileSync(file, BODY);
    const bad = await runCli(args('nonsense'));
    assert.equal(bad.code, 2);
    assert.match(bad.output, /malformed webhook-signature/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an ed25519 (v1a) webhook is checked with the public key (or the whsk_ secret key), against the spec vector', () => {
  const v1a = {
    secretKey: 'whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==',
    publicKey: 'whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=',
    signature: 'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==',
  };
  assert.equal(diagnose(input({ secret: v1a.publicKey, signature: v1a.signature })).valid, true);
  assert.equal(diagnose(input({ secret: v1a.secretKey, signature: `v1,whatever= ${v1a.signature}` })).valid, true, 'v1 entries are ignored');
  const changed = diagnose(input({ secret: v1a.publicKey, signature: v1a.signature, body: Buffer.from('{ "test" : 2432232314 }') }));
  assert.equal(changed.valid, false);
  assert.match(changed.reasons[0]!, /does not match this body with this public key/);
  assert.match(changed.reasons[1]!, /either the public key is wrong .*\/public-key/);
  assert.match(diagnose(input({ secret: v1a.publicKey, signature: SIG })).reasons[0]!, /no "v1a,<base64>" entry/);
  assert.match(diagnose(input({ secret: 'whpk_short', signature: v1a.signature })).reasons[0]!, /malformed secret/);
});
