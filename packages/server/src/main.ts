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
import { Attempts } from './delivery/attempt.ts';
import { DEFAULT_CIRCUIT } from './delivery/circuit.ts';
import { DeliveryEngine } from './delivery/engine.ts';
import { Recorder } from './delivery/recorder.ts';
import { ListenHub } from './delivery/listen-hub.ts';
import { LiveFeed } from './delivery/live-feed.ts';
import { OperationalWebhooks } from './delivery/operational.ts';
import { Publisher } from './delivery/publish.ts';
import { Pruner } from './delivery/pruner.ts';
import { Ingestor } from './inbound/ingest.ts';
import { TaskRunner } from './delivery/tasks.ts';
import { HttpTransport } from './delivery/transports/http.ts';
import { createPublisher, type DestinationConfigs } from './destinations/publishers/index.ts';
import { DestinationTransport } from './destinations/transport.ts';
import { ListenTransport } from './delivery/transports/listen.ts';
import { ThreadedHttpTransport } from './delivery/transports/threaded-http.ts';
import { openKeyring, type Keyring } from './security/master-key.ts';
import { announcingCatalogChanges } from './store/catalog-changes.ts';
import { openSqliteStorage } from './store/sqlite/index.ts';
import { lockDataDir } from './store/sqlite/lock.ts';
import type { Storage } from './store/storage.ts';
import { startTracing } from './telemetry/tracing.ts';
import { TransformRunner, transformLimits } from './transform/runner.ts';
import { VERSION } from './version.ts';
import { warmUp } from './warm-up.ts';

export interface RunningHerald {
  /** The API's address; for a worker-only process, that of its metrics and health listener. */
  url: string;
  server: HeraldApp | null;
  store: Storage;
  engine: DeliveryEngine | null;
  /** The threads deliveries are sent from; null with HERALD_DELIVERY_THREADS=0 or without a worker (tests end one mid-flight). */
  deliveryThreads: ThreadedHttpTransport | null;
  log: Logger;
  /** The admin token in clear, only on the first start that generated it. */
  generatedAdminToken?: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** `herald serve`: first run the hot paths on a throwaway Herald (warm-up.ts), and carry on with its delivery threads. */
  warmUp?: boolean;
  /** The warm-up Herald: its stop leaves the delivery threads running, for the real Herald to take over. */
  handOverThreads?: boolean;
}

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

/**
 * The one place that wires Herald together: store, delivery engine (worker role), API (api role). Built in dependency
 * order; the one loop (an attempt's outcome may be reported by an operational webhook, which is published into the
 * engine like any message) closes when the engine is given its attempts, last. `warmUp` (herald serve): first run the
 * hot paths on a throwaway Herald (warm-up.ts), so the first seconds of traffic do not meet cold code.
 */
