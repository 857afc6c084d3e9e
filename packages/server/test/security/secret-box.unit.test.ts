import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { decodeMasterKey, MasterKey } from '../../src/security/key-format.ts';
import { KeyFile, openKeyring } from '../../src/security/master-key.ts';
import { isSealed, SecretBox, UNENCRYPTED } from '../../src/security/secret-box.ts';
import { tempDir } from '../helpers/herald.ts';

const keyA = MasterKey.generate();
const keyB = MasterKey.generate();

test('a sealed value opens to the plaintext, in its own context only, and two seals of one value differ', () => {
  const box = new SecretBox([keyA], 'test');
  const sealed = box.seal('hunter2', 'endpoint_key:ep_1');
  assert.match(sealed, new RegExp(`^enc:v1:${box.keyId}:[A-Za-z0-9_-]+$`));
  assert.match(box.keyId, /^[0-9a-f]{8}$/);
  assert.ok(!sealed.includes('hunter2'));
  assert.notEqual(box.seal('hunter2', 'endpoint_key:ep_1'), sealed, 'a random IV per value');
  assert.equal(box.open(sealed, 'endpoint_key:ep_1'), 'hunter2');
  assert.throws(() => box.open(sealed, 'endpoint_key:ep_2'), /fails its integrity check.*copied from another row/, 'bound to its row');
  const body = Buffer.from(sealed.split(':')[3]!, 'base64url');
  body[20]! ^= 1;
  assert.throws(() => box.open(`enc:v1:${box.keyId}:${body.toString('base64url')}`, 'endpoint_key:ep_1'), /integrity check/, 'tampering is caught');
  assert.throws(() => box.open('enc:v1:abc:AAAA', 'x'), /not a well-formed sealed value/);
  assert.equal(box.open('{"x-a":"b"}', 'endpoint.headers:ep_1'), '{"x-a":"b"}', 'a value from before encryption reads as it is');
  assert.ok(isSealed(sealed) && !isSealed('c2VjcmV0'));
});

test('a value sealed under a key the box does not hold names the key and says to restart after a rotation', () => {
  const sealed = new SecretBox([keyB], 'test').seal('s', 'c');
  assert.throws(() => new SecretBox([keyA], 'test').open(sealed, 'c'), /encrypted with key [0-9a-f]{8}, which this process does not have.*restart/);
  assert.equal(new SecretBox([keyA, keyB], 'test').open(sealed, 'c'), 's', 'a box opens with any of its keys');
});

test('adopt takes the key whose check value the database holds, and refuses a box without it', () => {
  const a = new SecretBox([keyA], 'HERALD_ENCRYPTION_KEY');
  const b = new SecretBox([keyB], 'HERALD_ENCRYPTION_KEY');
  assert.notEqual(a.check, b.check);
  a.adopt(undefined);
  a.adopt(a.check);
  assert.throws(
    () => b.adopt(a.check),
    (err: Error) =>
      err instanceof ConfigError &&
      err.message.startsWith(`HERALD_ENCRYPTION_KEY does not match the key this database's secrets were encrypted with (the database uses key ${a.keyId}`),
  );
  const both = new SecretBox([keyB, keyA], 'test');
  both.adopt(a.check);
  assert.equal(both.keyId, a.keyId, 'the key the database uses seals from now on');
  assert.ok(both.isCurrent(keyA) && !both.isCurrent(keyB));
  assert.throws(() => UNENCRYPTED.adopt(a.check), /encrypted.*only be opened with its encryption key/);
  assert.throws(() => UNENCRYPTED.open(a.seal('s', 'c'), 'c'), /opened without an encryption key/);
});

