import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { assertMayReadMetrics } from './api/access.ts';
import { forgetGeneratedAdminToken, loadAuthenticator } from './api/auth.ts';
import { checkHealth } from './api/health.ts';
import { Metrics } from './api/metrics.ts';
import { startWorkerHttp, type WorkerHttp } from './api/worker-http.ts';
import { buildServer, type HeraldApp } from './api/server.ts';
import { ConfigError, type HeraldConfig } from './config/config.ts';
import { EndpointCache } from './delivery/endpoint-cache.ts';
import { Attempts, type AttemptOptions } from './delivery/attempt.ts';
import { DEFAULT_CIRCUIT } from './delivery/circuit.ts';
import { DeliveryEngine } from './delivery/engine.ts';
import { Recorder } from './delivery/recorder.ts';
import type { AttemptOutcome } from './store/types.ts';
import { ListenHub } from './delivery/listen-hub.ts';
import { LiveFeed } from './delivery/live-feed.ts';
import { OperationalWebhooks } from './delivery/operational.ts';
import { Publisher } from './delivery/publish.ts';
import { Pruner } from './delivery/pruner.ts';
import { Ingestor } from './inbound/ingest.ts';
import { TaskRunner } from './delivery/tasks.ts';
import { Sender } from './delivery/sender.ts';
import { openKeyring, type Keyring } from './security/master-key.ts';
import { announcingCatalogChanges } from './store/catalog-changes.ts';
import { openSqliteStorage } from './store/sqlite/index.ts';
import { lockDataDir } from './store/sqlite/lock.ts';
import type { Storage } from './store/storage.ts';
import { startTracing } from './telemetry/tracing.ts';
import { VERSION } from './version.ts';

export interface RunningHerald {
  /** The API's address; for a worker-only process, that of its metrics and health listener. */
  url: string;
  server: HeraldApp | null;
  store: Storage;
  engine: DeliveryEngine | null;
  log: Logger;
  /** The admin token in clear, only on the first start that generated it. */
  generatedAdminToken?: string;
  stop(): Promise<void>;
}

/** How long a process sharing PostgreSQL may go without hearing of an endpoint change before it rereads. */
const SHARED_CACHE_MAX_AGE_MS = 30_000;

/**
 * Opens the configured store: PostgreSQL when a database URL is given, else SQLite in the data directory. Endpoint
 * secrets are encrypted under the master key (HERALD_ENCRYPTION_KEY, or the data directory's key file, both dialects).
 */
export async function openStore(
  config: HeraldConfig,
  options: { sending: boolean; createKey?: boolean } = { sending: true },
): Promise<{ store: Storage; release: () => void; keyring: Keyring }> {
  const keyring = openKeyring(config, { create: options.createKey ?? true });
  try {
    if (config.databaseUrl) {
      // Loaded only when asked for: the embedded default never needs the PostgreSQL driver.
      const { openPostgresStorage } = await import('./store/postgres/index.ts');
      const store = await openPostgresStorage({
        url: config.databaseUrl, schema: config.databaseSchema, poolSize: config.databasePoolSize, secrets: keyring.box,
      });
      keyring.settle();
      return { store, release: () => {}, keyring };
    }
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    // Only a process that sends must be alone with the SQLite files; maintenance commands work beside a server.
    const release = options.sending ? lockDataDir(config.dataDir) : () => {};
    try {
      const store = openSqliteStorage({ file: path.join(config.dataDir, 'herald.db'), synchronous: config.sqliteSynchronous, secrets: keyring.box });
      keyring.settle();
      return { store, release, keyring };
    } catch (err) {
      release();
      throw err;
    }
  } catch (err) {
    // A refusal (the key is not the database's) comes before anything was sealed with the key.
    if (err instanceof ConfigError) keyring.discard();
    throw err;
  }
}

/**
 * The server's logger: readable lines for a person at a terminal (so the first start's token banner is not buried in
 * JSON), JSON lines for everything else (a log collector, a pipe, a file). Both write synchronously, so the last line
 * before an exit is not lost.
 */
export async function createLogger(level: string, terminal: boolean = process.stdout.isTTY === true): Promise<Logger> {
  if (!terminal) return pino({ level });
  const { default: pretty } = await import('pino-pretty');
  return pino({ level }, pretty({ sync: true, colorize: !process.env['NO_COLOR'], translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }));
}

