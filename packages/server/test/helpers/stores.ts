import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * Backend factories for the storage conformance suite (test/store-conformance.test.ts). Every call of `open()` gives
 * a fresh, empty store (its own SQLite file, or its own PostgreSQL schema) and a cleanup that removes it again.
 */

export interface OpenedStore {
  store: Store;
  /** Another handle on the same database (as a second process would open it); closed by cleanup(). */
  another(): Promise<Store>;
  cleanup(): Promise<void>;
}

/** Opens extra handles and closes them (before the main one) at cleanup. */
function extraHandles(open: () => Promise<Store>) {
  const handles: Store[] = [];
  return {
    async another(): Promise<Store> {
      const store = await open();
      handles.push(store);
      return store;
    },
    async closeAll(): Promise<void> {
      for (const store of handles.splice(0)) await store.close().catch(() => {});
    },
  };
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Set when the backend cannot run here: the suite is reported as skipped with this reason. */
  skip?: string;
  /** Set when the backend must run but cannot (CI without PostgreSQL): the suite fails with this message. */
  failure?: string;
  open(): Promise<OpenedStore>;
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-conf-'));
    const file = path.join(dir, 'herald.db');
    let store: SqliteStore;
    try {
      store = new SqliteStore({ file, synchronous: 'normal' });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const extra = extraHandles(async () => new SqliteStore({ file, synchronous: 'normal' }));
    return {
      store,
      another: extra.another,
      async cleanup() {
        try {
          await extra.closeAll();
          await store.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  },
};

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

const POSTGRES_MODULE = new URL('../../src/store/postgres/index.ts', import.meta.url);

/** What the suite needs of the PostgreSQL module (typed here so the suite compiles while that module is missing). */
interface PostgresModule {
  PostgresStore: { open(options: { url: string; schema: string }): Promise<Store> };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Connects once with a short timeout: undefined when PostgreSQL answers, else why not. */
async function probe(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  // A server that dies mid-probe must not crash the test process through an unhandled 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The PostgreSQL backend. Probes the server once and loads src/store/postgres dynamically, so this file (and the
 * SQLite suite) still runs where neither exists. Unavailable PostgreSQL is a skip, except under CI where it fails.
 */
async function postgresBackend(): Promise<Backend> {
  const url = process.env['HERALD_TEST_DATABASE_URL'] || DEFAULT_DATABASE_URL;
  const ci = process.env['CI'] === 'true';
  const unavailable = (reason: string): Backend => {
    const message = `PostgreSQL store conformance: ${reason}`;
    if (ci) return { name: 'postgres', failure: `${message} (CI=true: PostgreSQL is required)`, open: () => Promise.reject(new Error(message)) };
    process.stderr.write(`\n!!! ${message} -- SKIPPING the PostgreSQL suite\n\n`);
    return { name: 'postgres', skip: message, open: () => Promise.reject(new Error(message)) };
  };

  const probeError = await probe(url);
  if (probeError !== undefined) return unavailable(`PostgreSQL was not reachable at ${url} (${probeError}); HERALD_TEST_DATABASE_URL sets where to look`);

  let mod: PostgresModule;
  try {
    mod = (await import(POSTGRES_MODULE.href)) as PostgresModule;
  } catch (err) {
    // Missing module: treated like an unreachable server. A module that exists but fails to load is a real failure.
    if (!existsSync(fileURLToPath(POSTGRES_MODULE))) return unavailable(`the module ${fileURLToPath(POSTGRES_MODULE)} does not exist`);
    const message = `PostgreSQL store conformance: ${fileURLToPath(POSTGRES_MODULE)} failed to load: ${(err as Error).stack ?? String(err)}`;
    return { name: 'postgres', failure: message, open: () => Promise.reject(new Error(message)) };
  }
  if (typeof mod.PostgresStore?.open !== 'function') {
    const message = `PostgreSQL store conformance: ${fileURLToPath(POSTGRES_MODULE)} does not export PostgresStore.open()`;
    return { name: 'postgres', failure: message, open: () => Promise.reject(new Error(message)) };
  }

  return {
    name: 'postgres',
    async open() {
      const schema = `herald_conf_${randomBytes(6).toString('hex')}`;
      let store: Store;
      try {
        store = await mod.PostgresStore.open({ url, schema });
      } catch (err) {
        await dropSchema(url, schema).catch(() => {});
        throw err;
      }
      const extra = extraHandles(() => mod.PostgresStore.open({ url, schema }));
      return {
        store,
        another: extra.another,
        async cleanup() {
          try {
            await extra.closeAll();
            await store.close();
          } finally {
            await dropSchema(url, schema);
          }
        },
      };
    },
  };
}

/** Every backend the conformance suite runs against, probed once. */
export async function loadBackends(): Promise<Backend[]> {
  return [sqliteBackend, await postgresBackend()];
}
