import type { Database as DB, Statement } from 'better-sqlite3';
import type { SecretBox, SecretCodec } from '../../security/secret-box.ts';
import type { WriteQueue } from './write-queue.ts';

export interface SqliteOptions {
  file: string;
  synchronous: 'normal' | 'full';
  /** Encrypts endpoint secrets and custom header values; without it they are stored as given (tests only). */
  secrets?: SecretBox;
}

/**
 * What every SQLite slice works with: the one handle of the process that owns the file, the group-commit queue its
 * writes go through (which also notes when the disk is full), the codec of its secrets, and its statement cache.
 */
export interface SqliteConnection {
  readonly db: DB;
  readonly writes: WriteQueue;
  /** Replaced when the master key is rotated (keys.ts): every later seal and open uses the new key. */
  secrets: SecretCodec;
  /** The versions of the migrations this open applied. */
  readonly migrationsApplied: readonly number[];
  /** The statement for this SQL text, prepared on first use: preparing costs more than running most queries. */
  stmt(sql: string): Statement;
}
