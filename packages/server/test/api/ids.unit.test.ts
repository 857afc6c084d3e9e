import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ksuid, newId } from '../../src/lib/ids.ts';

test('ids are a prefix and a 27-character base62 KSUID', () => {
  assert.match(newId('msg'), /^msg_[0-9A-Za-z]{27}$/);
  assert.match(newId('atmpt'), /^atmpt_[0-9A-Za-z]{27}$/);
});

test('ids sort by creation time, also within one second', () => {
  const ids = Array.from({ length: 5000 }, () => ksuid());
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  const earlier = ksuid(Date.parse('2026-01-01T00:00:00Z'));
  const later = ksuid(Date.parse('2026-01-01T00:00:01Z'));
  assert.ok(earlier < later);
});

test('the KSUID timestamp decodes to the creation second', () => {
  const at = Date.parse('2030-06-01T12:00:00Z');
  let n = 0n;
  for (const ch of ksuid(at)) n = n * 62n + BigInt('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.indexOf(ch));
  assert.equal(Number(n >> 128n) + 1_400_000_000, at / 1000);
});

test('within one second each id is the previous one plus a step of 1 to 2^32, carried across the payload words', () => {
  const decode = (text: string): bigint => {
    let n = 0n;
    for (const ch of text) n = n * 62n + BigInt('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.indexOf(ch));
    return n;
  };
  const at = Date.parse('2031-02-03T04:05:06Z');
  let previous = decode(ksuid(at - 1000));
  previous = decode(ksuid(at));
  assert.equal(previous >> 127n, BigInt((at / 1000 - 1_400_000_000) * 2), 'a fresh payload keeps its top bit clear');
  for (let i = 0; i < 20_000; i++) {
    const next = decode(ksuid(at));
    const step = next - previous;
    assert.ok(step >= 1n && step <= 2n ** 32n, `step ${step}`);
    previous = next;
  }
});
