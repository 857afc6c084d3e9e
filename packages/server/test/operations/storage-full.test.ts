/**
 * The SQLite data directory runs out of space under load: publishing answers 507 naming the cause (not 500), health
 * and metrics say so until it clears, nothing acknowledged is lost, and Herald recovers once space is freed.
 *
 * The data directory is a real 3 MB tmpfs, filled up with a ballast file, so SQLite hits a genuine ENOSPC
 * (SQLITE_FULL). Where mounting is not permitted (an unprivileged CI), the test caps the database instead with
 * PRAGMA max_page_count on Herald's own connection, which SQLite enforces with the same genuine SQLITE_FULL; the
 * test says which it used.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Database } from 'better-sqlite3';
import type { SqliteStorage } from '../../src/store/sqlite/index.ts';
import { api, startTestHerald, tempDir } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

/** How the disk fills up and is freed again: a tmpfs and a ballast file, or a cap on the database's pages. */
interface FullDisk {
  how: string;
  dataDir: string;
  fill(db: Database): void;
  free(db: Database): void;
  cleanup(): void;
}

function tmpfsDisk(root: string): FullDisk | null {
  const mountPoint = path.join(root, 'tmpfs');
  mkdirSync(mountPoint);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (mounted.status !== 0) return null;
  const ballast = path.join(mountPoint, 'ballast');
  return {
    how: 'a 3 MB tmpfs filled with a ballast file',
    dataDir: path.join(mountPoint, 'data'),
    fill() {
      const fd = openSync(ballast, 'w');
      const chunk = Buffer.alloc(16 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(ballast, { force: true });
    },
    cleanup() {
      // Lazily if something still holds a file open: the mount never outlives the test.
      if (spawnSync('umount', [mountPoint]).status !== 0) spawnSync('umount', ['-l', mountPoint]);
    },
  };
}

function cappedDatabase(root: string): FullDisk {
  return {
    how: 'PRAGMA max_page_count on Herald\'s connection (mounting a tmpfs is not permitted here)',
    dataDir: path.join(root, 'data'),
    fill(db) {
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    },
    free(db) {
      db.pragma('max_page_count = 1073741823');
    },
    cleanup() {},
  };
}

test('a full disk answers 507 naming SQLITE_FULL, shows in health and metrics until freed, and loses nothing', { timeout: 120_000 }, async (t) => {
  const root = tempDir();
  const disk = tmpfsDisk(root) ?? cappedDatabase(root);
  t.diagnostic(`filling the disk with ${disk.how}`);
  const receiver = await Receiver.start();
  let herald: Awaited<ReturnType<typeof startTestHerald>> | null = null;
  try {
    herald = await startTestHerald({ HERALD_DATA_DIR: disk.dataDir });
    const url = herald.url;
    const db = (herald.store as SqliteStorage).connection;
    assert.equal((await api(url, 'POST', '/api/v1/app', { name: 'Full', uid: 'full' })).status, 201);
    assert.equal((await api(url, 'POST', '/api/v1/app/full/endpoint', { url: receiver.url('/hook') })).status, 201);

    disk.fill(db);
    const accepted: string[] = [];
    let refused: { status: number; json: any; headers: Headers; eventId: string } | null = null;
    const filler = 'x'.repeat(16 * 1024);
    for (let n = 0; n < 2_000 && !refused; n++) {
      const eventId = `evt-${n}`;
      const sent = await api(url, 'POST', '/api/v1/app/full/msg', { eventType: 'disk.filled', eventId, payload: { n, filler } });
      if (sent.status === 202) accepted.push(eventId);
      else refused = { ...sent, eventId };
    }
    assert.ok(refused, 'the disk filled up');
    assert.equal(refused.status, 507, JSON.stringify(refused.json));
    assert.equal(refused.json.code, 'insufficient_storage');
    assert.match(refused.json.detail, /SQLITE_FULL/);
    assert.match(refused.json.detail, /nothing was stored/);
    assert.equal(refused.headers.get('retry-after'), '30');

    const health = await api(url, 'GET', '/api/v1/health?detail=true');
    assert.equal(health.status, 503);
    assert.match(health.json.checks.database, /^out of space since .*SQLITE_FULL/);
    assert.match((await api(url, 'GET', '/metrics')).text, /^herald_storage_full 1$/m);
    assert.equal((await api(url, 'GET', `/api/v1/app/full/msg/${refused.eventId}`)).status, 404, 'the refused message was not stored');

    disk.free(db);
    const healthy = await until('health to recover', async () => ((await api(url, 'GET', '/api/v1/health')).status === 204 ? true : undefined), 40_000);
    assert.ok(healthy);
    assert.match((await api(url, 'GET', '/metrics')).text, /^herald_storage_full 0$/m);
    const again = await api(url, 'POST', '/api/v1/app/full/msg', { eventType: 'disk.filled', eventId: refused.eventId, payload: { again: true } });
    assert.equal(again.status, 202, 'the refused message is taken once space is freed');
    accepted.push(refused.eventId);

    // Nothing acknowledged was lost: every accepted message is stored and delivered.
    for (const eventId of accepted) assert.equal((await api(url, 'GET', `/api/v1/app/full/msg/${eventId}`)).status, 200, eventId);
    await receiver.waitFor((all) => new Set(all.map((r) => r.headers['webhook-id'])).size >= accepted.length, 60_000, 'every accepted message delivered');
  } finally {
    await herald?.stop();
    await receiver.close();
    disk.cleanup();
    rmSync(root, { recursive: true, force: true });
  }
});
