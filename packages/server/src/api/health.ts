import type { StorageFull } from '../store/storage-full.ts';
import type { HistoryStore, QueueStore, SettingsStore, Storage } from '../store/storage.ts';

export interface Health {
  healthy: boolean;
  checks: { database: string; delivery: string };
}

/**
 * What the check reads: the oldest due delivery, the newest attempt, and whether the database refuses writes for lack
 * of space (with a setting to write, to learn whether it still does).
 */
export interface HealthSources extends Pick<Storage, 'storageFull'> {
  queue: Pick<QueueStore, 'oldestDueAt'>;
  history: Pick<HistoryStore, 'newestAttemptAt'>;
  settings: Pick<SettingsStore, 'setSetting'>;
}

/** A database that does not answer this fast is reported as down (a health probe must not hang). */
const DATABASE_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Whether Herald can take and deliver messages. The database must answer. Delivery is stalled when deliveries have
 * been due for longer than `stallAfterMs` and no worker anywhere made an attempt in that time: a busy worker draining
 * a backlog is late but healthy; a dead or wedged one, or none at all, with accepted messages waiting, is not.
 * Both come from the database, so every process (API or worker, any number of them) gives the same answer.
 */
export async function checkHealth(store: HealthSources, stallAfterMs: number, now = Date.now()): Promise<Health> {
  const full = await stillFull(store);
  if (full) {
    const since = new Date(full.since).toISOString();
    return { healthy: false, checks: { database: `out of space since ${since}: ${full.cause}; writes are refused (507) until space is freed`, delivery: 'unknown' } };
  }
  let oldestDueAt: number | null;
  let newestAttemptAt: number | null;
  try {
    [oldestDueAt, newestAttemptAt] = await withTimeout(Promise.all([store.queue.oldestDueAt(now), store.history.newestAttemptAt()]), DATABASE_TIMEOUT_MS);
  } catch (err) {
    return { healthy: false, checks: { database: `error: ${(err as Error).message}`, delivery: 'unknown' } };
  }
  const lateFor = oldestDueAt === null ? 0 : now - oldestDueAt;
  const idleFor = newestAttemptAt === null ? Number.POSITIVE_INFINITY : now - newestAttemptAt;
  if (lateFor > stallAfterMs && idleFor > stallAfterMs) {
    const idle = newestAttemptAt === null ? 'no attempt was ever made' : `the last attempt was ${Math.round(idleFor / 1000)} s ago`;
    return { healthy: false, checks: { database: 'ok', delivery: `stalled: a delivery has been due for ${Math.round(lateFor / 1000)} s and ${idle}` } };
  }
  return { healthy: true, checks: { database: 'ok', delivery: lateFor > 0 ? `ok (behind by ${Math.round(lateFor / 1000)} s)` : 'ok' } };
}

/**
 * Whether the database still refuses writes for lack of space. While it is said to, one small write tries: it
 * commits once space was freed (which clears the state), so health recovers even when nothing else writes.
 */
async function stillFull(store: HealthSources): Promise<StorageFull | null> {
  if (!store.storageFull()) return null;
  try {
    await withTimeout(store.settings.setSetting('storage_checked_at', String(Date.now())), DATABASE_TIMEOUT_MS);
  } catch {
    // Still full (or slow): reported as such below.
  }
  return store.storageFull();
}
