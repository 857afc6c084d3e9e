import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { MasterKey } from '../security/key-format.ts';
import {
  ConfigError, type RawValue, integer, positiveNumber, boolean, nonEmptyString, optionalToken, retrySchedule, readablePemFile, cidrList, originList, encryptionKey, postgresUrl, httpUrl, identifier, oneOf, trustProxy,
} from './parse.ts';

export { ConfigError };

/** The validated, frozen configuration every part of Herald receives. Nothing else reads process.env. */
export interface HeraldConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** The admin token given by the operator, if any; otherwise one is generated on first start. */
  readonly adminToken: string | undefined;
  readonly allowPrivateTargets: boolean;
  /** Private ranges deliveries may reach even though private targets are not allowed (CIDRs). */
  readonly allowPrivateCidrs: readonly string[];
  /** Endpoints must use https:// (creating or changing one to http:// is refused, and so is sending to one). */
  readonly endpointHttpsOnly: boolean;
  /** Seconds between attempts: entry i is the wait after the (i+1)-th failed attempt. */
  readonly retrySchedule: readonly number[];
  /** Per-attempt HTTP timeout, seconds. */
  readonly requestTimeout: number;
  readonly logLevel: LogLevel;
  /** SQLite durability: NORMAL survives a killed process, FULL also survives power loss. */
  readonly sqliteSynchronous: 'normal' | 'full';
  /** PostgreSQL connection URL; unset means the embedded SQLite store in dataDir. */
  readonly databaseUrl: string | undefined;
  /** The PostgreSQL schema Herald's tables live in. */
  readonly databaseSchema: string;
  /** Connections per process in the PostgreSQL pool. */
  readonly databasePoolSize: number;
  /** What this process runs: the API, the delivery worker, or both. */
  readonly role: 'api' | 'worker' | 'all';
  /** Seconds an endpoint's deliveries may all fail before it is disabled; 0 never disables. */
  readonly disableEndpointAfter: number;
  /** Failed attempts in a row after which an endpoint is only probed until it answers again; 0: never. */
  readonly circuitBreakerAfter: number;
  /** Seconds deliveries may be late with no attempt made by any worker before health reports delivery stalled. */
  readonly healthStallAfter: number;
  /** PEM certificate chain and private key files: serve HTTPS instead of HTTP (both or neither). */
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  /** Days a message's payload is kept unless the message asks for less; 0: as long as the message. */
  readonly payloadRetentionDays: number;
  /** Days messages, deliveries and attempts are kept once delivered; 0: forever. */
  readonly retentionDays: number;
  /** Encrypts endpoint secrets and custom header values at rest; unset: the key file `encryption.key` in dataDir. */
  readonly encryptionKey: MasterKey | undefined;
  /** OTLP/HTTP collector base URL (OTEL_EXPORTER_OTLP_ENDPOINT): traces go to its /v1/traces; unset: no tracing. */
  readonly otlpEndpoint: string | undefined;
  /** The full OTLP/HTTP traces URL (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); wins over otlpEndpoint. */
  readonly otlpTracesEndpoint: string | undefined;
  /** The service name spans are reported under (OTEL_SERVICE_NAME). */
  readonly otelServiceName: string;
  /** API requests per second a token may make unless the token sets its own limit; 0: no limit. */
  readonly apiRateLimit: number;
  /** Seconds a client has to send a whole request (headers and body) before its connection is closed. */
  readonly apiRequestTimeout: number;
  /** Bytes of request headers the API accepts; larger ones get 431. */
  readonly maxHeaderSize: number;
  /** Whose X-Forwarded-For to believe for client addresses: false, true, a hop count, or proxy addresses/CIDRs. */
  readonly trustProxy: boolean | number | readonly string[];
  /** The address people reach Herald at (for links it hands out, such as consumer portal links). */
  readonly publicUrl: string | undefined;
  /** An HTTP(S) proxy every delivery leaves through (so receivers see fixed addresses). */
  readonly egressProxy: string | undefined;
  /** Bytes a request to an inbound source may carry (GitHub's payloads go up to 25 MB). */
  readonly inboundMaxBody: number;
  /** Origins whose pages may frame the consumer portal (https://app.example.com, https://*.example.com); none: nobody. */
  readonly portalFrameAncestors: readonly string[];
  /**
   * Worker threads outbound HTTP requests are sent from (the main thread keeps ingest, the store and the decisions);
   * 0 sends from the main thread.
   */
  readonly deliveryThreads: number;
  /** Attempts in flight to one endpoint at once, per worker. */
  readonly perEndpointConcurrency: number;
  /** Attempts in flight at once across all endpoints, per worker. */
  readonly maxInFlight: number;
  /** `herald serve` runs its hot paths on a throwaway store before it starts, so the first seconds are not slow. */
  readonly warmUp: boolean;
  /** `herald serve` lets its heap grow this many percent past its live objects before a full collection (0: V8's default). */
  readonly heapGrowingPercent: number;
  /** Deliveries a worker holds in memory (queued or in flight); beyond it work waits in the database. */
  readonly maxHeldDeliveries: number;
  /** Deliveries queued per endpoint in a worker; beyond it they are parked in the database until the queue drains. */
  readonly maxQueuedPerEndpoint: number;
  /** Due deliveries a worker claims per query. */
  readonly claimBatch: number;
  /** Seconds between a worker's looks for due work nobody announced, on a shared PostgreSQL database. */
  readonly sharedScanEvery: number;
  /** Seconds after which deliveries another worker parked are taken back (that worker may be gone), on PostgreSQL. */
  readonly parkedStaleAfter: number;
  /** Seconds a process sharing PostgreSQL may go without hearing of an endpoint change before it rereads. */
  readonly sharedCacheMaxAge: number;
  /** Milliseconds one run of a transformation may take before it is stopped. */
  readonly transformCpuMs: number;
  /** Megabytes of memory one run of a transformation may allocate. */
  readonly transformMemoryMb: number;
  /** Kilobytes a transformation's result (the webhook it returns, as JSON) may take. */
  readonly transformOutputKb: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type RawSettings = Partial<Record<keyof HeraldConfig, RawValue>>;

