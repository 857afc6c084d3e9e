import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from './cleanup.ts';
import { now } from './util.ts';

/** What an endpoint does with a delivery: answer 200, answer 500, or never answer (the sender times out). */
export type Behaviour = 'ok' | 'fail' | 'hang';

export interface ReceiverOptions {
  /** Listen on this port (default: any free one). */
  port?: number;
  /** Per endpoint index (from the path /e/<index>; 0 without one). Default: always 'ok'. */
  behaviour?: (endpoint: number) => Behaviour;
  /**
   * Each delivery answered 200: the endpoint index, the payload's message index `i` and send time `t`, and when its
   * body had fully arrived.
   */
  onDelivery: (endpoint: number, index: number, sentAt: number, at: number) => void;
}

export interface Receiver {
  port: number;
  /** The URL of endpoint number `endpoint` on this receiver. */
  url(endpoint: number): string;
  /** Requests answered per behaviour. */
  readonly answered: Record<Behaviour, number>;
  close(): Promise<void>;
}

const ENDPOINT_PATH = /^\/e\/(\d+)/;

/**
 * A local webhook receiver. It reads the whole body and takes `i` and `t` from it: Herald delivers the message's
 * payload, the ceiling relay forwards the whole `{eventType, payload}` body, and both shapes are understood.
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const answered: Record<Behaviour, number> = { ok: 0, fail: 0, hang: 0 };
  const behaviour = options.behaviour ?? (() => 'ok' as const);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = now();
      const match = ENDPOINT_PATH.exec(req.url ?? '');
      const endpoint = match ? Number(match[1]) : 0;
      const what = behaviour(endpoint);
      answered[what]++;
      if (what === 'hang') return; // never answered; closed by the sender's timeout or by close()
      if (what === 'fail') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('poisoned');
        return;
      }
      let index = -1;
      let sentAt = at;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { i?: number; t?: number; payload?: { i?: number; t?: number } };
        const payload = body.payload ?? body;
        index = payload.i ?? -1;
        sentAt = payload.t ?? at;
      } catch {
        /* not ours: counted as unexpected by the tally */
      }
      res.writeHead(200).end();
      options.onDelivery(endpoint, index, sentAt, at);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 120_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const close = onCleanup(`receiver on port ${port}`, () => {
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  return { port, url: (endpoint) => `http://127.0.0.1:${port}/e/${endpoint}`, answered, close };
}

/** A port nothing listens on (yet): taken from the OS, then given back. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
