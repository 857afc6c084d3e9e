import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

function holderPid(pidFile: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * One Herald server per SQLite data directory: the embedded store assumes it is the only process sending, so on
 * start it takes back every delivery that was mid-send. A second server on the same files would send them twice.
 *
 * The lock is an exclusive SQLite lock on a small database of its own (herald.lock), held for the server's life.
 * The kernel drops it the moment the process dies, so a server killed a moment ago (a zombie its parent has not
 * reaped yet) or a pid reused by another program never keeps the next server out, as a pid file's liveness check
 * would. herald.pid only records who holds the lock, for the refusal message.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'herald.lock');
  const pidFile = path.join(dataDir, 'herald.pid');
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the EXCLUSIVE lock; in exclusive locking mode it is kept until the connection closes.
    db.exec(`BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder; INSERT INTO holder VALUES (${process.pid}); COMMIT`);
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      const pid = holderPid(pidFile);
      const who = pid === null ? 'another Herald server' : `another Herald server (pid ${pid})`;
      throw new DataDirLockedError(`${who} is using ${dataDir} (it holds ${lockFile}); stop it or use another --data-dir`);
    }
    throw err;
  }
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  return () => {
    rmSync(pidFile, { force: true });
    db.close();
  };
}
