import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { HeraldError } from '../lib/errors.ts';
import type { Health } from './health.ts';

export interface WorkerHttpListen {
  host: string;
  port: number;
  /** PEM certificate chain and key: HTTPS, like the API. */
  tls?: { cert: Buffer; key: Buffer };
  log: Logger;
}

export interface WorkerHttp {
  url: string;
  close(): Promise<void>;
}

/** Only scrapes and probes come here: a request slower than this is a stuck client. */
const REQUEST_TIMEOUT_MS = 10_000;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/**
 * What a worker-only process serves, having no API: GET /metrics behind `authenticate` (which throws, a HeraldError
 * with its status, for a caller that may not read them), and GET /api/v1/health with the API's answers (204, or
 * with ?detail=true 200; 503 when unhealthy), open like the API's, for load balancers and probes.
 */
export async function startWorkerHttp(
  registry: Registry,
  authenticate: (authorization: string | undefined) => Promise<unknown> | unknown,
  health: () => Promise<Health>,
  listen: WorkerHttpListen,
): Promise<WorkerHttp> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://worker');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path !== '/metrics' && path !== '/api/v1/health') {
      return sendJson(res, 404, { code: 'not_found', detail: `No route for ${req.method} ${url.pathname} (a worker serves /metrics and /api/v1/health)` });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { code: 'method_not_allowed', detail: `${req.method} is not allowed here` });
    }
    if (path === '/metrics') {
      await authenticate(req.headers.authorization);
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    const { healthy, checks } = await health();
    const detail = url.searchParams.get('detail');
    if (healthy && detail !== 'true' && detail !== '1') {
      res.writeHead(204).end();
      return;
    }
    sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'unhealthy', checks });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof HeraldError) return sendJson(res, err.statusCode, { code: err.code, detail: err.detail });
      listen.log.error({ err, url: req.url }, 'unhandled error serving metrics or health');
      sendJson(res, 500, { code: 'internal_error', detail: 'Internal server error' });
    });
  };
  const server: Server = listen.tls ? createHttpsServer({ cert: listen.tls.cert, key: listen.tls.key }, onRequest) : createHttpServer(onRequest);
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `${listen.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its connection open between scrapes: it must not hold the shutdown.
        server.closeIdleConnections();
      }),
  };
}
