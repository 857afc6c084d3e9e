import { randomUUID } from 'node:crypto';
import { LISTEN_NAME_PATTERN } from '@herald/wire';
import type { Logger } from 'pino';
import type { Bus } from '../store/storage.ts';
import type { StoreEvent } from '../store/types.ts';
import { RESPONSE_BODY_LIMIT, noAnswer, type HandedOffDelivery, type TransportOutcome } from './transport.ts';

/**
 * `herald listen` sessions. An endpoint whose URL is `herald-listen://NAME` is delivered to the session of that name
 * in its application: the delivery goes down the session's stream, the CLI POSTs it to the developer's local
 * server and sends back what that answered, which becomes the attempt. Everything else (signing, retries, the
 * attempt log) is the ordinary delivery path.
 */
export const LISTEN_PROTOCOL = 'herald-listen:';
export const LISTEN_NAME = new RegExp(LISTEN_NAME_PATTERN);

export const listenUrl = (name: string): string => `herald-listen://${name}`;

/** The session name an endpoint URL delivers to, or null for an ordinary URL. */
export function listenNameOf(url: string): string | null {
  if (!url.startsWith(LISTEN_PROTOCOL)) return null;
  const name = url.slice(LISTEN_PROTOCOL.length).replace(/^\/\//, '').replace(/\/$/, '');
  return LISTEN_NAME.test(name) ? name : null;
}

/** What goes down the stream for one attempt. */
export interface ListenDelivery {
  /** Answer with this id. */
  id: string;
  msgId: string;
  endpointId: string;
  eventType: string;
  attemptNumber: number;
  headers: Record<string, string>;
  /** The exact body Herald signed (as base64 when bodyEncoding says so: an inbound request that was not UTF-8). */
  body: string;
  bodyEncoding?: 'base64';
  /** How long Herald waits for the answer. */
  timeoutMs: number;
}

/** What the CLI reports back: the local server's answer, or why there was none. */
export interface ListenReply {
  statusCode?: number;
  body?: string;
  headers?: Record<string, string>;
  durationMs?: number;
  error?: string;
}

export interface ListenSession {
  /** Writes a delivery to the stream; false when the stream is gone. */
  send(delivery: ListenDelivery): boolean;
  /** Ends the stream, telling the CLI why (it stops instead of reconnecting when a newer session took over). */
  close(reason: 'replaced' | 'shutdown'): void;
}

interface Waiting {
  /** "appId/name": only that session may answer. */
  key: string;
  session: ListenSession;
  resolve: (result: TransportOutcome) => void;
  timer: NodeJS.Timeout;
  startedAt: number;
}

/** How often a process with sessions says which, and how long other processes believe it. */
const ANNOUNCE_EVERY_MS = 10_000;
const ANNOUNCE_TTL_MS = 25_000;

/**
 * The sessions connected to this process. With a store shared by several processes, a session's stream may end
 * at another process than the worker that claims its delivery: processes announce their sessions, and a worker
 * hands a claimed delivery (under its lease) to the process holding the session, which makes the attempt.
 */
export class ListenHub {
  private readonly origin = randomUUID();
  private readonly sessions = new Map<string, ListenSession>();
  private readonly waiting = new Map<string, Waiting>();
  /** Sessions connected to other processes: "appId/name" to the process and until when that is believed. */
  private readonly remote = new Map<string, { origin: string; until: number }>();
  private announcer: NodeJS.Timeout | null = null;
  /** Makes the attempt of a delivery another process handed over (set where the attempt machinery is wired). */
  onHandoff: (delivery: HandedOffDelivery) => void = () => {};

  constructor(
    /** The shared store to tell other processes through; null when this process is the only one (SQLite). */
    private readonly shared: Pick<Bus, 'broadcast'> | null = null,
    private readonly log?: Logger,
  ) {}

  /** A session takes its name; a session already holding it is closed (the newest one wins). */
  connect(appId: string, name: string, session: ListenSession): void {
    const key = `${appId}/${name}`;
    const previous = this.sessions.get(key);
    this.sessions.set(key, session);
    if (previous) this.end(previous, 'replaced');
    this.announce();
  }

  /** A session's stream closed: its deliveries in flight fail now (and are retried like any failed attempt). */
  disconnect(appId: string, name: string, session: ListenSession): void {
    const key = `${appId}/${name}`;
    if (this.sessions.get(key) === session) {
      this.sessions.delete(key);
      this.announce();
    }
    this.failWaiting(session, 'the "herald listen" session disconnected before answering');
  }

  /** The process holding a session this process does not hold, if one announced it lately. */
  remoteHolder(appId: string, name: string): string | null {
    const key = `${appId}/${name}`;
    if (this.sessions.has(key)) return null;
    const holder = this.remote.get(key);
    return holder && holder.until > Date.now() ? holder.origin : null;
  }

  /** Gives a claimed delivery to the process holding its session; the lease goes with it. */
  handOff(target: string, delivery: HandedOffDelivery): void {
    this.broadcast({ type: 'listen-handoff', origin: this.origin, target, delivery });
  }

  /** An event from another process sharing the store. */
  receive(event: StoreEvent): void {
    if (event.type === 'listen-sessions' && event.origin !== this.origin) {
      for (const [key, holder] of this.remote) if (holder.origin === event.origin) this.remote.delete(key);
      const until = Date.now() + ANNOUNCE_TTL_MS;
      for (const key of event.sessions) this.remote.set(key, { origin: event.origin, until });
    } else if (event.type === 'listen-handoff' && event.target === this.origin) {
      this.onHandoff(event.delivery);
    }
  }

  /** Says which sessions this process holds, now and every few seconds while it holds any. */
  private announce(): void {
    if (!this.shared) return;
    this.broadcast({ type: 'listen-sessions', origin: this.origin, sessions: [...this.sessions.keys()] });
    if (this.sessions.size > 0 && !this.announcer) {
      this.announcer = setInterval(() => this.broadcast({ type: 'listen-sessions', origin: this.origin, sessions: [...this.sessions.keys()] }), ANNOUNCE_EVERY_MS);
      this.announcer.unref();
    } else if (this.sessions.size === 0 && this.announcer) {
      clearInterval(this.announcer);
      this.announcer = null;
    }
  }

  private broadcast(event: StoreEvent): void {
    this.shared?.broadcast(event).catch((err) => this.log?.warn({ err }, 'could not tell other processes about listen sessions'));
  }

  isConnected(appId: string, name: string): boolean {
    return this.sessions.has(`${appId}/${name}`);
  }

  /** Sends one delivery down the named session's stream and waits for the local answer, within the timeout. */
  deliver(appId: string, name: string, delivery: Omit<ListenDelivery, 'id' | 'timeoutMs'>, timeoutMs: number): Promise<TransportOutcome> {
    const key = `${appId}/${name}`;
    const session = this.sessions.get(key);
    if (!session) return Promise.resolve(noAnswer(`not sent: no "herald listen" session named "${name}" is connected`));
    const id = randomUUID();
    const startedAt = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(noAnswer(`timed out after ${timeoutMs / 1000}s waiting for the "herald listen" session`, timeoutMs, true));
      }, timeoutMs);
      this.waiting.set(id, { key, session, resolve, timer, startedAt });
      if (!session.send({ ...delivery, id, timeoutMs })) {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(noAnswer(`not sent: the "herald listen" session named "${name}" is disconnecting`));
      }
    });
  }

  /** A session's answer to a delivery; false when nothing of that session waits for it (unknown id, or it timed out). */
  reply(appId: string, name: string, id: string, reply: ListenReply): boolean {
    const waiting = this.waiting.get(id);
    if (!waiting || waiting.key !== `${appId}/${name}`) return false;
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    const measured = Math.round(performance.now() - waiting.startedAt);
    if (reply.statusCode === undefined) {
      waiting.resolve(noAnswer(`the local server did not answer: ${reply.error ?? 'no reason given'}`, reply.durationMs ?? measured));
      return true;
    }
    const header = (name: string) => Object.entries(reply.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1] ?? null;
    waiting.resolve({
      statusCode: reply.statusCode,
      body: (reply.body ?? '').slice(0, RESPONSE_BODY_LIMIT),
      durationMs: reply.durationMs ?? measured,
      timedOut: false,
      retryAfter: header('retry-after'),
      abortRequested: header('webhook-delivery')?.trim().toLowerCase() === 'abort-message',
    });
    return true;
  }

  /** Server shutdown: every session is told, so its CLI reconnects (to this server once restarted, or another). */
  closeAll(): void {
    for (const session of this.sessions.values()) this.end(session, 'shutdown');
    this.sessions.clear();
    this.announce();
  }

  private end(session: ListenSession, reason: 'replaced' | 'shutdown'): void {
    this.failWaiting(session, reason === 'replaced' ? 'a newer "herald listen" session took over before this one answered' : 'Herald is shutting down');
    session.close(reason);
  }

  private failWaiting(session: ListenSession, why: string): void {
    for (const [id, waiting] of this.waiting) {
      if (waiting.session !== session) continue;
      this.waiting.delete(id);
      clearTimeout(waiting.timer);
      waiting.resolve(noAnswer(`not answered: ${why}`, Math.round(performance.now() - waiting.startedAt)));
    }
  }
}
