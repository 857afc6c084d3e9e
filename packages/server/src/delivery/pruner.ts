import type { Logger } from 'pino';
import type { AccessStore, HistoryStore, InboundStore } from '../store/storage.ts';

/** What retention deletes from. */
export interface RetentionStore {
  history: Pick<HistoryStore, 'expirePayloads' | 'pruneMessages'>;
  inbound: Pick<InboundStore, 'pruneInboundRequests'>;
  access: Pick<AccessStore, 'deleteExpiredApiTokens'>;
}

const BATCH = 1_000;
const EXPIRED_TOKEN_GRACE_MS = 86_400_000;

export interface RetentionOptions {
  /** Messages (with their deliveries and attempts) older than this are deleted once delivered; null: kept forever. */
  retentionMs: number | null;
}

/**
 * Retention: expired payloads (and their attempts' response bodies) are removed, and messages past the retention
 * period are deleted with their deliveries and attempts, in batches so that no single transaction grows large.
 * Messages still being delivered are kept until they are done. API tokens past their expiry go too.
 */
export async function pruneOnce(
  store: RetentionStore,
  options: RetentionOptions,
  now: number,
  onProgress: (deleted: number) => void = () => {},
): Promise<{ expiredPayloads: number; deletedMessages: number; deletedInboundRequests: number; expiredTokens: number }> {
  let expiredPayloads = 0;
  for (;;) {
    const n = await store.history.expirePayloads(now, BATCH);
    expiredPayloads += n;
    if (n < BATCH) break;
  }
  let deletedMessages = 0;
  while (options.retentionMs !== null) {
    const n = await store.history.pruneMessages(now - options.retentionMs, now, BATCH);
    deletedMessages += n;
    onProgress(n);
    if (n < BATCH) break;
  }
  // Stored inbound requests (rejected ones too, which anyone can send) go after the same period as messages.
  let deletedInboundRequests = 0;
  while (options.retentionMs !== null) {
    const n = await store.inbound.pruneInboundRequests(now - options.retentionMs, BATCH);
    deletedInboundRequests += n;
    if (n < BATCH) break;
  }
  // Expired tokens (mostly portal links) are kept a day, so their holders are told "expired" rather than "invalid".
  const expiredTokens = await store.access.deleteExpiredApiTokens(now - EXPIRED_TOKEN_GRACE_MS);
  return { expiredPayloads, deletedMessages, deletedInboundRequests, expiredTokens };
}

/** Runs pruneOnce in the background: a minute after start, then every hour. */
export class Pruner {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: RetentionStore,
    private readonly options: RetentionOptions,
    private readonly log: Logger,
  ) {}

  start(firstRunMs = 60_000, everyMs = 3_600_000): void {
    const run = () => {
      pruneOnce(this.store, this.options, Date.now()).then(
        (result) => {
          if (result.expiredPayloads + result.deletedMessages > 0) this.log.info(result, 'retention: pruned');
        },
        (err) => this.log.error({ err }, 'retention: pruning failed; trying again at the next run'),
      );
      this.timer = setTimeout(run, everyMs);
      this.timer.unref();
    };
    this.timer = setTimeout(run, firstRunMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
