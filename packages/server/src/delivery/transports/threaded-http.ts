import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { noAnswer, type SignedRequest, type Transport, type TransportOutcome } from '../transport.ts';
import type { HttpTargets } from './http.ts';
import type { FromThread, ThreadRequest, ThreadSettings, ToThread } from './http-thread.ts';

/**
 * HTTP deliveries sent from worker threads, so the requests, the pools' socket work and the reading of answers use the
 * other cores while the main thread keeps ingest, the store and every decision (signing, retries, circuit, attempt
 * log). Each thread runs its own HttpTransport, built with the same options as the single-thread one. An endpoint's
 * origin always goes to the same thread, so its keep-alive connections stay warm in one pool.
 *
 * A thread that dies loses nothing and repeats nothing: the requests it held resolve as attempts without an answer
 * (retried by the retry policy like any connection that dropped; a receiver may have seen one, as with a crashed
 * process: at least once), the requests not yet handed to it fail the same way, and a new thread takes its place.
 */
export class ThreadedHttpTransport implements Transport {
  readonly judgesEndpoint = true;
  private readonly threads: DeliveryThread[];

  constructor(count: number, timeoutMs: number, targets: HttpTargets, log: Logger) {
    if (count < 1) throw new Error('ThreadedHttpTransport needs at least one thread');
    const settings: ThreadSettings = { timeoutMs, targets };
    this.threads = Array.from({ length: count }, (_, index) => new DeliveryThread(settings, log.child({ deliveryThread: index })));
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
  workerFor(url: string): Worker {
    return this.threadFor(url).worker;
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
}

/** One worker thread and the requests it holds: handed over once per event-loop turn, answered the same way. */
class DeliveryThread {
  worker: Worker;
  /** Resolves when the first worker has loaded. */
  readonly ready: Promise<void>;
  private readonly waiting = new Map<number, Waiting>();
  /** Requests of this turn, not yet handed to the thread. */
  private outbox: ThreadRequest[] = [];
  private nextId = 0;
  private closing = false;
  /** The thread could not even load: there is nothing to restart, and sends fail at once. */
  private broken = false;

  constructor(private readonly settings: ThreadSettings, private readonly log: Logger) {
    this.worker = this.start();
    const first = this.worker;
    this.ready = new Promise<void>((resolve, reject) => {
      first.once('message', () => resolve());
      first.once('error', reject);
      first.once('exit', (code) => reject(new Error(`the delivery thread ended while loading (exit code ${code})`)));
    });
    this.ready.catch(() => {}); // whoever starts Herald awaits it; a later restart must not leave it unhandled
  }

  send({ url, headers, body, timeoutMs }: SignedRequest): Promise<TransportOutcome> {
    if (this.broken) return Promise.resolve({ ...noAnswer('not sent: the delivery thread could not start (see the log)'), heraldFault: true });
    const id = this.nextId++;
    if (this.outbox.length === 0) setImmediate(() => this.handOver());
    this.outbox.push({ id, url, headers, body, timeoutMs });
    if (this.waiting.size === 0) this.worker.ref(); // a send in flight keeps the process up, as a socket would
    return new Promise((resolve) => this.waiting.set(id, { resolve, startedAt: performance.now() }));
  }

  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToThread);
    // A thread that does not end within the deadline of an attempt (it is stuck) is stopped.
    const stuck = setTimeout(() => void worker.terminate(), this.settings.timeoutMs + 2_000);
    await ended;
    clearTimeout(stuck);
  }

  private handOver(): void {
    const requests = this.outbox;
    this.outbox = [];
    if (requests.length > 0) this.worker.postMessage({ type: 'send', requests } satisfies ToThread);
  }

  private start(): Worker {
    const worker = spawnThread(this.settings);
    worker.unref();
    let loaded = false;
    worker.on('message', (message: FromThread) => {
      if (message.type === 'outcomes') this.answered(message.outcomes);
      else loaded = true;
    });
    worker.on('error', (err) => this.log.error({ err }, 'a delivery thread failed'));
    worker.on('exit', (code) => this.ended(worker, code, loaded));
    return worker;
  }

  private answered(outcomes: { id: number; outcome: TransportOutcome }[]): void {
    for (const { id, outcome } of outcomes) {
      const waiting = this.waiting.get(id);
      if (!waiting) continue;
      this.waiting.delete(id);
      waiting.resolve(outcome);
    }
    if (this.waiting.size === 0) this.worker.unref();
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
    this.outbox = [];
    if (this.closing) return;
    if (!loaded) {
      // Its code did not load (a broken install): a new thread would fail the same way, in a loop.
      this.broken = true;
      this.log.error({ exitCode: code }, 'a delivery thread could not start; deliveries through it fail until Herald restarts');
      return;
    }
    this.log.error({ exitCode: code, lostAttempts: lost }, 'a delivery thread ended; its attempts in flight failed and will be retried; starting a new one');
    this.worker = this.start();
  }
}

/**
 * Starts the thread from the file beside this one with this file's extension: `.js` in a compiled build; `.ts` when
 * Herald runs its sources, where the thread must register tsx itself (a worker inherits execArgv, not the
 * `register()` bin/herald.js made), so it starts from a two-line module that does so and then loads the entry.
 */
function spawnThread(settings: ThreadSettings): Worker {
  const entry = new URL(`./http-thread${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: settings });
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};\n` +
    `register();\nawait import(${JSON.stringify(entry.href)});\n`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: settings });
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
