import type { Database, Statement } from 'better-sqlite3';

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
          sql.rollbackTo.run();
          sql.release.run();
          results.push({ ok: false, value: err });
        }
      }
      sql.commit.run();
    } catch (err) {
      if (this.db.inTransaction) sql.rollback.run();
      for (const write of batch) write.reject(err);
      return;
    }
    batch.forEach((write, i) => {
      const result = results[i]!;
      if (result.ok) write.resolve(result.value);
      else write.reject(result.value);
    });
  }
}
