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
