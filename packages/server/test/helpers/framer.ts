import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Someone else's site that embeds a Herald page: GET /?src=URL answers a page with that URL in an iframe titled
 * "Webhooks". One server is two origins to the browser: http://localhost:PORT and http://127.0.0.1:PORT.
 */
export class Framer {
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Framer> {
    const server = createServer((req, res) => {
      const src = new URL(req.url ?? '/', 'http://framer').searchParams.get('src') ?? '';
      const attribute = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><title>Customer settings</title><h3>Acme's customer settings</h3>
        <iframe title="Webhooks" src="${attribute}" style="width:1100px;height:680px;border:1px solid #ccc"></iframe>`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new Framer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The page embedding `src`, as served from `http://{host}:PORT`. */
  page(src: string, host: 'localhost' | '127.0.0.1' = 'localhost'): string {
    return `http://${host}:${this.port}/?src=${encodeURIComponent(src)}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
