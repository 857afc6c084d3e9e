import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { loadAdminAuth } from './api/auth.ts';
import { buildServer, type HeraldApp } from './api/server.ts';
import type { HeraldConfig } from './config/config.ts';
import { EndpointCache } from './delivery/endpoint-cache.ts';
import { DeliveryEngine } from './delivery/engine.ts';
import { Publisher } from './delivery/publish.ts';
import { Sender } from './delivery/sender.ts';
import { SqliteStore } from './store/sqlite/index.ts';
import { lockDataDir } from './store/sqlite/lock.ts';
import type { Store } from './store/store.ts';
import { VERSION } from './version.ts';

export interface RunningHerald {
  url: string;
  server: HeraldApp;
  store: Store;
  engine: DeliveryEngine;
  log: Logger;
  /** The admin token in clear, only on the first start that generated it. */
  generatedAdminToken?: string;
  stop(): Promise<void>;
}

/** The one place that wires Herald together: store, delivery engine, API. */
export async function startHerald(config: HeraldConfig, log: Logger = pino({ level: config.logLevel })): Promise<RunningHerald> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockDataDir(config.dataDir);
  const store = new SqliteStore({ file: path.join(config.dataDir, 'herald.db'), synchronous: config.sqliteSynchronous });
  const { auth, generated } = await loadAdminAuth(store, config.adminToken);

  const endpoints = new EndpointCache(store);
  const sender = new Sender(config.requestTimeout * 1000, config.allowPrivateTargets);
  const engine = new DeliveryEngine(
    store,
    endpoints,
    sender,
    {
      retrySchedule: config.retrySchedule,
      requestTimeoutMs: config.requestTimeout * 1000,
      perEndpointConcurrency: 10,
      maxHeld: 20_000,
      maxQueuedPerEndpoint: 2_000,
      claimBatch: 500,
      userAgent: `Herald-Webhooks/${VERSION}`,
    },
    log.child({ component: 'delivery' }),
  );
  const publisher = new Publisher(store, endpoints, engine);

  // SQLite has exactly one sending process, so whatever was mid-send when it last stopped is due again now.
  const resumed = await store.recoverAtStart(Date.now());
  if (resumed > 0) log.info({ resumed }, 'resuming deliveries that were in flight when Herald last stopped');

  const server = await buildServer({ config, store, endpoints, publisher, log }, auth);
  const address = await server.listen({ port: config.port, host: config.host });
  await engine.start();
  log.info({ url: address, dataDir: config.dataDir, version: VERSION }, 'Herald is listening');

  let stopping: Promise<void> | null = null;
  return {
    url: address,
    server,
    store,
    engine,
    log,
    generatedAdminToken: generated,
    stop() {
      stopping ??= (async () => {
        await server.close();
        await engine.stop();
        await sender.close();
        await store.close();
        unlock();
      })();
      return stopping;
    },
  };
}
