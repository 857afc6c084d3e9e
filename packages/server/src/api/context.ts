import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/config.ts';
import type { EndpointCache } from '../delivery/endpoint-cache.ts';
import type { OperationalWebhooks } from '../delivery/operational.ts';
import type { Publisher } from '../delivery/publish.ts';
import type { TaskRunner } from '../delivery/tasks.ts';
import type { Store } from '../store/store.ts';

/** What route handlers may use; wired once in main.ts. */
export interface ApiContext {
  config: HeraldConfig;
  store: Store;
  endpoints: EndpointCache;
  publisher: Publisher;
  operational: OperationalWebhooks;
  /** Runs background tasks in this process (null in an API-only process: workers pick them up). */
  tasks: TaskRunner | null;
  log: Logger;
}

export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
