import { parentPort, workerData } from 'node:worker_threads';
import type { ClientCertificate } from '../../store/slices/endpoint-auth.ts';
import type { TransportOutcome } from '../transport.ts';
import { HttpTransport, type HttpTargets } from './http.ts';

/**
 * A delivery thread (started by ThreadedHttpTransport): sends the requests the main thread hands over through its own
 * HttpTransport (its own undici pool, guard, proxy and deadline) and hands the outcomes back. Both directions go in
 * batches, one message per event-loop turn, so the cost of crossing threads is paid per batch, not per request.
 */

/** What a thread is started with (its workerData). */
export interface ThreadSettings {
  timeoutMs: number;
  targets: HttpTargets;
}

/** One request to send; its body arrives as a Uint8Array when it left as a Buffer. */
export interface ThreadRequest {
  id: number;
  method?: 'PUT';
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  timeoutMs: number;
  /** Mutual TLS: the thread's HttpTransport keeps a pool per certificate, as the main thread's would. */
  clientCertificate?: ClientCertificate;
}

/** `retarget`: from now on send under these targets (the warm-up's threads, handed to the real Herald). */
export type ToThread = { type: 'send'; requests: ThreadRequest[] } | { type: 'retarget'; targets: HttpTargets } | { type: 'close' };
export type FromThread = { type: 'ready' } | { type: 'outcomes'; outcomes: { id: number; outcome: TransportOutcome }[] };

if (!parentPort) throw new Error('http-thread runs as a worker thread, started by ThreadedHttpTransport');
const port = parentPort;
const settings = workerData as ThreadSettings;
let transport = new HttpTransport(settings.timeoutMs, settings.targets);
let answered: { id: number; outcome: TransportOutcome }[] = [];
const handBack = () => {
  port.postMessage({ type: 'outcomes', outcomes: answered } satisfies FromThread);
  answered = [];
};
const answer = (id: number, outcome: TransportOutcome) => {
  if (answered.length === 0) setImmediate(handBack);
  answered.push({ id, outcome });
};
port.on('message', (message: ToThread) => {
  if (message.type === 'close') {
    // Sent once nothing is in flight any more: the pool's connections close and the thread ends.
    void transport.close().finally(() => port.close());
    return;
  }
  if (message.type === 'retarget') {
    // Messages arrive in order: every request handed over after this goes out under the new targets. The old pool
    // holds nothing in flight (the warm-up Herald stopped first) and only its connections close.
    const previous = transport;
    transport = new HttpTransport(settings.timeoutMs, message.targets);
    void previous.close();
    return;
  }
  for (const { id, method, url, headers, body, timeoutMs, clientCertificate } of message.requests) {
    const bytes = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    void transport.send({ method, url, headers, body: bytes, timeoutMs, clientCertificate }).then((outcome) => answer(id, outcome));
  }
});
port.postMessage({ type: 'ready' } satisfies FromThread);
