import pg from 'pg';
import { UNENCRYPTED, type SecretBox } from '../../security/secret-box.ts';
import type { Storage } from '../storage.ts';
import { postgresAccess } from './access.ts';
import { postgresBus } from './bus.ts';
import { postgresCatalog } from './catalog.ts';
import { postgresCircuits } from './circuits.ts';
import { postgresPollers } from './pollers.ts';
import { postgresTransformations } from './transformations.ts';
import { postgresEndpointAuth } from './endpoint-auth.ts';
import { channelOf, checkSchema, poolConfig } from './connection.ts';
import type { PgContext } from './context.ts';
import { postgresHistory } from './history.ts';
import { postgresInbound } from './inbound.ts';
import { postgresKeys } from './keys.ts';
import { migrate } from './migrate.ts';
import { unreachable } from './unreachable.ts';
import { postgresQueue } from './queue.ts';
import { prepareSecrets } from './secrets.ts';
import { postgresSettings } from './settings.ts';
import { postgresStats } from './stats.ts';
import { postgresTasks } from './tasks.ts';

export { migratePostgres } from './migrate.ts';

export interface PostgresOptions {
  url: string;
  /** Where Herald's tables live (created if missing); default 'herald'. */
  schema?: string;
  /** Connections in this process's pool; default 10. */
  poolSize?: number;
  /** Encrypts endpoint secrets and custom header values; without it they are stored as given (tests only). */
  secrets?: SecretBox;
}

/**
 * Connects to PostgreSQL, creates the schema if missing and applies pending migrations. The store is shared by any
 * number of Herald processes: the delivery table is the queue (see queue.ts), and processes wake each other with
 * NOTIFY on a channel of the schema (bus.ts).
 */
export async function openPostgresStorage(options: PostgresOptions): Promise<Storage> {
  const schema = checkSchema(options.schema ?? 'herald');
  const ctx: PgContext = {
    pool: new pg.Pool(poolConfig(options.url, schema, options.poolSize ?? 10)),
    secrets: options.secrets ?? UNENCRYPTED,
  };
  const { pool } = ctx;
  // An idle connection that drops is discarded by the pool; the next query opens a new one.
  pool.on('error', () => undefined);
  let migrationsApplied: number[];
  try {
    const client = await pool.connect().catch((err: unknown) => {
      throw unreachable(options.url, err);
    });
    try {
      migrationsApplied = await migrate(client, schema);
      await prepareSecrets(client, ctx.secrets);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  const bus = postgresBus(pool, { connectionString: options.url }, channelOf(schema));
  return {
    dialect: 'postgres',
    migrationsApplied,
    async close() {
      await bus.close();
      await pool.end();
    },
    /** Not tracked: PostgreSQL's disk_full is still answered 507 by the API, but health and metrics do not see it. */
    storageFull: () => null,
    settings: postgresSettings(pool),
    catalog: postgresCatalog(ctx),
    circuits: postgresCircuits(pool),
    transformations: postgresTransformations(pool),
    pollers: postgresPollers(pool),
    endpointAuth: postgresEndpointAuth(ctx),
    queue: postgresQueue(pool, bus),
    history: postgresHistory(pool, bus),
    tasks: postgresTasks(pool),
    access: postgresAccess(pool),
    inbound: postgresInbound(ctx),
    stats: postgresStats(pool),
    bus: { subscribe: bus.subscribe, broadcast: bus.broadcast },
    keys: postgresKeys(ctx),
  };
}
