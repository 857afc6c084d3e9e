import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { startThreadBeside } from '../lib/thread.ts';
import { FairQueue } from './fair-queue.ts';
import type { TransformLimits, TransformOutcome } from './sandbox.ts';
import type { FromSandboxThread, SandboxJob, SandboxThreadSettings } from './sandbox-thread.ts';
import type { WebhookShape } from './webhook-shape.ts';

/**
 * Transformations run in a worker thread, one at a time, so user code never holds the main thread. The sandbox's own
 * interrupt ends almost every run in time; the thread is ended (and a new one started) only when a run outlives its
 * CPU limit by HARD_STOP_GRACE_MS, which happens when a built-in runs long without polling for the interrupt. The
 * thread's larger stack (4 MB against the main thread's 1 MB) also lets QuickJS's own stack check fire first.
 */
export class ThreadedSandbox {
  private thread: SandboxThread | null = null;
  private readonly queue = new FairQueue<QueuedJob>();
  private running: { job: QueuedJob; id: number; startedAt: number; hardStop: NodeJS.Timeout } | null = null;
  private nextId = 0;
  private closed = false;

  private constructor(private readonly limits: TransformLimits, private readonly spawn: SpawnSandboxThread) {}

  /** Resolves once the first thread has loaded; rejects when it cannot (a broken install fails at start, loudly). */
  static async start(limits: TransformLimits, spawn: SpawnSandboxThread = spawnSandboxThread): Promise<ThreadedSandbox> {
    const sandbox = new ThreadedSandbox(limits, spawn);
    await sandbox.startThread();
    return sandbox;
  }

  /** `owner`: whose code it is (an endpoint, a source); owners with runs waiting take turns. */
  run(code: string, webhook: WebhookShape, owner = ''): Promise<TransformOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'the sandbox is closed', durationMs: 0 });
    const outcome = new Promise<TransformOutcome>((resolve) => this.queue.push(owner, { code, webhook, resolve }));
    if (this.thread === null) this.startThread().catch(() => {}); // a thread that cannot load fails the queue itself
    else this.next();
    return outcome;
  }

  /** Ends the thread; runs still waiting resolve as not run. */
  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = null;
    this.failAll('the sandbox was closed before the transformation ran');
    await thread?.worker.terminate();
  }

  private startThread(): Promise<void> {
    const channel = new MessageChannel();
    const settings: SandboxThreadSettings = { limits: this.limits, port: channel.port2 };
    const thread: SandboxThread = { worker: this.spawn(settings, [channel.port2]), port: channel.port1, ready: false, error: '' };
    this.thread = thread;
    // Neither keeps the process up: the hard-stop timer does while a run is out, the load deadline while loading.
    thread.worker.unref();
    thread.port.unref();
    return new Promise<void>((resolve, reject) => {
      const loading = setTimeout(() => void thread.worker.terminate(), LOAD_DEADLINE_MS);
      thread.port.on('message', (message: FromSandboxThread) => {
        if (message.type === 'outcome') return this.answered(message.id, message.outcome);
        clearTimeout(loading);
        thread.ready = true;
        resolve();
        this.next();
      });
      thread.worker.on('exit', (code) => {
        clearTimeout(loading);
        if (!thread.ready) reject(new Error(`the sandbox thread did not load (${ending(thread, code)})`));
        this.ended(thread, code);
      });
      // Said again by the exit that follows, in the reasons of the runs it takes with it.
      thread.worker.on('error', (err) => (thread.error = err.message));
    });
  }

  private next(): void {
    const thread = this.thread;
    if (this.running || !thread?.ready || this.queue.size === 0) return;
    const job = this.queue.shift()!;
    const id = this.nextId++;
    const hardStop = setTimeout(() => this.overdue(thread), this.limits.cpuMs + HARD_STOP_GRACE_MS);
    this.running = { job, id, startedAt: performance.now(), hardStop };
    thread.port.postMessage({ id, code: job.code, webhook: job.webhook } satisfies SandboxJob);
  }

  private answered(id: number, outcome: TransformOutcome): void {
    if (this.running?.id !== id) return;
    clearTimeout(this.running.hardStop);
    this.running.job.resolve(outcome);
    this.running = null;
    this.next();
  }

  /** The answer may already be waiting in the port behind a busy main thread: it is read before the thread is ended. */
  private overdue(thread: SandboxThread): void {
    for (let waiting = receiveMessageOnPort(thread.port); waiting; waiting = receiveMessageOnPort(thread.port)) {
      const message = waiting.message as FromSandboxThread;
      if (message.type === 'outcome') this.answered(message.id, message.outcome);
    }
    if (!this.running || this.thread !== thread) return;
    this.settleRunning(`the transformation ran longer than its ${this.limits.cpuMs} ms CPU limit`);
    this.thread = null;
    void thread.worker.terminate();
    if (this.queue.size > 0) this.startThread().catch(() => {});
  }

  /** A thread that ended on its own (or was ended) takes its run with it; a new one starts for the runs waiting. */
  private ended(thread: SandboxThread, code: number): void {
    if (this.thread !== thread) return;
    this.thread = null;
    if (thread.ready) this.settleRunning(`the sandbox thread ended during the transformation (${ending(thread, code)})`);
    // A thread that never loaded is not retried at once (it would only fail again): the runs waiting fail, and the
    // next run starts another.
    else this.failAll(`the sandbox thread could not start (${ending(thread, code)})`);
    if (!this.closed && this.queue.size > 0) this.startThread().catch(() => {});
  }

  private settleRunning(reason: string): void {
    if (!this.running) return;
    clearTimeout(this.running.hardStop);
    const { job, startedAt } = this.running;
    this.running = null;
    job.resolve({ ok: false, reason, durationMs: Math.round(performance.now() - startedAt) });
  }

  private failAll(reason: string): void {
    this.settleRunning(reason);
    for (const job of this.queue.drain()) job.resolve({ ok: false, reason, durationMs: 0 });
  }
}

interface QueuedJob {
  code: string;
  webhook: WebhookShape;
  resolve: (outcome: TransformOutcome) => void;
}

interface SandboxThread {
  worker: Worker;
  port: MessagePort;
  ready: boolean;
  /** What the thread failed with, for the reason given when it ends. */
  error: string;
}

function ending(thread: SandboxThread, code: number): string {
  return thread.error ? `${thread.error.slice(0, 300)}, exit code ${code}` : `exit code ${code}`;
}

/** How long past its CPU limit a run may go before its thread is ended: built-ins that do not poll can overshoot. */
const HARD_STOP_GRACE_MS = 500;
/** Loading takes well under a second; a thread still loading after this is taken for stuck. */
const LOAD_DEADLINE_MS = 30_000;

type SpawnSandboxThread = (settings: SandboxThreadSettings, transfer: MessagePort[]) => Worker;

/** Starts a sandbox thread from sandbox-thread beside this file. */
function spawnSandboxThread(settings: SandboxThreadSettings, transfer: MessagePort[]): Worker {
  return startThreadBeside(import.meta.url, 'sandbox-thread', { workerData: settings, transferList: transfer });
}
