import type { StorageFull } from './storage-full.ts';
import type { AccessStore } from './slices/access.ts';
import type { Bus } from './slices/bus.ts';
import type { CatalogStore } from './slices/catalog.ts';
import type { CircuitStore } from './slices/circuits.ts';
import type { EndpointAuthStore } from './slices/endpoint-auth.ts';
import type { HistoryStore } from './slices/history.ts';
import type { InboundStore } from './slices/inbound.ts';
import type { KeyAdmin } from './slices/keys.ts';
import type { PollerStore } from './slices/pollers.ts';
import type { QueueStore } from './slices/queue.ts';
import type { SettingsStore } from './slices/settings.ts';
import type { StatsStore } from './slices/stats.ts';
import type { TaskStore } from './slices/tasks.ts';
import type { TransformationStore } from './slices/transformations.ts';

export type { AccessStore, Bus, CatalogStore, CircuitStore, EndpointAuthStore, HistoryStore, InboundStore, KeyAdmin, PollerStore, QueueStore, SettingsStore, StatsStore, TaskStore, TransformationStore };

export type Dialect = 'sqlite' | 'postgres';

/**
 * An open database, cut by concern: each part of Herald is handed only the slices (or the methods of a slice) it
 * uses. Each dialect (sqlite/, postgres/) implements every slice with its own numbered migrations.
 */
export interface Storage {
  readonly dialect: Dialect;
  /** The versions of the migrations this open applied (none when the schema was already current). */
  readonly migrationsApplied: readonly number[];
  close(): Promise<void>;
  /** Set while the database refuses writes for lack of space (until a write commits again). */
  storageFull(): StorageFull | null;

  readonly settings: SettingsStore;
  readonly catalog: CatalogStore;
  readonly circuits: CircuitStore;
  readonly transformations: TransformationStore;
  readonly pollers: PollerStore;
  readonly endpointAuth: EndpointAuthStore;
  readonly queue: QueueStore;
  readonly history: HistoryStore;
  readonly tasks: TaskStore;
  readonly access: AccessStore;
  readonly inbound: InboundStore;
  readonly stats: StatsStore;
  readonly bus: Bus;
  readonly keys: KeyAdmin;
}

export * from './types.ts';
export * from './access-types.ts';
export * from './inbound-types.ts';
export type { Transformation, TransformationPatch } from './slices/transformations.ts';
export type { BasicAuth, ClientCertificate, EndpointAuth, OAuth2ClientCredentials } from './slices/endpoint-auth.ts';
