/** The database refused a write for lack of space: since when, and the error that said so. */
export interface StorageFull {
  since: number;
  cause: string;
}

/**
 * Whether an error means the database (or the disk under it) is out of space, and if so its cause in words:
 * SQLite's SQLITE_FULL (it also reports ENOSPC so), a file write's ENOSPC, PostgreSQL's disk_full (53100).
 */
export function storageFullCause(err: unknown): string | null {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (code === 'SQLITE_FULL') return `SQLITE_FULL: ${text || 'database or disk is full'}`;
  if (code === 'ENOSPC') return `ENOSPC: ${text || 'no space left on device'}`;
  if (code === '53100') return `PostgreSQL disk_full (53100): ${text}`;
  return null;
}
