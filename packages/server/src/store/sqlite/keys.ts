import type { KeyAdmin } from '../slices/keys.ts';
import type { SqliteConnection } from './connection.ts';
import { checkKeyUnchanged, resealAll, scrubIfPending } from './secrets.ts';

export function sqliteKeys(c: SqliteConnection): KeyAdmin {
  return {
    /**
     * Re-encrypts every secret under `next` and records it as the database's key, in one transaction (on the write
     * queue, so no write of this process can come between). The store goes on with `next`.
     */
    async rotateEncryptionKey(next) {
      const resealed = await c.writes.run(() => {
        checkKeyUnchanged(c);
        return resealAll(c, c.secrets, next);
      });
      c.secrets = next;
      scrubIfPending(c);
      return resealed;
    },
  };
}
