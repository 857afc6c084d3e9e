import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { iso } from '../lib/time.ts';
import type { Bus } from '../store/storage.ts';
import { STATUS_TEXT, type AttemptOutcome, type LiveAttempt, type StoreEvent } from '../store/types.ts';

type Listener = (attempt: LiveAttempt) => void;

/** How often a process repeats that it has watchers, and how long other processes believe it. */
const INTEREST_EVERY_MS = 10_000;
const INTEREST_TTL_MS = 25_000;
/** PostgreSQL refuses notifications of 8000 bytes or more. */
const NOTIFY_BUDGET_BYTES = 7_000;
/** Enough of a response to see why an attempt failed; the attempt log has the rest. */
const RESPONSE_EXCERPT = 200;
/**
 * Why there was no response is Herald's own sentence, and its end often says what to do (a refused private target
 * names the setting that allows it): it is kept whole, up to a bound that still fits a PostgreSQL notification.
 */
const REASON_LIMIT = 1_000;

export function liveAttemptOf(outcome: AttemptOutcome, eventType: string): LiveAttempt {
  const a = outcome.attempt;
  return {
    id: a.id,
    appId: a.appId,
    msgId: a.messageId,
    endpointId: a.endpointId,
    eventType,
    url: a.url,
    status: a.status,
    statusText: STATUS_TEXT[a.status],
    responseStatusCode: a.responseStatusCode,
    response: a.response.slice(0, a.responseStatusCode === 0 ? REASON_LIMIT : RESPONSE_EXCERPT),
    responseDurationMs: a.durationMs,
    triggerType: a.trigger,
    attemptNumber: outcome.attempts,
    timestamp: iso(a.createdAt),
    nextAttempt: outcome.nextAttemptAt === null ? null : iso(outcome.nextAttemptAt),
  };
}

/**
 * Recorded attempts, live, for whoever watches an application (the attempt stream behind `herald tail`). Costs
 * nothing while nobody watches. With a store shared by several processes the watcher may be connected to another
 * process than the one that made the attempt: a process with watchers says so every few seconds, and the others
 * pass it their attempts for those applications through the store's notifications.
 */
export class LiveFeed {
  private readonly origin = randomUUID();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Applications watched in other processes, with when that stops being believed. */
  private readonly remoteInterest = new Map<string, number>();
  private announcer: NodeJS.Timeout | null = null;

  constructor(
    /** The shared store to tell other processes through; null when this process is the only one (SQLite). */
    private readonly shared: Pick<Bus, 'broadcast'> | null,
    private readonly log: Logger,
  ) {}

  /** Calls `listener` with each attempt of the application recorded from now on; returns the unsubscribe. */
  subscribe(appId: string, listener: Listener): () => void {
    let set = this.listeners.get(appId);
    if (!set) {
      set = new Set();
      this.listeners.set(appId, set);
      this.announceInterest();
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(appId) === set) this.listeners.delete(appId);
      if (this.listeners.size === 0 && this.announcer) {
        clearInterval(this.announcer);
        this.announcer = null;
      }
    };
  }

  /** Outcomes just committed by this process's recorder, with their messages' event types (same order). */
  recorded(outcomes: readonly AttemptOutcome[], eventTypes: readonly string[]): void {
    if (this.listeners.size === 0 && this.remoteInterest.size === 0) return;
    const now = Date.now();
    const remote: LiveAttempt[] = [];
    outcomes.forEach((outcome, i) => {
      const appId = outcome.attempt.appId;
      const local = this.listeners.get(appId);
      const until = this.remoteInterest.get(appId);
      const wantedRemotely = until !== undefined && until > now;
      if (until !== undefined && !wantedRemotely) this.remoteInterest.delete(appId);
      if (!local && !wantedRemotely) return;
      const attempt = liveAttemptOf(outcome, eventTypes[i] ?? '');
      if (local) this.emit(local, attempt);
      if (wantedRemotely) remote.push(attempt);
    });
    if (remote.length > 0) this.sendRemote(remote);
  }

  /** An event from another process sharing the store. */
  receive(event: StoreEvent): void {
    if (event.type === 'live-interest' && event.origin !== this.origin) {
      const until = Date.now() + INTEREST_TTL_MS;
      for (const appId of event.appIds) this.remoteInterest.set(appId, until);
    } else if (event.type === 'live-attempts' && event.origin !== this.origin) {
      for (const attempt of event.attempts) {
        const local = this.listeners.get(attempt.appId);
        if (local) this.emit(local, attempt);
      }
    }
  }

  stop(): void {
    if (this.announcer) clearInterval(this.announcer);
    this.announcer = null;
    this.listeners.clear();
  }

  private emit(listeners: Set<Listener>, attempt: LiveAttempt): void {
    for (const listener of listeners) {
      try {
        listener(attempt);
      } catch (err) {
        this.log.error({ err }, 'a live attempt listener failed');
      }
    }
  }

  private announceInterest(): void {
    if (!this.shared) return;
    const announce = () => {
      const appIds = [...this.listeners.keys()];
      if (appIds.length === 0) return;
      this.broadcast({ type: 'live-interest', origin: this.origin, appIds });
    };
    announce();
    this.announcer ??= setInterval(announce, INTEREST_EVERY_MS);
    this.announcer.unref();
  }

  /** Attempts for watchers elsewhere, in notifications that stay under PostgreSQL's size limit. */
  private sendRemote(attempts: LiveAttempt[]): void {
    let chunk: LiveAttempt[] = [];
    let bytes = 0;
    for (const attempt of attempts) {
      const size = JSON.stringify(attempt).length + 1;
      if (chunk.length > 0 && bytes + size > NOTIFY_BUDGET_BYTES) {
        this.broadcast({ type: 'live-attempts', origin: this.origin, attempts: chunk });
        chunk = [];
        bytes = 0;
      }
      if (size > NOTIFY_BUDGET_BYTES) continue; // an absurdly long URL: not worth a notification of its own
      chunk.push(attempt);
      bytes += size;
    }
    if (chunk.length > 0) this.broadcast({ type: 'live-attempts', origin: this.origin, attempts: chunk });
  }

  private broadcast(event: StoreEvent): void {
    this.shared?.broadcast(event).catch((err) => this.log.warn({ err }, 'could not tell other processes about live attempts'));
  }
}
