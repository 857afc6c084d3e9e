import type { PollerStore } from '../slices/pollers.ts';
import type { SqliteConnection } from './connection.ts';

/** Polling destinations' consumer positions. */
export function sqlitePollers(c: SqliteConnection): PollerStore {
  return {
    async getConsumerPosition(destinationId, consumerId) {
      const row = c.stmt('SELECT iterator FROM poller_consumer WHERE destination_id = ? AND consumer_id = ?').get(destinationId, consumerId) as
        | { iterator: string }
        | undefined;
      return row?.iterator;
    },
    setConsumerPosition(destinationId, consumerId, iterator, now) {
      return c.writes.run(() => {
        c.stmt(
          `INSERT INTO poller_consumer (destination_id, consumer_id, iterator, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (destination_id, consumer_id) DO UPDATE SET iterator = excluded.iterator, updated_at = excluded.updated_at`,
        ).run(destinationId, consumerId, iterator, now);
      });
    },
  };
}
