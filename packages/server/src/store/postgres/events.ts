import pg from 'pg';
import type { ClaimedDelivery, LiveAttempt, StoreEvent } from '../types.ts';

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 10_000;

/** A notification payload as a StoreEvent, or null for anything this version does not know. */
function parseEvent(payload: string | undefined): StoreEvent | null {
  let event: unknown;
  try {
    event = JSON.parse(payload ?? '');
  } catch {
    return null;
  }
  const e = event as Partial<Record<string, unknown>> | null;
  if (e?.type === 'deliveries-due' && typeof e.at === 'number') return { type: 'deliveries-due', at: e.at };
  if (e?.type === 'endpoints-changed' && typeof e.appId === 'string') return { type: 'endpoints-changed', appId: e.appId };
  if (e?.type === 'live-interest' && typeof e.origin === 'string' && Array.isArray(e.appIds)) {
    return { type: 'live-interest', origin: e.origin, appIds: e.appIds.filter((id): id is string => typeof id === 'string') };
  }
  if (e?.type === 'listen-sessions' && typeof e.origin === 'string' && Array.isArray(e.sessions)) {
    return { type: 'listen-sessions', origin: e.origin, sessions: e.sessions.filter((s): s is string => typeof s === 'string') };
  }
  if (e?.type === 'listen-handoff' && typeof e.origin === 'string' && typeof e.target === 'string' && typeof e.delivery === 'object' && e.delivery !== null) {
    return { type: 'listen-handoff', origin: e.origin, target: e.target, delivery: e.delivery as Omit<ClaimedDelivery, 'payload'> };
  }
  if (e?.type === 'live-attempts' && typeof e.origin === 'string' && Array.isArray(e.attempts)) {
    return { type: 'live-attempts', origin: e.origin, attempts: e.attempts as LiveAttempt[] };
  }
  return null;
}

/**
 * The one connection that LISTENs for events from the other processes sharing the schema. LISTEN belongs to a
 * session, so it cannot live on a pooled connection. When the connection drops it is reopened with backoff, and the
 * listeners are told that deliveries may be due, since whatever was sent meanwhile is lost.
 */
export class EventListener {
  private readonly listeners: ((event: StoreEvent) => void)[] = [];
  private opened: Promise<void> | null = null;
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = RETRY_FIRST_MS;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
  ) {}

  /** The first listener opens the connection; an error doing so is the caller's (later drops are retried). */
  async add(listener: (event: StoreEvent) => void): Promise<void> {
    this.opened ??= this.connect().catch((err: unknown) => {
      this.opened = null;
      throw err;
    });
    await this.opened;
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.config, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    client.on('notification', (n) => this.emit(parseEvent(n.payload)));
    // A dropped connection reports 'error' (when idle) and then 'end'; whichever comes first starts the reconnect.
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) await client.end();
    else this.client = client;
  }

  private lost(client: pg.Client): void {
    if (client !== this.client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().then(
        () => {
          this.retryMs = RETRY_FIRST_MS;
          if (!this.closed) this.emit({ type: 'deliveries-due', at: Date.now() });
        },
        () => {
          this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
          this.reconnectLater();
        },
      );
    }, this.retryMs);
  }

  private emit(event: StoreEvent | null): void {
    if (event) for (const listener of this.listeners) listener(event);
  }
}