/** The one place that wires Herald together: store, delivery engine (worker role), API (api role). */
export async function startHerald(config: HeraldConfig, log: Logger = pino({ level: config.logLevel })): Promise<RunningHerald> {
  const tracing = await startTracing(config, log);
  const { store: opened, release } = await openStore(config);
  // Every write that changes what the endpoint cache holds announces itself, here and to the other processes.
  const store = announcingCatalogChanges(opened);
  const shared = store.dialect === 'postgres';
  const endpoints = new EndpointCache(store, shared ? SHARED_CACHE_MAX_AGE_MS : Number.POSITIVE_INFINITY);
  const runsWorker = config.role !== 'api';
  const runsApi = config.role !== 'worker';

  let sender: Sender | null = null;
  let engine: DeliveryEngine | null = null;
  // The engine reports through operational webhooks, which are published like any message: wired below.
  let operational: OperationalWebhooks | undefined;
  const live = new LiveFeed(shared ? store : null, log.child({ component: 'live' }));
  const listen = new ListenHub(shared ? store : null, log.child({ component: 'listen' }));
  const attemptOptions: AttemptOptions = {
    retrySchedule: config.retrySchedule,
    requestTimeoutMs: config.requestTimeout * 1000,
    userAgent: `Herald-Webhooks/${VERSION}`,
    disableFailingEndpointAfterMs: config.disableEndpointAfter * 1000,
    notify: (event) => operational?.emit(event),
    listen,
    tracing,
  };
  const metrics = new Metrics(store);
  const onRecorded = (outcomes: AttemptOutcome[], eventTypes: string[]) => {
    live.recorded(outcomes, eventTypes);
    metrics.recorded(outcomes);
  };
  if (runsWorker || shared) sender = new Sender(config.requestTimeout * 1000, {
    allowPrivate: config.allowPrivateTargets, allowCidrs: config.allowPrivateCidrs, httpsOnly: config.endpointHttpsOnly, egressProxy: config.egressProxy,
  });
  if (runsWorker) {
    engine = new DeliveryEngine(
      store,
      endpoints,
      sender!,
      {
        ...attemptOptions,
        perEndpointConcurrency: 10,
        maxHeld: 20_000,
        maxQueuedPerEndpoint: 2_000,
        claimBatch: 500,
        shared: shared ? { scanEveryMs: 5_000, parkedStaleMs: 60_000 } : null,
        circuit: { ...DEFAULT_CIRCUIT, openAfterFailures: config.circuitBreakerAfter || Number.POSITIVE_INFINITY },
        onRecorded,
      },
      log.child({ component: 'delivery' }),
    );
  }
  const resumed = engine ? await store.queue.recoverAtStart(Date.now()) : undefined;
  // Deliveries another process claimed for a listen session connected here: attempted here, under their lease.
  let handoffRecorder: Recorder | null = null;
  if (shared) {
    const recorder = new Recorder(store, log, (at) => engine?.noteDueInStore(at), onRecorded);
    const attempts = new Attempts(store, endpoints, sender!, recorder, attemptOptions, log.child({ component: 'listen' }));
    listen.onHandoff = (delivery) => {
      void (async () => {
        const message = await store.history.getMessage(delivery.appId, delivery.messageId);
        const report = await attempts.run({ ...delivery, payload: message?.payload ?? null }, true);
        if (report?.due) engine?.noteDueInStore(report.due);
      })().catch((err) => log.error({ err, deliveryId: delivery.deliveryId, msgId: delivery.messageId, requestId: delivery.requestId }, 'a handed-over listen delivery failed; it returns when its lease ends'));
    };
    handoffRecorder = recorder;
  }
  const publisher = new Publisher(store, endpoints, engine, tracing);
  const tasks = runsWorker ? new TaskRunner(store, engine, log.child({ component: 'tasks' })) : null;
  const pruner = runsWorker ? new Pruner(store, { retentionMs: config.retentionDays > 0 ? config.retentionDays * 86_400_000 : null }, log.child({ component: 'retention' })) : null;
  operational = new OperationalWebhooks(store, endpoints, publisher, log.child({ component: 'operational' }));
  await store.bus.subscribe((event) => {
    if (event.type === 'endpoints-changed') endpoints.forgetApp(event.appId);
    else if (event.type === 'deliveries-due') engine?.noteDueInStore(event.at);
    else if (event.type === 'listen-sessions' || event.type === 'listen-handoff') listen.receive(event);
    else live.receive(event);
  });

  let server: HeraldApp | null = null;
  let url = '';
  let generatedAdminToken: string | undefined;
  if (runsApi) {
    const { auth, generated } = await loadAuthenticator(store, config.adminToken, log.child({ component: 'auth' }));
    generatedAdminToken = generated;
    const deliveriesDue = (at: number) => engine?.noteDueInStore(at);
    const ingestor = new Ingestor(store.inbound, endpoints, publisher, log.child({ component: 'inbound' }));
    server = await buildServer({
      config, catalog: store.catalog, history: store.history, access: store.access, inbound: store.inbound, stats: store.stats,
      tasks: store.tasks, queue: store.queue, circuits: store.circuits, health: () => checkHealth(store, config.healthStallAfter * 1000),
      endpoints, publisher, operational, taskRunner: tasks, live, listen, metrics, auth, ingestor, deliveriesDue, log,
    });
    try {
      url = await server.listen({ port: config.port, host: config.host });
    } catch (err) {
      if (generated) await forgetGeneratedAdminToken(store);
      throw err;
    }
  }
  let workerHttp: WorkerHttp | null = null;
  if (!runsApi) {
    // A worker has no API, but load balancers and Prometheus still need its health and metrics.
    const { auth } = await loadAuthenticator(store, config.adminToken, log.child({ component: 'auth' }), { generate: false });
    const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
    const authenticateMetrics = async (header: string | undefined) => assertMayReadMetrics(await auth.authenticate(header));
    workerHttp = await startWorkerHttp(metrics.registry, authenticateMetrics, () => checkHealth(store, config.healthStallAfter * 1000), {
      host: config.host, port: config.port, tls, log: log.child({ component: 'worker-http' }),
    });
    url = workerHttp.url;
  }
  await engine?.start(resumed);
  pruner?.start();
  tasks?.start();
  const where = shared ? { schema: config.databaseSchema } : { dataDir: config.dataDir };
  log.info({ url: url || undefined, role: config.role, store: store.dialect, ...where, version: VERSION }, 'Herald started');

  let stopping: Promise<void> | null = null;
  return {
    url,
    server,
    store,
    engine,
    log,
    generatedAdminToken,
    stop() {
      stopping ??= (async () => {
        const started = Date.now();
        pruner?.stop();
        tasks?.stop();
        await server?.close();
        await workerHttp?.close();
        live.stop();
        await engine?.stop();
        await handoffRecorder?.flush();
        await sender?.close();
        // After the engine stopped: the spans of the last attempts go out with this flush.
        await tracing.shutdown();
        await store.close();
        release();
        log.info({ durationMs: Date.now() - started }, 'Herald stopped');
      })();
      return stopping;
    },
  };
}
