// TEMPORARY (issue 16, during the split): presents the old class chains as a Storage. Removed once each dialect builds its slices itself.
import type { Store } from './store.ts';
import type { Storage } from './storage.ts';
import type { KeyAdmin } from './slices/keys.ts';

const SLICES = {
  settings: ['getSetting', 'setSetting'],
  catalog: ['createApp', 'getApp', 'listApps', 'updateApp', 'deleteApp', 'createEventType', 'getEventType', 'listEventTypes', 'updateEventType', 'deleteEventType', 'createEndpoint', 'getEndpoint', 'getEndpointById', 'listEndpoints', 'listAllEndpoints', 'updateEndpoint', 'deleteEndpoint', 'disableEndpoint', 'noteEndpointExhausted', 'noteEndpointsSucceeded', 'getEndpointKeys', 'rotateEndpointKey'],
  circuits: ['saveCircuit', 'clearCircuit', 'listCircuits'],
  queue: ['takeTokens', 'claimDueDeliveries', 'countQueuedDeliveries', 'oldestDueAt', 'nextDueAt', 'recoverAtStart', 'promoteNextInOrder', 'endpointsWaitingTurn', 'unparkStale', 'releaseDeliveries', 'parkDeliveries', 'claimParkedDeliveries', 'renewLeases', 'recordOutcomes', 'scheduleResend', 'expediteEndpointDeliveries'],
  history: ['getIdempotentResponse', 'putIdempotentResponse', 'createMessage', 'getMessage', 'expungeMessageContent', 'expirePayloads', 'pruneMessages', 'countMessagesBefore', 'listMessages', 'tallyDeliveries', 'listMessageDeliveries', 'listEndpointDeliveries', 'getAttempt', 'listAttempts', 'newestAttemptAt'],
  tasks: ['createTask', 'getTask', 'listTasks', 'claimTask', 'saveTask', 'messagesForReplay', 'countMessagesForReplay'],
  access: ['createApiToken', 'findApiTokenByHash', 'getApiToken', 'listApiTokens', 'deleteApiToken', 'noteApiTokenUsed', 'deleteExpiredApiTokens', 'appendAuditEntry', 'listAuditEntries'],
  inbound: ['createSource', 'getSource', 'listSources', 'updateSource', 'deleteSource', 'storeInboundRequest', 'settleInboundRequest', 'getInboundRequest', 'listInboundRequests', 'pruneInboundRequests'],
  stats: ['endpointStats', 'attemptSeries'],
  bus: ['subscribe', 'broadcast'],
  keys: ['rotateEncryptionKey'],
} as const;

export function storageOf(store: Store & KeyAdmin): Storage {
  const bound = (names: readonly string[]) =>
    Object.fromEntries(names.map((n) => [n, (store as unknown as Record<string, (...a: unknown[]) => unknown>)[n]!.bind(store)]));
  const slices = Object.fromEntries(Object.entries(SLICES).map(([k, names]) => [k, bound(names)]));
  const storage = {
    dialect: store.dialect,
    migrationsApplied: store.migrationsApplied,
    close: () => store.close(),
    storageFull: () => store.storageFull(),
    ...slices,
  };
  // test/storage-full.test.ts reaches the SQLite connection to cap its size.
  Object.defineProperty(storage, 'db', { get: () => (store as unknown as { db: unknown }).db });
  return storage as unknown as Storage;
}
