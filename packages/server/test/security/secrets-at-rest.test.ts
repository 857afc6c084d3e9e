import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { generateAsymmetricSecret, parsePublicKey, verifyV1a } from '../../src/delivery/signing.ts';
import { MasterKey } from '../../src/security/key-format.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { openPostgresStorage } from '../../src/store/postgres/index.ts';
import { openSqliteStorage } from '../../src/store/sqlite/index.ts';
import type { Storage } from '../../src/store/storage.ts';
import { api, runCli, startTestHerald, tempDir } from '../helpers/herald.ts';
import { dropSchema, PG_TEST_URL, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { Receiver, type Received } from '../helpers/receiver.ts';

/** What must never be found in the database's files or rows: each secret in every form it could be written in. */
type Needles = Map<string, Buffer>;

function addSecret(needles: Needles, label: string, raw: Buffer): void {
  for (const [form, text] of [['base64', raw.toString('base64')], ['base64url', raw.toString('base64url')], ['hex', raw.toString('hex')]] as const) {
    needles.set(`${label} (${form})`, Buffer.from(text));
  }
  needles.set(`${label} (raw bytes)`, raw);
}

interface Planted {
  app: string;
  hmacSecret: string;
  headers: Record<string, string>;
  needles: Needles;
}

/** An app with an HMAC endpoint and an ed25519 one, each with a known secret and custom headers of known values. */
async function plant(url: string, receiver: Receiver, app: string): Promise<Planted> {
  const hmacRaw = randomBytes(32);
  const asymmetric = generateAsymmetricSecret();
  const asymRaw = Buffer.from(asymmetric.slice('whsk_'.length), 'base64');
  const headers = { 'x-api-token': `tok_${randomBytes(12).toString('hex')}`, 'x-tenant': `tenant_${randomBytes(12).toString('hex')}` };
  const needles: Needles = new Map();
  addSecret(needles, 'HMAC secret', hmacRaw);
  addSecret(needles, 'ed25519 secret key', asymRaw);
  addSecret(needles, 'ed25519 seed', asymRaw.subarray(0, 32));
  for (const [name, value] of Object.entries(headers)) needles.set(`header ${name}`, Buffer.from(value));
  assert.equal((await api(url, 'POST', '/api/v1/app', { name: app, uid: app })).status, 201);
  const hmacSecret = `whsec_${hmacRaw.toString('base64')}`;
  const created = [
    await api(url, 'POST', `/api/v1/app/${app}/endpoint`, { url: receiver.url(`/${app}/hmac`), uid: 'hmac', secret: hmacSecret, headers }),
    await api(url, 'POST', `/api/v1/app/${app}/endpoint`, { url: receiver.url(`/${app}/asym`), uid: 'asym', secret: asymmetric, headers: { 'x-tenant': headers['x-tenant'] } }),
  ];
  for (const res of created) assert.equal(res.status, 201, res.text);
  // A destination's credentials are sealed like the rest (and must survive a key rotation: every endpoint row is read).
  const brokerPassword = `pw_${randomBytes(12).toString('hex')}`;
  needles.set('destination password', Buffer.from(brokerPassword));
  const destination = await api(url, 'POST', `/api/v1/app/${app}/destination`, {
    type: 'redis', uid: 'stream', eventTypes: ['never.sent'], config: { url: `redis://:${brokerPassword}@127.0.0.1:6399`, stream: 'planted' },
  });
  assert.equal(destination.status, 201, destination.text);
  return { app, hmacSecret, headers, needles };
}

const headersOf = (got: Received) => got.headers as Record<string, string>;

/** Publishes one message and checks both deliveries: signatures verify with the planted keys, custom headers arrive. */
async function deliverAndVerify(url: string, receiver: Receiver, planted: Planted): Promise<void> {
  const { app } = planted;
  const before = { hmac: receiver.on(`/${app}/hmac`).length, asym: receiver.on(`/${app}/asym`).length };
  assert.equal((await api(url, 'POST', `/api/v1/app/${app}/msg`, { eventType: 'secret.checked', payload: { n: before.hmac } })).status, 202);
  await receiver.waitFor(() => receiver.on(`/${app}/hmac`).length > before.hmac && receiver.on(`/${app}/asym`).length > before.asym);
  const hmac = receiver.on(`/${app}/hmac`).at(-1)!;
  new Webhook(planted.hmacSecret).verify(hmac.body.toString(), headersOf(hmac));
  assert.equal(hmac.headers['x-api-token'], planted.headers['x-api-token']);
  assert.equal(hmac.headers['x-tenant'], planted.headers['x-tenant']);
  const asym = receiver.on(`/${app}/asym`).at(-1)!;
  const publicKey = parsePublicKey((await api(url, 'GET', `/api/v1/app/${app}/endpoint/asym/public-key`)).json.key)!;
  const h = headersOf(asym);
  assert.ok(verifyV1a(publicKey, h['webhook-id']!, Number(h['webhook-timestamp']), asym.body, h['webhook-signature']!), 'v1a verifies');
  assert.equal(asym.headers['x-tenant'], planted.headers['x-tenant']);
  assert.equal((await api(url, 'GET', `/api/v1/app/${app}/endpoint/hmac/secret`)).json.key, planted.hmacSecret, 'the API sees the secret in clear');
}

function found(haystack: Buffer, needles: Needles): string[] {
  return [...needles].filter(([, needle]) => haystack.includes(needle)).map(([label]) => label);
}

/** Every byte of every file in the data directory (database, WAL, shared memory, key file). */
function scanDataDir(dir: string, needles: Needles): string[] {
  return readdirSync(dir).flatMap((f) => found(readFileSync(path.join(dir, f)), needles).map((label) => `${f}: ${label}`));
}

/** Every row of every table of the schema, as text. */
async function scanSchema(schema: string, needles: Needles): Promise<string[]> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    const tables = await client.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
    const hits: string[] = [];
    for (const { tablename } of tables.rows) {
      const { rows } = await client.query(`SELECT coalesce(string_agg(row_to_json(t)::text, E'\\n'), '') AS text FROM "${schema}"."${tablename}" t`);
      hits.push(...found(Buffer.from(rows[0].text), needles).map((label) => `${tablename}: ${label}`));
    }
    return hits;
  } finally {
    await client.end();
  }
}