interface Setting<K extends keyof HeraldConfig> {
  env: string;
  flag?: string;
  parse: (value: RawValue, source: string) => HeraldConfig[K];
  fallback: HeraldConfig[K];
}

/**
 * One core stays the main thread's (ingest, the store, scheduling); the others send. At most 4: sending is about a
 * fifth of the work of a delivery (docs/performance.md), so the main thread is saturated long before more threads
 * could be kept busy. With a single core, threads would only add the cost of handing requests across.
 */
function defaultDeliveryThreads(): number {
  return Math.min(Math.max(availableParallelism() - 1, 0), 4);
}

const SETTINGS: { [K in keyof HeraldConfig]: Setting<K> } = {
  port: { env: 'HERALD_PORT', flag: '--port', parse: integer(0, 65535), fallback: 8800 },
  host: { env: 'HERALD_HOST', flag: '--host', parse: nonEmptyString, fallback: '127.0.0.1' },
  dataDir: { env: 'HERALD_DATA_DIR', flag: '--data-dir', parse: nonEmptyString, fallback: './.herald' },
  adminToken: { env: 'HERALD_ADMIN_TOKEN', parse: optionalToken, fallback: undefined },
  allowPrivateTargets: { env: 'HERALD_ALLOW_PRIVATE_TARGETS', parse: boolean, fallback: false },
  allowPrivateCidrs: { env: 'HERALD_ALLOW_PRIVATE_CIDRS', parse: cidrList, fallback: Object.freeze([]) },
  endpointHttpsOnly: { env: 'HERALD_ENDPOINT_HTTPS_ONLY', parse: boolean, fallback: false },
  retrySchedule: {
    env: 'HERALD_RETRY_SCHEDULE',
    parse: retrySchedule,
    fallback: Object.freeze([5, 300, 1800, 7200, 18000, 36000, 36000]),
  },
  requestTimeout: { env: 'HERALD_REQUEST_TIMEOUT', parse: positiveNumber(300), fallback: 15 },
  logLevel: { env: 'HERALD_LOG_LEVEL', parse: oneOf(LOG_LEVELS), fallback: 'info' },
  sqliteSynchronous: { env: 'HERALD_SQLITE_SYNCHRONOUS', parse: oneOf(['normal', 'full'] as const), fallback: 'normal' },
  databaseUrl: { env: 'HERALD_DATABASE_URL', flag: '--database-url', parse: postgresUrl, fallback: undefined },
  databaseSchema: { env: 'HERALD_DATABASE_SCHEMA', parse: identifier, fallback: 'herald' },
  databasePoolSize: { env: 'HERALD_DATABASE_POOL_SIZE', parse: integer(1, 1000), fallback: 10 },
  payloadRetentionDays: { env: 'HERALD_PAYLOAD_RETENTION_DAYS', parse: integer(0, 36500), fallback: 90 },
  retentionDays: { env: 'HERALD_RETENTION_DAYS', parse: integer(0, 36500), fallback: 90 },
  encryptionKey: { env: 'HERALD_ENCRYPTION_KEY', parse: encryptionKey, fallback: undefined },
  disableEndpointAfter: { env: 'HERALD_DISABLE_ENDPOINT_AFTER', parse: integer(0, 365 * 86400), fallback: 5 * 86400 },
  circuitBreakerAfter: { env: 'HERALD_CIRCUIT_BREAKER_AFTER', parse: integer(0, 1_000_000), fallback: 20 },
  healthStallAfter: { env: 'HERALD_HEALTH_STALL_AFTER', parse: integer(1, 86_400), fallback: 60 },
  otlpEndpoint: { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', parse: httpUrl, fallback: undefined },
  otlpTracesEndpoint: { env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', parse: httpUrl, fallback: undefined },
  otelServiceName: { env: 'OTEL_SERVICE_NAME', parse: nonEmptyString, fallback: 'herald' },
  tlsCert: { env: 'HERALD_TLS_CERT', flag: '--tls-cert', parse: readablePemFile, fallback: undefined },
  tlsKey: { env: 'HERALD_TLS_KEY', flag: '--tls-key', parse: readablePemFile, fallback: undefined },
  apiRateLimit: { env: 'HERALD_API_RATE_LIMIT', parse: integer(0, 1_000_000), fallback: 0 },
  apiRequestTimeout: { env: 'HERALD_API_REQUEST_TIMEOUT', parse: integer(1, 3600), fallback: 30 },
  maxHeaderSize: { env: 'HERALD_MAX_HEADER_SIZE', parse: integer(1024, 1024 * 1024), fallback: 16 * 1024 },
  trustProxy: { env: 'HERALD_TRUST_PROXY', parse: trustProxy, fallback: false },
  publicUrl: { env: 'HERALD_PUBLIC_URL', parse: httpUrl, fallback: undefined },
  egressProxy: { env: 'HERALD_EGRESS_PROXY', parse: httpUrl, fallback: undefined },
  inboundMaxBody: { env: 'HERALD_INBOUND_MAX_BODY', parse: integer(1024, 100 * 1024 * 1024), fallback: 5 * 1024 * 1024 },
  portalFrameAncestors: { env: 'HERALD_PORTAL_FRAME_ANCESTORS', parse: originList, fallback: Object.freeze([]) },
  role: { env: 'HERALD_ROLE', flag: '--role', parse: oneOf(['api', 'worker', 'all'] as const), fallback: 'all' },
  deliveryThreads: { env: 'HERALD_DELIVERY_THREADS', parse: integer(0, 64), fallback: defaultDeliveryThreads() },
  perEndpointConcurrency: { env: 'HERALD_PER_ENDPOINT_CONCURRENCY', parse: integer(1, 1_000), fallback: 10 },
  maxInFlight: { env: 'HERALD_MAX_IN_FLIGHT', parse: integer(1, 100_000), fallback: 1_000 },
  warmUp: { env: 'HERALD_WARM_UP', parse: boolean, fallback: true },
  heapGrowingPercent: { env: 'HERALD_HEAP_GROWING_PERCENT', parse: integer(0, 1_000), fallback: 20 },
  maxHeldDeliveries: { env: 'HERALD_MAX_HELD_DELIVERIES', parse: integer(1, 10_000_000), fallback: 20_000 },
  maxQueuedPerEndpoint: { env: 'HERALD_MAX_QUEUED_PER_ENDPOINT', parse: integer(1, 1_000_000), fallback: 2_000 },
  claimBatch: { env: 'HERALD_CLAIM_BATCH', parse: integer(1, 100_000), fallback: 500 },
  sharedScanEvery: { env: 'HERALD_SHARED_SCAN_EVERY', parse: positiveNumber(3600), fallback: 5 },
  parkedStaleAfter: { env: 'HERALD_PARKED_STALE_AFTER', parse: positiveNumber(86_400), fallback: 60 },
  sharedCacheMaxAge: { env: 'HERALD_SHARED_CACHE_MAX_AGE', parse: positiveNumber(3600), fallback: 30 },
  transformCpuMs: { env: 'HERALD_TRANSFORM_CPU_MS', parse: integer(1, 10_000), fallback: 100 },
  transformMemoryMb: { env: 'HERALD_TRANSFORM_MEMORY_MB', parse: integer(1, 1_024), fallback: 16 },
  transformOutputKb: { env: 'HERALD_TRANSFORM_OUTPUT_KB', parse: integer(1, 100 * 1024), fallback: 1_024 },
};

export const CONFIG_KEYS = Object.keys(SETTINGS) as (keyof HeraldConfig)[];

function readConfigFile(file: string): RawSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a JSON object`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(CONFIG_KEYS as string[]).includes(key)) {
      throw new ConfigError(`config file ${file}: unknown setting "${key}" (known: ${CONFIG_KEYS.join(', ')})`);
    }
  }
  return parsed as RawSettings;
}

export interface ConfigSources {
  /** Values from command-line flags (already split by the CLI parser). */
  flags?: RawSettings;
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file; falls back to HERALD_CONFIG in env. */
  configFile?: string;
}

/** Resolves every setting from flags > env > config file > defaults, validating each once. */
export function loadConfig(sources: ConfigSources = {}): HeraldConfig {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const file = sources.configFile ?? env['HERALD_CONFIG'];
  const fromFile: RawSettings = file ? readConfigFile(file) : {};

  const resolved: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const setting = SETTINGS[key] as Setting<typeof key>;
    const envValue = env[setting.env];
    if (flags[key] !== undefined) {
      resolved[key] = setting.parse(flags[key], setting.flag ?? key);
    } else if (envValue !== undefined && envValue !== '') {
      resolved[key] = setting.parse(envValue, setting.env);
    } else if (fromFile[key] !== undefined) {
      resolved[key] = setting.parse(fromFile[key], `${key} in ${file}`);
    } else {
      resolved[key] = setting.fallback;
    }
  }
  resolved['dataDir'] = path.resolve(resolved['dataDir'] as string);
  if ((resolved['tlsCert'] === undefined) !== (resolved['tlsKey'] === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key (HERALD_TLS_CERT, HERALD_TLS_KEY) go together: give both to serve HTTPS, or neither');
  }
  if (resolved['role'] !== 'all' && resolved['databaseUrl'] === undefined) {
    throw new ConfigError(
      `--role ${String(resolved['role'])} needs HERALD_DATABASE_URL: separate API and worker processes share a PostgreSQL database (the embedded SQLite store runs as one process, --role all)`,
    );
  }
  return Object.freeze(resolved) as unknown as HeraldConfig;
}
