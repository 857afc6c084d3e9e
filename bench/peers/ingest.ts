/**
 * The HTTP ingest both peer relays share, as a user would write it in front of a job queue: one route,
 * POST /api/v1/app/<app>/msg with the body the bench sends Herald ({eventType, payload}), answered 202 once
 * `enqueue` resolved (the queue has the job) and 4xx with a JSON error for anything else.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PublishBody {
  eventType: string;
  payload: Record<string, unknown>;
}

const PUBLISH_ROUTE = /^\/api\/v1\/app\/[^/]+\/msg\/?$/;
const MAX_BODY_BYTES = 1024 * 1024;

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function parse(raw: Buffer): PublishBody | string {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'the body is not JSON';
  }
  const b = body as Partial<PublishBody> | null;
  if (typeof b !== 'object' || b === null) return 'the body must be an object';
  if (typeof b.eventType !== 'string' || b.eventType.length === 0) return 'eventType must be a non-empty string';
  if (typeof b.payload !== 'object' || b.payload === null || Array.isArray(b.payload)) return 'payload must be an object';
  return { eventType: b.eventType, payload: b.payload };
}

/** Listens on a free loopback port and prints {"listening": port} on standard output once it does. */
export function serveIngest(name: string, enqueue: (body: PublishBody) => Promise<string>): void {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || !PUBLISH_ROUTE.test(req.url ?? '')) {
      req.resume();
      answer(res, 404, { code: 'not_found', detail: 'only POST /api/v1/app/<app>/msg is served' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return answer(res, 413, { code: 'payload_too_large', detail: `at most ${MAX_BODY_BYTES} bytes` });
      const body = parse(Buffer.concat(chunks));
      if (typeof body === 'string') return answer(res, 400, { code: 'validation', detail: body });
      enqueue(body).then(
        (id) => answer(res, 202, { id, eventType: body.eventType }),
        (err: Error) => answer(res, 503, { code: 'enqueue_failed', detail: err.message }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port, peer: name })}\n`);
  });
}