test('master keys: 32 bytes as base64, base64url or hex; anything else is refused without echoing it', () => {
  const raw = keyA.bytes;
  for (const text of [raw.toString('base64'), raw.toString('base64url'), raw.toString('hex'), ` ${raw.toString('base64')}\n`]) {
    assert.deepEqual(decodeMasterKey(text)?.bytes, raw, text);
  }
  for (const text of ['', 'abc', Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), 'z'.repeat(64)]) {
    assert.equal(decodeMasterKey(text), null, text);
  }
  assert.equal(JSON.stringify({ key: keyA }), '{"key":"[redacted]"}');
  assert.ok(!inspect({ key: keyA }, { showHidden: true }).includes(raw.toString('base64')));

  const config = loadConfig({ env: { HERALD_ENCRYPTION_KEY: raw.toString('hex') } });
  assert.deepEqual(config.encryptionKey?.bytes, raw);
  assert.equal(loadConfig({ env: {} }).encryptionKey, undefined);
  const wrong = 'not-a-key-but-a-passphrase-of-sorts';
  assert.throws(
    () => loadConfig({ env: { HERALD_ENCRYPTION_KEY: wrong } }),
    (err: Error) => err instanceof ConfigError && /HERALD_ENCRYPTION_KEY must be 32 random bytes/.test(err.message) && !err.message.includes(wrong),
  );
});

test('the key file: created once with mode 0600, refused when others can read it or it holds no key', () => {
  const dir = tempDir();
  try {
    const file = new KeyFile(dir);
    const first = file.loadOrCreate();
    assert.ok(first.created);
    assert.equal(statSync(file.path).mode & 0o777, 0o600);
    assert.deepEqual(decodeMasterKey(readFileSync(file.path, 'utf8'))?.bytes, first.key.bytes, 'base64, as HERALD_ENCRYPTION_KEY takes it');
    const again = file.loadOrCreate();
    assert.ok(!again.created);
    assert.deepEqual(again.key.bytes, first.key.bytes);

    chmodSync(file.path, 0o644);
    assert.throws(() => file.loadOrCreate(), /accessible to other users \(mode 0644\); run: chmod 600/);
    chmodSync(file.path, 0o600);
    writeFileSync(file.path, 'garbage');
    assert.throws(() => file.loadOrCreate(), /does not hold a key/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a staged key file is installed once the database turns out to use it, and left alone otherwise', () => {
  const dir = tempDir();
  try {
    const file = new KeyFile(dir);
    const old = file.loadOrCreate().key;
    file.stage(keyB);

    const beforeCommit = openKeyring({ dataDir: dir, encryptionKey: undefined, databaseUrl: undefined });
    beforeCommit.box.adopt(new SecretBox([old], 't').check);
    beforeCommit.settle();
    assert.ok(existsSync(file.nextPath), 'the rotation may still be running: its staged key stays');
    assert.deepEqual(file.loadOrCreate().key.bytes, old.bytes);

    const afterCommit = openKeyring({ dataDir: dir, encryptionKey: undefined, databaseUrl: undefined });
    afterCommit.box.adopt(new SecretBox([keyB], 't').check);
    afterCommit.settle();
    assert.ok(!existsSync(file.nextPath));
    assert.deepEqual(file.loadOrCreate().key.bytes, keyB.bytes, 'the interrupted rotation is finished');
    assert.equal(statSync(file.path).mode & 0o777, 0o600);

    const fromEnv = openKeyring({ dataDir: dir, encryptionKey: keyA, databaseUrl: undefined });
    assert.equal(fromEnv.keyFile, null);
    assert.match(fromEnv.box.source, /^HERALD_ENCRYPTION_KEY \(which overrides the key file .*encryption\.key\)$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('maintenance commands on PostgreSQL never create a key file of their own', () => {
  const dir = tempDir();
  try {
    const config = { dataDir: dir, encryptionKey: undefined, databaseUrl: 'postgres://postgres@127.0.0.1:5432/test' };
    assert.throws(() => openKeyring(config, { create: false }), /no encryption key: set HERALD_ENCRYPTION_KEY/);
    assert.ok(!existsSync(new KeyFile(dir).path));
    // A server may create it (a single machine works out of the box), and then maintenance finds it.
    const created = openKeyring(config, { create: true });
    assert.equal(openKeyring(config, { create: false }).box.check, created.box.check);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
