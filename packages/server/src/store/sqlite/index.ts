import type { Database } from 'better-sqlite3';
import type { Storage } from '../storage.ts';
import { sqliteAccess } from './access.ts';
import { sqliteBus } from './bus.ts';
import { sqliteCatalog } from './catalog.ts';
import { sqliteCircuits } from './circuits.ts';
import { sqliteEndpointAuth } from './endpoint-auth.ts';
import { sqlitePollers } from './pollers.ts';
import { sqliteTransformations } from './transformations.ts';
import type { SqliteOptions } from './connection.ts';
import { sqliteHistory } from './history.ts';
import { sqliteInbound } from './inbound.ts';
import { sqliteKeys } from './keys.ts';
import { closeConnection, openConnection } from './open.ts';
import { sqliteQueue } from './queue.ts';
import { sqliteSettings } from './settings.ts';
import { sqliteStats } from './stats.ts';
import { sqliteTasks } from './tasks.ts';

export type { SqliteOptions };

/**
 * The SQLite store: one file in WAL mode, written through a group-commit queue by the one process that owns it.
 * Its connection is open to whoever holds this type (a test caps the file's size with a per-connection pragma).
 */
export type SqliteStorage = Storage & { readonly connection: Database };

/** Opens (creating if needed) the SQLite database at `options.file`. */
export function openSqliteStorage(options: SqliteOptions): SqliteStorage {
  const c = openConnection(options);
  return {
    dialect: 'sqlite',
    migrationsApplied: c.migrationsApplied,
    connection: c.db,
    close: () => closeConnection(c),
    storageFull: () => c.writes.full,
    settings: sqliteSettings(c),
    catalog: sqliteCatalog(c),
    circuits: sqliteCircuits(c),
    transformations: sqliteTransformations(c),
    pollers: sqlitePollers(c),
    endpointAuth: sqliteEndpointAuth(c),
    queue: sqliteQueue(c),
    history: sqliteHistory(c),
    tasks: sqliteTasks(c),
    access: sqliteAccess(c),
    inbound: sqliteInbound(c),
    stats: sqliteStats(c),
    bus: sqliteBus,
    keys: sqliteKeys(c),
  };
}
