import type { StoreEvent } from '../types.ts';

/**
 * Notices between processes sharing one store (none for SQLite: one process owns it).
 */
export interface Bus {
  /** Events from other processes sharing this store (none for SQLite). */
  subscribe(listener: (event: StoreEvent) => void): Promise<void>;
  /** Tells the other processes sharing this store (no-op for SQLite). */
  broadcast(event: StoreEvent): Promise<void>;
}
