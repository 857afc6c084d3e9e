import type { Database, Statement } from 'better-sqlite3';
import { storageFullCause, type StorageFull } from '../storage-full.ts';

/** How long without a write refused for lack of space before a committed write clears the state. */
const FULL_QUIET_MS = 10_000;

interface PendingWrite {
  run: () => unknown;
  resolve: (value: any) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: writes that arrive while the event loop is busy are run together in one transaction, and each
 * caller's promise settles only after that transaction committed. One fsync-bound commit then carries many
 * requests. Each write runs in its own savepoint, so one that throws rolls back alone and fails only its caller.
 */
export class WriteQueue {
  /**
   * Set while writes fail for lack of space. Cleared by a write that commits once no write has failed so for
   * FULL_QUIET_MS: a small write can still fit in a page the database has while every real one is refused, so one
   * success alone does not mean space was freed.
   */
  full: (StorageFull & { lastAt: number }) | null = null;
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private readonly sql: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', Statement>;

  constructor(
    private readonly db: Database,
    private readonly maxBatch = 2000,
  ) {
    this.sql = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT write'),
      release: db.prepare('RELEASE write'),
      rollbackTo: db.prepare('ROLLBACK TO write'),
    };
  }

  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run: write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending.splice(0, this.maxBatch);
    this.scheduled = false;
    if (this.pending.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const results: { ok: boolean; value: unknown }[] = [];
    const { sql } = this;
    try {
      sql.begin.run();
      for (const write of batch) {
        sql.savepoint.run();
        try {
          results.push({ ok: true, value: write.run() });
          sql.release.run();
        } catch (err) {
          // SQLITE_FULL (among others) can roll the whole transaction back: then every write in it fails with it.
          if (!this.db.inTransaction) throw err;
          sql.rollbackTo.run();
          sql.release.run();
          results.push({ ok: false, value: err });
        }
      }
      sql.commit.run();
    } catch (err) {
      if (this.db.inTransaction) sql.rollback.run();
      this.noteFull(err);
      for (const write of batch) write.reject(err);
      return;
    }
    const failed = results.filter((r) => !r.ok);
    const committedSome = failed.length < results.length;
    if (committedSome && this.full && Date.now() - this.full.lastAt >= FULL_QUIET_MS && !failed.some((r) => storageFullCause(r.value))) this.full = null;
    for (const r of failed) this.noteFull(r.value);
    batch.forEach((write, i) => {
      const result = results[i]!;
      if (result.ok) write.resolve(result.value);
      else write.reject(result.value);
    });
  }

  private noteFull(err: unknown): void {
    const cause = storageFullCause(err);
    const now = Date.now();
    if (cause) this.full = { since: this.full?.since ?? now, cause, lastAt: now };
  }
}