/** Every sealed value: signing keys, header sets, and the destination and chat settings of the rows that have them. */
async function rawSecrets(query: (sql: string) => Promise<{ key?: string; headers?: string; extra?: string }[]>): Promise<string[]> {
  const keys = await query('SELECT key FROM endpoint_key ORDER BY key');
  const headers = await query('SELECT headers FROM endpoint ORDER BY id');
  const extras = await query('SELECT destination AS extra FROM endpoint WHERE destination IS NOT NULL UNION ALL SELECT chat FROM endpoint WHERE chat IS NOT NULL');
  return [
    ...keys.map((r) => r.key!), ...headers.map((r) => (typeof r.headers === 'string' ? r.headers : JSON.stringify(r.headers))), ...extras.map((r) => r.extra!),
  ];
}

const sqliteRaw = (dataDir: string) =>
  rawSecrets(async (sql) => {
    const db = new Database(path.join(dataDir, 'herald.db'), { readonly: true });
    try {
      return db.prepare(sql).all() as { key?: string; headers?: string; extra?: string }[];
    } finally {
      db.close();
    }
  });

const postgresRaw = (schema: string) =>
  rawSecrets(async (sql) => {
    const client = new pg.Client({ connectionString: PG_TEST_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  });

const keyIdOf = (key: MasterKey) => new SecretBox([key], 'test').keyId;
const keyText = (key: MasterKey) => key.toBase64();

/** `herald rotate-encryption-key` as its own process: the command registered on a bare program, as cli/index.ts does. */
function rotateCli(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; output: string }> {
  const entry = new URL('../../src/cli/encryption.ts', import.meta.url).href;
  const script = `import { Command } from 'commander';
    import { registerEncryptionCommands } from ${JSON.stringify(entry)};
    const program = new Command('herald');
    registerEncryptionCommands(program);
    await program.parseAsync(process.argv.slice(1), { from: 'user' });`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', 'rotate-encryption-key', ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin!.end(input);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const MISMATCH = /does not match the key this database's secrets were encrypted with \(the database uses key [0-9a-f]{8}/;

test('SQLite: no secret or header value is on disk in clear; deliveries are signed and carry the headers', async () => {
  const receiver = await Receiver.start();
  const dataDir = tempDir();
  try {
    const herald = await startTestHerald({ HERALD_DATA_DIR: dataDir });
    let planted: Planted;
    try {
      const keyFile = path.join(dataDir, 'encryption.key');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'the key file is created readable by its owner only');
      planted = await plant(herald.url, receiver, 'sq');
      // Both other write paths: rotating a secret (with a known new one) and replacing the headers.
      const rotatedRaw = randomBytes(32);
      addSecret(planted.needles, 'rotated HMAC secret', rotatedRaw);
      const rotate = await api(herald.url, 'POST', '/api/v1/app/sq/endpoint/hmac/secret/rotate', { key: `whsec_${rotatedRaw.toString('base64')}` });
      assert.equal(rotate.status, 204);
      planted.hmacSecret = `whsec_${rotatedRaw.toString('base64')}`;
      planted.headers['x-api-token'] = `tok_${randomBytes(12).toString('hex')}`;
      planted.needles.set('replaced header', Buffer.from(planted.headers['x-api-token']));
      assert.equal((await api(herald.url, 'PUT', '/api/v1/app/sq/endpoint/hmac/headers', { headers: planted.headers })).status, 204);
      await deliverAndVerify(herald.url, receiver, planted);
      assert.deepEqual(scanDataDir(dataDir, planted.needles), [], 'while the server runs (WAL included)');
    } finally {
      await herald.stop();
    }
    assert.deepEqual(scanDataDir(dataDir, planted.needles), [], 'after it stopped');
    const raw = await sqliteRaw(dataDir);
    assert.equal(raw.length, 8, 'four keys (one rotated out but still signing), three header sets, one destination');
    for (const value of raw) assert.match(value, /^enc:v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
  } finally {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SQLite: a wrong key, or a lost key file, is refused at start with a message that says so', async () => {
  const dataDir = tempDir();
  const receiver = await Receiver.start();
  const [keyA, keyB] = [MasterKey.generate(), MasterKey.generate()];
  try {
    const first = await startTestHerald({ HERALD_DATA_DIR: dataDir, HERALD_ENCRYPTION_KEY: keyText(keyA) });
    const planted = await plant(first.url, receiver, 'wrong');
    await first.stop();

    await assert.rejects(startTestHerald({ HERALD_DATA_DIR: dataDir, HERALD_ENCRYPTION_KEY: keyText(keyB) }), MISMATCH);
    const cli = await runCli(['serve', '--port', '0', '--data-dir', dataDir], { HERALD_ENCRYPTION_KEY: keyText(keyB) });
    assert.equal(cli.code, 2, cli.output);
    assert.match(cli.output, /herald: invalid configuration: HERALD_ENCRYPTION_KEY does not match the key this database's secrets were encrypted with/);

    const noKey = await runCli(['serve', '--port', '0', '--data-dir', dataDir], {});
    assert.equal(noKey.code, 2, noKey.output);
    assert.match(noKey.output, /the key file .*encryption\.key, created just now as none was found, does not match/);
    assert.ok(!existsSync(path.join(dataDir, 'encryption.key')), 'the key made for nothing is not left to be taken for the real one');

    const again = await startTestHerald({ HERALD_DATA_DIR: dataDir, HERALD_ENCRYPTION_KEY: keyA.bytes.toString('hex') });
    try {
      assert.equal((await api(again.url, 'GET', '/api/v1/app/wrong/endpoint/hmac/secret')).json.key, planted.hmacSecret, 'the right key, as hex');
    } finally {
      await again.stop();
    }
  } finally {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SQLite: rotate-encryption-key re-encrypts everything under a new key file; the old key is refused after', async () => {
  const receiver = await Receiver.start();
  const dataDir = tempDir();
  try {
    const herald = await startTestHerald({ HERALD_DATA_DIR: dataDir });
    const planted = await plant(herald.url, receiver, 'rot');
    const keyFile = path.join(dataDir, 'encryption.key');
    const oldKey = readFileSync(keyFile, 'utf8');
    const busy = await rotateCli(['--data-dir', dataDir], {});
    assert.notEqual(busy.code, 0);
    assert.match(busy.output, /another Herald server \(pid \d+\) is using/, 'not beside a running server');
    await herald.stop();

    const before = await sqliteRaw(dataDir);
    const rotated = await rotateCli(['--data-dir', dataDir], {});
    assert.equal(rotated.code, 0, rotated.output);
    assert.match(rotated.output, /re-encrypted 7 secret values under key ([0-9a-f]{8})\.\nThe key file .* now holds the new key/);
    const keyId = /under key ([0-9a-f]{8})/.exec(rotated.output)![1]!;
    assert.notEqual(readFileSync(keyFile, 'utf8'), oldKey);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dataDir).filter((f) => f.startsWith('encryption.key')), ['encryption.key'], 'no staged or temporary key left');
    const after = await sqliteRaw(dataDir);
    assert.equal(after.length, before.length);
    after.forEach((value, i) => {
      assert.notEqual(value, before[i]);
      assert.ok(value.startsWith(`enc:v1:${keyId}:`), value);
    });
    assert.deepEqual(scanDataDir(dataDir, planted.needles), []);

    const restarted = await startTestHerald({ HERALD_DATA_DIR: dataDir });
    try {
      await deliverAndVerify(restarted.url, receiver, planted);
    } finally {
      await restarted.stop();
    }
    writeFileSync(keyFile, oldKey, { mode: 0o600 });
    await assert.rejects(startTestHerald({ HERALD_DATA_DIR: dataDir }), MISMATCH);
  } finally {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SQLite: a database from before encryption is encrypted in place on the first start, leaving no copy in clear', async () => {
  const receiver = await Receiver.start();
  const dataDir = tempDir();
  try {
    // Enough rows, some with overflowing headers, that rewriting them rebalances the tables' b-trees.
    const legacy = openSqliteStorage({ file: path.join(dataDir, 'herald.db'), synchronous: 'normal' });
    const now = Date.now();
    await legacy.catalog.createApp({ id: 'app_legacy', uid: 'legacy', name: 'legacy', metadata: {}, throttleRate: null, createdAt: now, updatedAt: now });
    const needles: Needles = new Map();
    const planted: { secret: string; token: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const raw = randomBytes(32);
      const token = `legacy_${i}_${randomBytes(8).toString('hex')}${i % 3 === 0 ? '.'.repeat(3000) : ''}`;
      await legacy.catalog.createEndpoint(
        {
          id: `ep_legacy${i}`, appId: 'app_legacy', uid: null, url: receiver.url(`/legacy/${i}`), description: '', eventTypes: null, channels: null,
          disabled: false, throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: { 'x-api-token': token }, createdAt: now, updatedAt: now,
        },
        { key: raw.toString('base64'), createdAt: now, expiresAt: null },
      );
      needles.set(`header ${i}`, Buffer.from(token.slice(0, 30)));
      addSecret(needles, `secret ${i}`, raw);
      planted.push({ secret: `whsec_${raw.toString('base64')}`, token });
    }
    assert.notDeepEqual(scanDataDir(dataDir, needles), [], 'the old version stored them in clear');
    await legacy.close();

    const herald = await startTestHerald({ HERALD_DATA_DIR: dataDir });
    try {
      assert.deepEqual(scanDataDir(dataDir, needles), [], 'sealed, and the file rewritten so no old copy lingers');
      assert.equal((await api(herald.url, 'POST', '/api/v1/app/legacy/msg', { eventType: 'upgraded', payload: {} })).status, 202);
      await receiver.waitFor(() => receiver.on('/legacy/0').length > 0 && receiver.on('/legacy/1').length > 0);
      for (const i of [0, 1]) {
        const got = receiver.on(`/legacy/${i}`)[0]!;
        new Webhook(planted[i]!.secret).verify(got.body.toString(), headersOf(got));
        assert.equal(got.headers['x-api-token'], planted[i]!.token);
      }
    } finally {
      await herald.stop();
    }
    assert.deepEqual(scanDataDir(dataDir, needles), []);
    assert.throws(() => openSqliteStorage({ file: path.join(dataDir, 'herald.db'), synchronous: 'normal' }), /only be opened with its encryption key/);
  } finally {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a process whose key was rotated away under it neither reads re-encrypted secrets nor writes with its old key', async () => {
  const dir = tempDir();
  const [keyA, keyB] = [MasterKey.generate(), MasterKey.generate()];
  const file = path.join(dir, 'herald.db');
  const stale = openSqliteStorage({ file, synchronous: 'normal', secrets: new SecretBox([keyA], 'test') });
  const rotator = openSqliteStorage({ file, synchronous: 'normal', secrets: new SecretBox([keyA], 'test') });
  try {
    await checkStaleProcess(stale, rotator, keyB);
  } finally {
    await stale.close();
    await rotator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function checkStaleProcess(stale: Storage, rotator: Storage, newKey: MasterKey): Promise<void> {
  const now = Date.now();
  const endpoint = (id: string) => ({
    id, appId: 'app_s', uid: null, url: 'https://example.com/hook', description: '', eventTypes: null, channels: null, disabled: false,
    throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: { 'x-a': 'b' }, createdAt: now, updatedAt: now,
  });
  await stale.catalog.createApp({ id: 'app_s', uid: null, name: 's', metadata: {}, throttleRate: null, createdAt: now, updatedAt: now });
  await stale.catalog.createEndpoint(endpoint('ep_1'), { key: 'c2VjcmV0c2VjcmV0', createdAt: now, expiresAt: null });
  assert.ok((await rotator.keys.rotateEncryptionKey(new SecretBox([newKey], 'test'))) >= 2);
  assert.deepEqual((await rotator.catalog.getEndpointKeys('ep_1', now)).map((k) => k.key), ['c2VjcmV0c2VjcmV0']);
  await assert.rejects(stale.catalog.getEndpointKeys('ep_1', now), /which this process does not have.*rotated/);
  await assert.rejects(stale.catalog.getEndpointById('ep_1'), /which this process does not have/);
  await assert.rejects(stale.catalog.createEndpoint(endpoint('ep_2'), { key: 'x', createdAt: now, expiresAt: null }), /encryption key changed after this process started/);
  await assert.rejects(stale.catalog.updateEndpoint({ ...endpoint('ep_1'), headers: { 'x-a': 'c' } }), /changed after this process started/);
  await assert.rejects(stale.catalog.rotateEndpointKey('ep_1', { key: 'y', createdAt: now, expiresAt: null }, now), /changed after this process started/);
  assert.equal(await rotator.catalog.getEndpointById('ep_2'), undefined, 'nothing was written');
  assert.deepEqual((await rotator.catalog.getEndpointById('ep_1'))?.headers, { 'x-a': 'b' });
}

test('PostgreSQL: encrypted columns, a shared key, upgrade in place, refusals, and rotation beside running processes', async (t) => {
  const unavailable = await postgresUnavailable();
  if (unavailable) return t.skip(unavailable);
  const schema = uniqueSchema('herald_secrets');
  const receiver = await Receiver.start();
  const [keyA, keyB] = [MasterKey.generate(), MasterKey.generate()];
  const pgEnv = (key: MasterKey | null, dataDir = tempDir()) => ({
    HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_DATA_DIR: dataDir, ...(key ? { HERALD_ENCRYPTION_KEY: keyText(key) } : {}),
  });
  try {
    // Rows from before encryption: written by a store without a key, as the old version wrote them.
    const legacy = await openPostgresStorage({ url: PG_TEST_URL, schema });
    const now = Date.now();
    await legacy.catalog.createApp({ id: 'app_old', uid: 'old', name: 'old', metadata: {}, throttleRate: null, createdAt: now, updatedAt: now });
    const legacyKey = randomBytes(32);
    await legacy.catalog.createEndpoint(
      {
        id: 'ep_old', appId: 'app_old', uid: 'hmac', url: receiver.url('/old/hmac'), description: '', eventTypes: null, channels: null,
        disabled: false, throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: { 'x-legacy': 'legacy-header-value-7f3a' }, createdAt: now, updatedAt: now,
      },
      { key: legacyKey.toString('base64'), createdAt: now, expiresAt: null },
    );
    await legacy.close();

    const one = await startTestHerald(pgEnv(keyA));
    const two = await startTestHerald(pgEnv(keyA));
    try {
      const planted = await plant(one.url, receiver, 'pg');
      addSecret(planted.needles, 'legacy HMAC secret', legacyKey);
      planted.needles.set('legacy header', Buffer.from('legacy-header-value-7f3a'));
      await deliverAndVerify(two.url, receiver, planted);
      assert.deepEqual(await scanSchema(schema, planted.needles), []);
      for (const value of await postgresRaw(schema)) assert.match(value, new RegExp(`^enc:v1:${keyIdOf(keyA)}:`));
      assert.equal((await api(two.url, 'GET', '/api/v1/app/old/endpoint/hmac/secret')).json.key, `whsec_${legacyKey.toString('base64')}`);

      await assert.rejects(startTestHerald(pgEnv(keyB)), MISMATCH);
      const keyFileDir = tempDir();
      await assert.rejects(startTestHerald(pgEnv(null, keyFileDir)), /the key file .* created just now as none was found, does not match/);
      assert.deepEqual(readdirSync(keyFileDir), []);

      // Rotation while both processes run: afterwards they fail loudly instead of writing under the old key.
      const withKey = await rotateCli(['--new-key', '-'], pgEnv(keyA), keyB.bytes.toString('hex'));
      assert.equal(withKey.code, 0, withKey.output);
      assert.match(withKey.output, new RegExp(`re-encrypted 9 secret values under key ${keyIdOf(keyB)}\\.\\nSet HERALD_ENCRYPTION_KEY to the new key\\. Restart every Herald process`));
      assert.ok(!withKey.output.includes(keyB.toBase64()), 'a key given by the operator is not printed');
      for (const value of await postgresRaw(schema)) assert.match(value, new RegExp(`^enc:v1:${keyIdOf(keyB)}:`));
      const create = await api(one.url, 'POST', '/api/v1/app/pg/endpoint', { url: receiver.url('/pg/late'), uid: 'late' });
      assert.equal(create.status, 500, 'a process on the old key writes nothing');
      assert.equal((await postgresRaw(schema)).length, 9, "nothing more than before the refused create");
      assert.deepEqual(await scanSchema(schema, planted.needles), []);
      await one.stop();
      await two.stop();

      await assert.rejects(startTestHerald(pgEnv(keyA)), MISMATCH);
      const renewed = await startTestHerald(pgEnv(keyB));
      try {
        await deliverAndVerify(renewed.url, receiver, planted);
      } finally {
        await renewed.stop();
      }
    } finally {
      await one.stop();
      await two.stop();
    }

    const stale = await openPostgresStorage({ url: PG_TEST_URL, schema, secrets: new SecretBox([keyB], 'test') });
    const rotator = await openPostgresStorage({ url: PG_TEST_URL, schema, secrets: new SecretBox([keyB], 'test') });
    try {
      await checkStaleProcess(stale, rotator, keyA);
    } finally {
      await stale.close();
      await rotator.close();
    }
  } finally {
    await receiver.close();
    await dropSchema(schema);
  }
});
