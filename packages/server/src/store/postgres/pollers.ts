import type pg from 'pg';
import type { PollerStore } from '../slices/pollers.ts';

/** Polling destinations' consumer positions. */
export function postgresPollers(pool: pg.Pool): PollerStore {
  return {
    async getConsumerPosition(destinationId, consumerId) {
      const { rows } = await pool.query('SELECT iterator FROM poller_consumer WHERE destination_id = $1 AND consumer_id = $2', [destinationId, consumerId]);
      return rows[0]?.iterator;
    },
    async setConsumerPosition(destinationId, consumerId, iterator, now) {
      await pool.query(
        `INSERT INTO poller_consumer (destination_id, consumer_id, iterator, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (destination_id, consumer_id) DO UPDATE SET iterator = excluded.iterator, updated_at = excluded.updated_at`,
        [destinationId, consumerId, iterator, now],
      );
    },
  };
}
