import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes received. */
  body: Buffer;
  at: number;
}

export type Responder = (req: Received, res: ServerResponse) => unknown;

/** A real local webhook receiver that records every request and answers as the test tells it to. */
export class Receiver {
  readonly received: Received[] = [];
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  private server: Server;
  responder: Responder = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  };

  private constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const entry: Received = { method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
        this.received.push(entry);
        Promise.resolve(this.responder(entry, res)).catch(() => res.destroy());
        this.waiters = this.waiters.filter((w) => (w.predicate() ? (w.resolve(), false) : true));
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves when the predicate holds over what has been received, or rejects after timeoutMs. */
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs = 10_000, what = 'requests'): Promise<void> {
    if (predicate(this.received)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${this.received.length}`)), timeoutMs);
      this.waiters.push({
        predicate: () => predicate(this.received),
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
