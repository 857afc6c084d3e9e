import pg from 'pg';
import { KeptConnection, connectFailure, errorText, type PublishedMessage, type Publisher } from './publisher.ts';

/** Svix's PostgresConfigIn. */
export interface PostgresConfig {
  url: string;
  /** Overrides the URL's password (kept apart so the URL can be shown). */
  password?: string | null;
  /** The table the rows go to: `table`, `schema.table` or `database.schema.table`; each part is quoted, so case counts. */
  tableName: string;
  /** A PEM certificate authority to verify the server's certificate with (TLS on, verified, whatever the URL says). */
  sslRootCert?: string | null;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** Whether Herald takes this table name: 1–3 dot-separated plain identifiers (no quotes), each at most 63 characters. */
export function validTableName(name: string): boolean {
  const segments = name.split('.');
  return segments.length <= 3 && segments.every((segment) => IDENTIFIER.test(segment));
}

/** The table name as SQL, each segment double-quoted; a name validTableName refuses throws. */
function quotedTableName(name: string): string {
  if (!validTableName(name)) throw new Error(`PostgreSQL: "${name}" is not a table name Herald accepts (1 to 3 dot-separated identifiers of letters, digits, _ and $)`);
  return name
    .split('.')
    .map((segment) => `"${segment}"`)
    .join('.');
}

/** The CREATE TABLE a user runs for a PostgreSQL destination: the columns the publisher inserts, keyed by message id. */
export function POSTGRES_DESTINATION_TABLE_SQL(tableName: string): string {
  return `CREATE TABLE ${quotedTableName(tableName)} (
  id text PRIMARY KEY,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  headers jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);`;
}

/**
 * pg lets a connection string's values override the options beside it (even an absent password, as ''), so the
 * password goes into the URL and, with a root certificate, the URL's TLS settings come out.
 */
function poolConfig(config: PostgresConfig, timeoutMs: number): pg.PoolConfig {
  if (!URL.canParse(config.url)) throw new Error('PostgreSQL: the URL is not a valid postgres:// URL');
  const url = new URL(config.url);
  if (config.password != null) url.password = encodeURIComponent(config.password);
  if (config.sslRootCert != null) for (const name of ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey']) url.searchParams.delete(name);
  return {
    connectionString: url.href,
    max: 2,
    connectionTimeoutMillis: timeoutMs,
    // The server gives up on an insert stuck behind a lock as the publish does, so the connection comes back to the pool.
    statement_timeout: timeoutMs,
    ...(config.sslRootCert != null ? { ssl: { ca: config.sslRootCert } } : {}),
  };
}

/**
 * Inserts each batch as one multi-row INSERT; a message already in the table (a redelivery) is skipped by its id.
 * The pool reconnects by itself; it is only replaced after a timeout. Its time limits are the first publish's.
 */
export class PostgresPublisher implements Publisher {
  readonly #pool = new KeptConnection<pg.Pool>(
    'PostgreSQL',
    async (timeoutMs) => {
      const pool = new pg.Pool(poolConfig(this.config, timeoutMs));
      // An idle connection's error (the server restarted): the pool discards that connection itself.
      pool.on('error', () => {});
      return pool;
    },
    (pool) => pool.end(),
  );

  constructor(private readonly config: PostgresConfig) {}

  async publish(batch: readonly PublishedMessage[], timeoutMs: number): Promise<void> {
    if (batch.length === 0) return;
    const table = quotedTableName(this.config.tableName);
    await this.#pool.run(timeoutMs, (pool) => this.#insert(pool, table, batch));
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  async #insert(pool: pg.Pool, table: string, batch: readonly PublishedMessage[]): Promise<void> {
    const rows: string[] = [];
    const values: unknown[] = [];
    for (const message of batch) {
      const n = values.length;
      rows.push(`($${n + 1}, $${n + 2}, $${n + 3}::jsonb, $${n + 4}::jsonb, $${n + 5}::timestamptz)`);
      values.push(message.id, message.eventType, message.body, JSON.stringify(message.headers), new Date(message.timestamp));
    }
    try {
      await pool.query(`INSERT INTO ${table} (id, event_type, payload, headers, created_at) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`, values);
    } catch (err) {
      // A socket error (refused, reset, unreachable) carries the system call, or is several (each address of a host
      // name); anything else is the server's answer.
      if (err instanceof AggregateError || (err instanceof Error && 'syscall' in err)) throw connectFailure('PostgreSQL', err);
      throw new Error(`PostgreSQL: ${errorText(err)}`, { cause: err });
    }
  }
}
