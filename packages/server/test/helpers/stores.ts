import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MasterKey } from '../../src/security/key-format.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { openPostgresStorage } from '../../src/store/postgres/index.ts';
import { openSqliteStorage } from '../../src/store/sqlite/index.ts';
import type { Storage } from '../../src/store/storage.ts';
import { dropSchema, PG_TEST_URL, probePostgres, uniqueSchema } from './pg.ts';

/**
 * Backend factories for the storage conformance suites (test/store/*.test.ts). Every call of `open()` gives
 * a fresh, empty store (its own SQLite file, or its own PostgreSQL schema) and a cleanup that removes it again.
 * Stores encrypt secrets as Herald's do, under a key of their own that their other handles share.
 */

const keyring = (key: MasterKey) => new SecretBox([key], 'the test key');

export interface OpenedStore {
  store: Storage;
  /** Another handle on the same database (as a second process would open it); closed by cleanup(). */
  another(): Promise<Storage>;
  cleanup(): Promise<void>;
}

/** Opens extra handles and closes them (before the main one) at cleanup. */
function extraHandles(open: () => Promise<Storage>) {
  const handles: Storage[] = [];
  return {
    async another(): Promise<Storage> {
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
    const key = MasterKey.generate();
    let store: Storage;
    try {
      store = openSqliteStorage({ file, synchronous: 'normal', secrets: keyring(key) });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const extra = extraHandles(async () => openSqliteStorage({ file, synchronous: 'normal', secrets: keyring(key) }));
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

/** PostgreSQL: each open() gets a schema of its own, dropped again by cleanup(). */
async function postgresBackend(): Promise<Backend> {
  const reason = await probePostgres();
  if (reason !== undefined) {
    const message = `PostgreSQL store conformance: ${reason}`;
    const never = () => Promise.reject(new Error(message));
    if (process.env['CI'] === 'true') return { name: 'postgres', failure: `${message} (CI=true: PostgreSQL is required)`, open: never };
    process.stderr.write(`\n!!! ${message} -- SKIPPING the PostgreSQL suite\n\n`);
    return { name: 'postgres', skip: message, open: never };
  }
  return {
    name: 'postgres',
    async open() {
      const schema = uniqueSchema('herald_conf');
      const key = MasterKey.generate();
      const openStore = () => openPostgresStorage({ url: PG_TEST_URL, schema, secrets: keyring(key) });
      let store: Storage;
      try {
        store = await openStore();
      } catch (err) {
        await dropSchema(schema).catch(() => {});
        throw err;
      }
      const extra = extraHandles(openStore);
      return {
        store,
        another: extra.another,
        async cleanup() {
          try {
            await extra.closeAll();
            await store.close();
          } finally {
            await dropSchema(schema);
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

/** What a store test gets besides its store: other handles on it, and its backend (to open a separate store). */
export interface StoreTestContext {
  backend: Backend;
  another(): Promise<Storage>;
}

/** Declares a test that gets a fresh store of its own, removed afterwards. */
export type StoreTest = (name: string, body: (store: Storage, context: StoreTestContext) => Promise<void>) => void;

/**
 * One suite per backend, titled "TITLE: backend": skipped when the backend cannot run here, failing when it must run
 * but cannot (CI without PostgreSQL).
 */
export function describeEachBackend(title: string, backends: Backend[], suite: (test: StoreTest) => void): void {
  for (const backend of backends) {
    if (backend.failure !== undefined) {
      const failure = backend.failure;
      describe(`${title}: ${backend.name}`, () => it(`${backend.name} is available`, () => assert.fail(failure)));
      continue;
    }
    describe(`${title}: ${backend.name}`, backend.skip !== undefined ? { skip: backend.skip } : {}, () =>
      suite((name, body) =>
        it(name, async () => {
          const opened = await backend.open();
          try {
            await body(opened.store, { backend, another: opened.another });
          } finally {
            await opened.cleanup();
          }
        })));
  }
}
