import type pg from 'pg';
import type { Bus } from '../slices/bus.ts';
import type { StoreEvent } from '../types.ts';
import { EventListener } from './events.ts';

const NOTICE_WINDOW_MS = 2;

/** What a write that made deliveries due needs of the bus. */
export interface DueNotices {
  /** Tells the workers, soon and batched, that deliveries are due from `at`. */
  announceDue(at: number): void;
}

/** The PostgreSQL Bus: NOTIFY on a channel of the schema, heard by one LISTEN connection per process (events.ts). */
export type PostgresBus = Bus & DueNotices & {
  /** Sends a notice still waiting, and stops listening. */
  close(): Promise<void>;
};

export function postgresBus(pool: pg.Pool, listenerConfig: pg.ClientConfig, channel: string): PostgresBus {
  const events = new EventListener(listenerConfig, channel);
  let pendingNotice: { at: number; timer: NodeJS.Timeout } | null = null;

  async function broadcast(event: StoreEvent): Promise<void> {
    await pool.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(event)]);
  }

  async function sendNotice(): Promise<void> {
    const notice = pendingNotice;
    if (!notice) return;
    pendingNotice = null;
    clearTimeout(notice.timer);
    // A lost notice costs latency, not work: the sweep finds the deliveries.
    await broadcast({ type: 'deliveries-due', at: notice.at }).catch(() => undefined);
  }

  return {
    subscribe: (listener) => events.add(listener),
    broadcast,

    /**
     * After the commit, at most one notice per NOTICE_WINDOW_MS. A NOTIFY inside the publishing statement holds
     * PostgreSQL's notify lock through the commit, so concurrent publishes could no longer share a disk flush
     * (measured: publishing ran at half the rate). A process that dies between its commit and the notice leaves the
     * work to the workers' periodic sweep.
     */
    announceDue(at) {
      if (pendingNotice) {
        pendingNotice.at = Math.min(pendingNotice.at, at);
        return;
      }
      const timer = setTimeout(() => void sendNotice(), NOTICE_WINDOW_MS);
      pendingNotice = { at, timer };
    },

    async close() {
      await sendNotice();
      await events.close();
    },
  };
}