export async function startHerald(config: HeraldConfig, log: Logger = pino({ level: config.logLevel }), options: StartOptions = {}): Promise<RunningHerald> {
  const warmThreads = options.warmUp ? await warmUp(config, (scratch) => startHerald(scratch, undefined, { handOverThreads: true }), log) : null;
  const tracing = await startTracing(config, log);
  const { store: opened, release } = await openStore(config);
  // Every write that changes what the endpoint cache holds announces itself, here and to the other processes.
  const store = announcingCatalogChanges(opened);
  const shared = store.dialect === 'postgres';
  const runsWorker = config.role !== 'api';
  const runsApi = config.role !== 'worker';
  /** The bus to tell other processes through; null when this process is the only one (SQLite). */
  const bus = shared ? store.bus : null;
  const requestTimeoutMs = config.requestTimeout * 1000;

  const endpoints = new EndpointCache(store.catalog, store.transformations, store.endpointAuth, shared ? config.sharedCacheMaxAge * 1000 : Number.POSITIVE_INFINITY);
  const live = new LiveFeed(bus, log.child({ component: 'live' }));
  const listen = new ListenHub(bus, log.child({ component: 'listen' }));
  const metrics = new Metrics(store);
  const engine = runsWorker
    ? new DeliveryEngine({ queue: store.queue, circuits: store.circuits }, endpoints, {
      requestTimeoutMs,
      perEndpointConcurrency: config.perEndpointConcurrency,
      maxInFlight: config.maxInFlight,
      maxHeld: config.maxHeldDeliveries,
      maxQueuedPerEndpoint: config.maxQueuedPerEndpoint,
      claimBatch: config.claimBatch,
      shared: shared ? { scanEveryMs: config.sharedScanEvery * 1000, parkedStaleMs: config.parkedStaleAfter * 1000 } : null,
      circuit: { ...DEFAULT_CIRCUIT, openAfterFailures: config.circuitBreakerAfter || Number.POSITIVE_INFINITY },
      // Operational webhooks exist once the publisher does (below); circuits change only once deliveries run.
      onCircuit: ({ endpointId, state, failures }) => void endpoints.endpoint(endpointId).then((endpoint) => {
        if (!endpoint) return;
        operational.emit(state === 'opened'
          ? { type: 'endpoint.circuit.opened', appId: endpoint.appId, endpointId, failures }
          : { type: 'endpoint.circuit.closed', appId: endpoint.appId, endpointId });
      }),
    }, log.child({ component: 'delivery' }))
    : null;
  /** Tells this process's engine, if it runs one, that deliveries became due in the store. */
  const noteDue = (at: number) => engine?.noteDue(at);
  const publisher = new Publisher({ history: store.history, queue: store.queue }, endpoints, engine, tracing);
  const operational = new OperationalWebhooks(
    { catalog: store.catalog, history: store.history }, endpoints, (options) => publisher.publish(options), log.child({ component: 'operational' }),
  );

  // Attempts are made by a worker, and, with a shared store, by any process a worker hands a `herald listen` delivery
  // to (its session is connected there): one recorder and one set of transports for both. (A process without a worker
  // always shares PostgreSQL: an API-only process needs it.)
  const targets = {
    allowPrivate: config.allowPrivateTargets, allowCidrs: config.allowPrivateCidrs, httpsOnly: config.endpointHttpsOnly, egressProxy: config.egressProxy,
  };
  // Only a worker sends enough to use threads: an API-only process sends just the odd handed-over listen delivery.
  // The warm-up's threads carry on, their code compiled, under this Herald's targets (the warm-up's allowed loopback).
  const threadLog = log.child({ component: 'delivery' });
  const deliveryThreads = runsWorker && config.deliveryThreads > 0
    ? warmThreads?.retarget(targets, threadLog) ?? new ThreadedHttpTransport(config.deliveryThreads, requestTimeoutMs, targets, threadLog)
    : null;
  if (warmThreads && !deliveryThreads) await warmThreads.close();
  else if (warmThreads) log.info({ threads: config.deliveryThreads }, "the warm-up's delivery threads carry on, under this Herald's targets");
  const http = deliveryThreads ?? new HttpTransport(requestTimeoutMs, targets);
  const recorder = new Recorder({ queue: store.queue, catalog: store.catalog }, log.child({ component: 'delivery' }), noteDue, (outcomes, eventTypes) => {
    live.recorded(outcomes, eventTypes);
    metrics.recorded(outcomes);
  });
  // Its sandbox thread starts on first use, so a Herald without transformations loads none.
  const transforms = new TransformRunner(transformLimits(config));
  // Broker and database destinations, each with a connection of its own, opened on its first delivery.
  const destinations = new DestinationTransport(targets, (type, destination) => createPublisher(type, destination as unknown as DestinationConfigs[typeof type]));
  const attempts = new Attempts(store.catalog, endpoints, [new ListenTransport(listen), destinations, http], recorder, transforms, {
    retrySchedule: config.retrySchedule,
    requestTimeoutMs,
    userAgent: `Herald-Webhooks/${VERSION}`,
    disableFailingEndpointAfterMs: config.disableEndpointAfter * 1000,
    publicUrl: config.publicUrl,
    notify: (event) => operational.emit(event),
    tracing,
  }, log.child({ component: 'delivery' }));
  engine?.sendThrough(attempts);
  if (shared) {
    // Deliveries another process claimed for a listen session connected here: attempted here, under their lease.
    listen.onHandoff = (delivery) => {
      void (async () => {
        const message = await store.history.getMessage(delivery.appId, delivery.messageId);
        // Its retry, if any, is told to this process's engine by the recorder once committed.
        await attempts.run({ ...delivery, payload: message?.payload ?? null }, true);
      })().catch((err) => log.error({ err, deliveryId: delivery.deliveryId, msgId: delivery.messageId, requestId: delivery.requestId }, 'a handed-over listen delivery failed; it returns when its lease ends'));
    };
  }
  const resumed = engine ? await store.queue.recoverAtStart(Date.now()) : undefined;
  const tasks = runsWorker
    ? new TaskRunner({ tasks: store.tasks, catalog: store.catalog, queue: store.queue }, noteDue, log.child({ component: 'tasks' }))
    : null;
  const pruner = runsWorker
    ? new Pruner({ history: store.history, inbound: store.inbound, access: store.access }, { retentionMs: config.retentionDays > 0 ? config.retentionDays * 86_400_000 : null }, log.child({ component: 'retention' }))
    : null;
  await store.bus.subscribe((event) => {
    if (event.type === 'endpoints-changed') endpoints.forgetApp(event.appId);
    else if (event.type === 'deliveries-due') noteDue(event.at);
    else if (event.type === 'listen-sessions' || event.type === 'listen-handoff') listen.receive(event);
    else live.receive(event);
  });

  let server: HeraldApp | null = null;
  let url = '';
  let generatedAdminToken: string | undefined;
  if (runsApi) {
    const { auth, generated } = await loadAuthenticator(store, config.adminToken, log.child({ component: 'auth' }));
    generatedAdminToken = generated;
    const ingestor = new Ingestor(store.inbound, endpoints, publisher, log.child({ component: 'inbound' }));
    server = await buildServer({
      config, catalog: store.catalog, history: store.history, access: store.access, inbound: store.inbound, stats: store.stats,
      tasks: store.tasks, queue: store.queue, circuits: store.circuits, transformations: store.transformations, endpointAuth: store.endpointAuth, pollers: store.pollers, transforms, health: () => checkHealth(store, config.healthStallAfter * 1000),
      endpoints, publisher, operational, taskRunner: tasks, live, listen, metrics, auth, ingestor, deliveriesDue: noteDue, log,
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
  // Loaded before the first claim, so the first deliveries do not wait for the threads to start.
  await deliveryThreads?.ready();
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
    deliveryThreads,
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
        await attempts.flush();
        await transforms.close();
        if (!options.handOverThreads) await http.close();
        await destinations.close();
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
