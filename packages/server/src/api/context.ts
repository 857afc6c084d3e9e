import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/config.ts';
import type { EndpointCache } from '../delivery/endpoint-cache.ts';
import type { ListenHub } from '../delivery/listen-hub.ts';
import type { LiveFeed } from '../delivery/live-feed.ts';
import type { OperationalWebhooks } from '../delivery/operational.ts';
import type { Publisher } from '../delivery/publish.ts';
import type { TaskRunner } from '../delivery/tasks.ts';
import type { AccessStore, CatalogStore, CircuitStore, EndpointAuthStore, HistoryStore, InboundStore, PollerStore, QueueStore, StatsStore, TaskStore, TransformationStore } from '../store/storage.ts';
import type { TransformRunner } from '../transform/runner.ts';
import type { Authenticator } from './auth.ts';
import type { Health } from './health.ts';
import type { Ingestor } from '../inbound/ingest.ts';
import type { Metrics } from './metrics.ts';

/**
 * What route handlers may use; wired once in main.ts. Of the storage, only the slices (or the methods of a slice) the
 * routes use. Each route module takes a Pick of this, and each hook and lookup a minimal interface of its own, so a
 * signature says what it touches.
 */
export interface ApiContext {
  config: HeraldConfig;
  catalog: CatalogStore;
  history: HistoryStore;
  access: AccessStore;
  inbound: InboundStore;
  stats: StatsStore;
  /** Background tasks as records (the runner below works them off). */
  tasks: Pick<TaskStore, 'createTask' | 'getTask' | 'listTasks' | 'countMessagesForReplay'>;
  /** A listen session that connects makes its endpoint's waiting deliveries due at once. */
  queue: Pick<QueueStore, 'expediteEndpointDeliveries'>;
  circuits: Pick<CircuitStore, 'listCircuits'>;
  /** Endpoints' and inbound sources' transformations as records. */
  transformations: TransformationStore;
  /** Endpoints' authentication (basic, OAuth 2.0, client certificate) as records. */
  endpointAuth: EndpointAuthStore;
  /** Polling destinations' named consumers and where they have read to. */
  pollers: PollerStore;
  /** Runs transformations in the sandbox (the simulate route's "try it"). */
  transforms: Pick<TransformRunner, 'run'>;
  /** Whether Herald can take and deliver messages, as GET /api/v1/health reports it. */
  health: () => Promise<Health>;
  endpoints: EndpointCache;
  publisher: Publisher;
  operational: OperationalWebhooks;
  /** Runs background tasks in this process (null in an API-only process: workers pick them up). */
  taskRunner: TaskRunner | null;
  /** Attempts as they are recorded, for the attempt stream. */
  live: LiveFeed;
  /** `herald listen` sessions connected to this process. */
  listen: ListenHub;
  metrics: Metrics;
  /** The inbound gateway's front door (also what replays stored requests). */
  ingestor: Ingestor;
  /** Checks bearer tokens (and forgets revoked ones). */
  auth: Authenticator;
  /** Tells this process's delivery engine (if it runs one) that deliveries became due in the store. */
  deliveriesDue: (at: number) => void;
  log: Logger;
}

export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
