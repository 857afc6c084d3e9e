import { type MessagePort, workerData } from 'node:worker_threads';
import { TransformSandbox, type TransformLimits, type TransformOutcome } from './sandbox.ts';
import type { WebhookShape } from './webhook-shape.ts';

/**
 * A sandbox thread (started by ThreadedSandbox): runs the transformations handed to it one at a time in its own
 * TransformSandbox. Its answers go through a port of its own rather than the worker's, so the main thread can read
 * an answer that is already waiting before it decides the thread is stuck.
 */

/** What a thread is started with (its workerData; the port is transferred). */
export interface SandboxThreadSettings {
  limits: TransformLimits;
  port: MessagePort;
}

export interface SandboxJob {
  id: number;
  code: string;
  webhook: WebhookShape;
}

export type FromSandboxThread = { type: 'ready' } | { type: 'outcome'; id: number; outcome: TransformOutcome };

const { limits, port } = workerData as SandboxThreadSettings;
if (!port) throw new Error('sandbox-thread runs as a worker thread, started by ThreadedSandbox');

// Jobs run in the order they came, each once the sandbox before it has loaded. A sandbox broken by a run is replaced
// before the next job; one that cannot load rejects the chain, the thread ends, and ThreadedSandbox sees it end.
let sandbox = TransformSandbox.load(limits);
void sandbox.then(() => port.postMessage({ type: 'ready' } satisfies FromSandboxThread));
port.on('message', ({ id, code, webhook }: SandboxJob) => {
  sandbox = sandbox.then((loaded) => {
    const outcome = loaded.run(code, webhook);
    port.postMessage({ type: 'outcome', id, outcome } satisfies FromSandboxThread);
    return loaded.broken ? TransformSandbox.load(limits) : loaded;
  });
});
