import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ADMIN_TOKEN, api, runCli, spawnHerald, tempDir } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';

test('herald backup copies the SQLite database beside a server that keeps writing, and a Herald starts on the copy', { timeout: 90_000 }, async () => {
  const dataDir = tempDir('herald-backup-');
  const copies = tempDir('herald-backup-copies-');
  const receiver = await Receiver.start();
  const env = { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_PORT: '0' };
  const server = await spawnHerald([], env);
  let restored: Awaited<ReturnType<typeof spawnHerald>> | undefined;
  try {
    const app = (await api(server.url, 'POST', '/api/v1/app', { name: 'backed up' })).json;
    const endpoint = (await api(server.url, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/b') })).json;
    const secret = (await api(server.url, 'GET', `/api/v1/app/${app.id}/endpoint/${endpoint.id}/secret`)).json.key;
    for (let n = 0; n < 50; n++) await api(server.url, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: 'before', payload: { n } });

    // Publishing goes on while the copy is taken: the copy must still be one consistent database.
    let publishing = true;
    const writer = (async () => {
      let n = 0;
      while (publishing) await api(server.url, 'POST', `/api/v1/app/${app.id}/msg`, { eventType: 'during', payload: { n: n++ } });
      return n;
    })();
    const copy = path.join(copies, 'herald.db');
    const backup = await runCli(['backup', '--to', copy], env);
    publishing = false;
    const writtenDuring = await writer;
    assert.equal(backup.code, 0, backup.output);
    assert.match(backup.output, /herald: backed up .*herald\.db to .*herald\.db \(\d+\.\d MB\) in \d+ ms/);
    assert.match(backup.output, /encryption key \(.*encryption\.key\), which is not in the copy/);
    assert.equal(statSync(copy).mode & 0o777, 0o600, 'the copy is readable by its owner only');
    assert.ok(writtenDuring > 0, 'messages were published while the backup ran');

    const check = new Database(copy, { readonly: true });
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    const inCopy = (check.prepare('SELECT count(*) AS n FROM message').get() as { n: number }).n;
    check.close();
    assert.ok(inCopy >= 50 && inCopy <= 50 + writtenDuring, `the copy holds the 50 messages and at most those published during it (${inCopy})`);

    // Refusals leave the copy alone and say why.
    const again = await runCli(['backup', '--to', copy], env);
    assert.equal(again.code, 2);
    assert.match(again.output, /already exists; give a new file/);
    const postgres = await runCli(['backup', '--to', path.join(copies, 'pg.db'), '--database-url', 'postgres://127.0.0.1:5432/test'], env);
    assert.equal(postgres.code, 2);
    assert.match(postgres.output, /back up PostgreSQL with pg_dump/);
    const nothing = await runCli(['backup', '--to', path.join(copies, 'none.db')], { ...env, HERALD_DATA_DIR: path.join(copies, 'missing') });
    assert.equal(nothing.code, 2);
    assert.match(nothing.output, /no Herald database at /);
    assert.equal(existsSync(path.join(copies, 'pg.db')) || existsSync(path.join(copies, 'none.db')), false);

    // Restore: the copy and the key file in a new data directory.
    const restoredDir = mkdtempSync(path.join(copies, 'restored-'));
    copyFileSync(copy, path.join(restoredDir, 'herald.db'));
    copyFileSync(path.join(dataDir, 'encryption.key'), path.join(restoredDir, 'encryption.key'));
    restored = await spawnHerald([], { ...env, HERALD_DATA_DIR: restoredDir });
    const messages = (await api(restored.url, 'GET', `/api/v1/app/${app.id}/msg?limit=250`)).json.data as unknown[];
    assert.equal(messages.length, inCopy);
    const restoredSecret = (await api(restored.url, 'GET', `/api/v1/app/${app.id}/endpoint/${endpoint.id}/secret`)).json.key;
    assert.equal(restoredSecret, secret, 'the sealed secret opens with the kept key');

    // Without the key the copy is refused rather than read wrongly.
    const keyless = mkdtempSync(path.join(copies, 'keyless-'));
    copyFileSync(copy, path.join(keyless, 'herald.db'));
    writeFileSync(path.join(keyless, 'encryption.key'), Buffer.alloc(32, 7).toString('base64') + '\n', { mode: 0o600 });
    const refused = await runCli(['migrate'], { ...env, HERALD_DATA_DIR: keyless });
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /encrypted with/);
  } finally {
    server.child.kill('SIGKILL');
    restored?.child.kill('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(copies, { recursive: true, force: true });
  }
});
