import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startThreadBeside } from '../../lib/thread.ts';
import { noAnswer, type SignedRequest, type Transport, type TransportOutcome } from '../transport.ts';
import type { HttpTargets } from './http.ts';
import type { FromThread, ThreadRequest, ThreadSettings, ToThread } from './http-thread.ts';

/**
 * HTTP deliveries sent from worker threads, so the requests, the pools' socket work and the reading of answers use the
 * other cores while the main thread keeps ingest, the store and every decision (signing, retries, circuit, attempt
 * log). Each thread runs its own HttpTransport, built with the same options as the single-thread one. An endpoint's
 * origin always goes to the same thread, so its keep-alive connections stay warm in one pool.
 *
 * A thread that dies loses nothing: the requests it held resolve as attempts without an answer, retried by the retry
 * policy like any connection that dropped (a receiver may already have had one, as with a crashed process: delivery
 * is at least once); the requests not yet handed to it fail the same way, and a new thread takes its place.
 */
export class ThreadedHttpTransport implements Transport {
  readonly judgesEndpoint = true;
  private readonly threads: DeliveryThread[];

  /** `spawn`: how a thread is started (tests start one that never answers). */
  constructor(count: number, timeoutMs: number, targets: HttpTargets, log: Logger, spawn: SpawnThread = spawnThread) {
    if (count < 1) throw new Error('ThreadedHttpTransport needs at least one thread');
    const settings: ThreadSettings = { timeoutMs, targets };
    this.threads = Array.from({ length: count }, (_, index) => new DeliveryThread(settings, log.child({ deliveryThread: index }), spawn));
  }

  accepts(): boolean {
    return true;
  }

  send(request: SignedRequest): Promise<TransportOutcome> {
    return this.threadFor(request.url).send(request);
  }

  /** Resolves once every thread has loaded; rejects when one cannot start (a broken install fails at start, loudly). */
  ready(): Promise<void> {
    return Promise.all(this.threads.map((t) => t.ready)).then(() => {});
  }

  /** The thread sending to the URL's origin, as it is now (tests end one in the middle of its work). */
  workerFor(url: string): Worker | null {
    return this.threadFor(url).worker;
  }

  /**
   * Hands the threads to another Herald in this process (a warm-up's threads, with their compiled code, to the real
   * one): every request sent after this goes out under `targets`, and the threads log to `log`.
   */
  retarget(targets: HttpTargets, log: Logger): this {
    this.threads.forEach((thread, index) => thread.retarget(targets, log.child({ deliveryThread: index })));
    return this;
  }

  /** Call once no attempt is in flight: each thread closes its pool and ends. */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }

  private threadFor(url: string): DeliveryThread {
    const threads = this.threads;
    return threads.length === 1 ? threads[0]! : threads[originHash(url) % threads.length]!;
  }
}

interface Waiting {
  resolve: (outcome: TransportOutcome) => void;
  startedAt: number;
  /** When its answer is overdue: the thread's own deadline for the request, and a grace for a busy thread. */
  overdueAt: number;
}

type SpawnThread = (settings: ThreadSettings) => Worker;

/**
 * A thread ends every request by its deadline (its HttpTransport aborts it), so an answer this much later means the
 * thread's event loop is stuck: it is ended, and its requests fail and are retried like those of a thread that died.
 */
const STUCK_GRACE_MS = 5_000;

/** How long a thread may take to load before it is taken for stuck (loading takes 0.3-7 s, the latter on a saturated machine). */
const LOAD_DEADLINE_MS = 60_000;
/** The pause before replacing a thread that ended before it had loaded, so a thread that cannot load does not spin. */
const RELOAD_PAUSE_MS = 1_000;

/** One worker thread and the requests it holds: handed over once per event-loop turn, answered the same way. */
class DeliveryThread {
  /** null between a thread that ended without loading and its replacement: sends fail meanwhile. */
  worker: Worker | null;
  /** Resolves when the first thread has loaded; rejects when it cannot (Herald then fails to start, loudly). */
  readonly ready: Promise<void>;
  private readonly waiting = new Map<number, Waiting>();
  /** Requests of this turn, not yet handed to the thread. */
  private outbox: ThreadRequest[] = [];
  private nextId = 0;
  private closing = false;
  private loadedOnce = false;
  /** Looks for overdue answers while requests are out (unref'd: it never keeps the process up). */
  private watchdog: NodeJS.Timeout | null = null;
  private overdueSeen = false;
  private settleFirstLoad: { resolve: () => void; reject: (err: Error) => void } | null = null;

  constructor(private settings: ThreadSettings, private log: Logger, private readonly spawn: SpawnThread) {
    this.ready = new Promise<void>((resolve, reject) => (this.settleFirstLoad = { resolve, reject }));
    this.ready.catch(() => {}); // whoever starts Herald awaits it; nobody else must see it unhandled
    this.worker = this.start();
  }

  send({ method, url, headers, body, timeoutMs, clientCertificate }: SignedRequest): Promise<TransportOutcome> {
    const worker = this.worker;
    if (!worker) return Promise.resolve({ ...noAnswer('not sent: the delivery thread is being replaced'), heraldFault: true });
    const id = this.nextId++;
    if (this.outbox.length === 0) setImmediate(() => this.handOver());
    this.outbox.push({ id, url, headers, body, timeoutMs, ...(method && { method }), ...(clientCertificate && { clientCertificate }) });
    if (this.waiting.size === 0) worker.ref(); // a send in flight keeps the process up, as a socket would
    this.watchdog ??= setInterval(() => this.checkOverdue(), 1_000).unref();
    const startedAt = performance.now();
    return new Promise((resolve) => this.waiting.set(id, { resolve, startedAt, overdueAt: startedAt + timeoutMs + STUCK_GRACE_MS }));
  }

  retarget(targets: HttpTargets, log: Logger): void {
    this.settings = { ...this.settings, targets };
    this.log = log;
    this.worker?.postMessage({ type: 'retarget', targets } satisfies ToThread);
  }

  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    if (!worker) return;
    const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToThread);
    // A thread that does not end within the deadline of an attempt (it is stuck) is stopped.
    const stuck = setTimeout(() => void worker.terminate(), this.settings.timeoutMs + 2_000);
    await ended;
    clearTimeout(stuck);
  }

  /**
   * Ends a thread with answers overdue at two checks in a row: after a main thread that was itself held up, the first
   * check can run before the answers already waiting in the port are read.
   */
  private checkOverdue(): void {
    const now = performance.now();
    let overdue = 0;
    for (const waiting of this.waiting.values()) if (waiting.overdueAt <= now) overdue++;
    const seenBefore = this.overdueSeen;
    this.overdueSeen = overdue > 0;
    if (overdue === 0 || !seenBefore || !this.worker) return;
    this.log.error({ overdue, waiting: this.waiting.size }, 'a delivery thread stopped answering past its requests\' deadlines; ending it');
    void this.worker.terminate();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.overdueSeen = false;
  }

  private handOver(): void {
    const requests = this.outbox;
    this.outbox = [];
    if (requests.length > 0) this.worker?.postMessage({ type: 'send', requests } satisfies ToThread);
  }

  private start(): Worker {
    const worker = this.spawn(this.settings);
    worker.unref();
    let loaded = false;
    const loading = setTimeout(() => {
      this.log.error({ deadlineMs: LOAD_DEADLINE_MS }, 'a delivery thread did not load in time; ending it');
      void worker.terminate();
    }, LOAD_DEADLINE_MS);
    loading.unref();
    worker.on('message', (message: FromThread) => {
      if (message.type === 'outcomes') return this.answered(message.outcomes);
      loaded = this.loadedOnce = true;
      clearTimeout(loading);
      this.settleFirstLoad?.resolve();
      this.settleFirstLoad = null;
    });
    worker.on('error', (err) => this.log.error({ err }, 'a delivery thread failed'));
    worker.on('exit', (code) => {
      clearTimeout(loading);
      this.ended(worker, code, loaded);
    });
    return worker;
  }

  private answered(outcomes: { id: number; outcome: TransportOutcome }[]): void {
    for (const { id, outcome } of outcomes) {
      const waiting = this.waiting.get(id);
      if (!waiting) continue;
      this.waiting.delete(id);
      waiting.resolve(outcome);
    }
    if (this.waiting.size === 0) {
      this.worker?.unref();
      this.stopWatchdog();
    }
  }

  /** Everything the ended thread held, and what was about to be handed to it, fails; a new thread takes its place. */
  private ended(worker: Worker, code: number, loaded: boolean): void {
    if (worker !== this.worker) return;
    const lost = this.waiting.size;
    const now = performance.now();
    for (const { resolve, startedAt } of this.waiting.values()) {
      const lostWith = noAnswer(`the delivery thread ended (exit code ${code}) before the answer came back`, Math.round(now - startedAt));
      resolve({ ...lostWith, heraldFault: true });
    }
    this.waiting.clear();
    this.stopWatchdog();
    this.outbox = [];
    this.worker = null;
    if (this.closing) return;
    if (!this.loadedOnce) {
      // The first thread never loaded (a broken install, or stuck): Herald does not start, and says why.
      this.settleFirstLoad?.reject(new Error(`the delivery thread did not load (exit code ${code}); see the log, or set HERALD_DELIVERY_THREADS=0`));
      this.settleFirstLoad = null;
      return;
    }
    this.log.error({ exitCode: code, lostAttempts: lost }, 'a delivery thread ended; its attempts in flight failed and will be retried; starting a new one');
    if (loaded) this.worker = this.start();
    else setTimeout(() => { if (!this.closing) this.worker = this.start(); }, RELOAD_PAUSE_MS).unref();
  }
}

/** Starts a delivery thread from http-thread beside this file. */
function spawnThread(settings: ThreadSettings): Worker {
  return startThreadBeside(import.meta.url, 'http-thread', { workerData: settings });
}

/** A hash of the URL's scheme and authority (FNV-1a), so every request to one origin goes to one thread. */
function originHash(url: string): number {
  const authority = url.indexOf('//');
  const pathStart = url.indexOf('/', authority < 0 ? 0 : authority + 2);
  const end = pathStart < 0 ? url.length : pathStart;
  let hash = 0x811c9dc5;
  for (let i = 0; i < end; i++) hash = Math.imul(hash ^ url.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
