import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ADMIN_TOKEN, api, spawnHerald, startTestHerald, type HeraldProcess } from '../helpers/herald.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';

const pgSkip = await postgresUnavailable();

/** OTLP span kinds as numbers on the wire. */
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const STATUS_ERROR = 2;

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  statusCode: number;
  resource: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}
type OtlpAttributes = { key: string; value: OtlpValue }[];

function attributesOf(list: OtlpAttributes | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue ?? value.doubleValue);
  return out;
}

/** A minimal OTLP/HTTP collector on loopback: takes JSON trace exports and keeps every span. */
class Collector {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes = new Set<string>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Collector> {
    const server = createServer();
    const collector = new Collector(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        collector.contentTypes.add(String(req.headers['content-type']));
        if (req.method !== 'POST' || req.url !== '/v1/traces') return res.writeHead(404).end();
        collector.take(JSON.parse(body.toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return collector;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private take(request: { resourceSpans?: { resource?: { attributes?: OtlpAttributes }; scopeSpans?: { spans?: any[] }[] }[] }): void {
    for (const rs of request.resourceSpans ?? []) {
      const resource = attributesOf(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind,
            attributes: attributesOf(s.attributes), statusCode: s.status?.code ?? 0, resource,
          });
        }
      }
    }
  }

  named(name: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.name === name);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const one = <T>(items: T[], what: string): T => {
  assert.equal(items.length, 1, `exactly one ${what}`);
  return items[0]!;
};

test('tracing: request, publish and every attempt are one trace; attempts are children of the publish span, a retry claimed from the store too', async () => {
  const collector = await Collector.start();
  const receiver = await Receiver.start();
  let answered = 0;
  receiver.responder = (_req, res) => res.writeHead(++answered === 1 ? 500 : 200).end();
  const herald = await startTestHerald({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'herald-test', HERALD_RETRY_SCHEDULE: '0' });
  let stopped = false;
  try {
    const app = await api(herald.url, 'POST', '/api/v1/app', { name: 'traced' });
    const ep = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: receiver.url('/traced') });
    const published = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/msg`, { eventType: 'order.created', payload: { n: 1 } });
    assert.equal(published.status, 202);
    const requestId = published.headers.get('x-request-id');
    assert.ok(requestId);
    await receiver.waitFor((all) => all.length >= 2, 10_000, 'the failed attempt and its retry');
    for (const r of receiver.received) {
      assert.equal(r.headers['traceparent'], undefined, 'no trace context is sent to a customer endpoint');
      assert.equal(r.headers['tracestate'], undefined);
    }
    await herald.cleanup(); // stopping flushes the spans still batched
    stopped = true;

    assert.deepEqual([...collector.contentTypes], ['application/json']);
    const server = one(collector.named('POST /api/v1/app/:app_id/msg'), 'publishing request span');
    assert.equal(server.kind, SERVER);
    assert.equal(server.parentSpanId, '', 'no traceparent came in: the request starts the trace');
    assert.equal(server.attributes['herald.request.id'], requestId);
    assert.equal(server.attributes['http.response.status_code'], 202);
    assert.equal(server.attributes['http.route'], '/api/v1/app/:app_id/msg');
    assert.equal(server.resource['service.name'], 'herald-test');

    const publish = one(collector.named('publish message'), 'publish span');
    assert.equal(publish.kind, PRODUCER);
    assert.equal(publish.traceId, server.traceId);
    assert.equal(publish.parentSpanId, server.spanId);
    assert.equal(publish.attributes['herald.message.id'], published.json.id);

    const attempts = collector.named('webhook attempt').sort((a, b) => Number(a.attributes['herald.attempt.number']) - Number(b.attributes['herald.attempt.number']));
    assert.equal(attempts.length, 2);
    const host = new URL(receiver.url()).host;
    for (const [i, attempt] of attempts.entries()) {
      assert.equal(attempt.kind, CLIENT);
      assert.equal(attempt.traceId, server.traceId, 'the attempt is in the publishing request\'s trace');
      assert.equal(attempt.parentSpanId, publish.spanId, 'and a child of the publish span');
      assert.equal(attempt.attributes['herald.message.id'], published.json.id);
      assert.equal(attempt.attributes['herald.endpoint.id'], ep.json.id);
      assert.equal(attempt.attributes['herald.attempt.number'], i + 1);
      assert.equal(attempt.attributes['server.address'], host);
    }
    assert.equal(attempts[0]!.attributes['http.response.status_code'], 500);
    assert.equal(attempts[0]!.attributes['herald.attempt.outcome'], 'retry');
    assert.equal(attempts[0]!.statusCode, STATUS_ERROR);
    assert.equal(attempts[1]!.attributes['http.response.status_code'], 200);
    assert.equal(attempts[1]!.attributes['herald.attempt.outcome'], 'success');
    assert.notEqual(attempts[1]!.statusCode, STATUS_ERROR);
  } finally {
    if (!stopped) await herald.cleanup();
    await receiver.close();
    await collector.close();
  }
});

test('tracing on PostgreSQL: the API process traces the request (continuing the caller\'s traceparent), a worker process traces the attempts in the same trace', { skip: pgSkip, timeout: 60_000 }, async () => {
  const schema = uniqueSchema('herald_trace');
  const collector = await Collector.start();
  const receiver = await Receiver.start();
  let answered = 0;
  receiver.responder = (_req, res) => res.writeHead(++answered === 1 ? 500 : 204).end();
  const env = {
    HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true',
    HERALD_PORT: '0', HERALD_RETRY_SCHEDULE: '1',
  };
  const processes: HeraldProcess[] = [];
  try {
    const apiProcess = await spawnHerald(['--role', 'api'], { ...env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces` });
    processes.push(apiProcess);
    const worker = await spawnHerald(['--role', 'worker'], { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/` });
    processes.push(worker);
    const app = await api(apiProcess.url, 'POST', '/api/v1/app', { name: 'traced' });
    await api(apiProcess.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: receiver.url('/traced') });
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const published = await api(apiProcess.url, 'POST', `/api/v1/app/${app.json.id}/msg`, { eventType: 'e', payload: {} }, {
      traceparent: `00-${callerTrace}-${callerSpan}-01`, 'x-request-id': 'caller-req-42',
    });
    assert.equal(published.status, 202);
    assert.equal(published.headers.get('x-request-id'), 'caller-req-42');
    await receiver.waitFor((all) => all.length >= 2, 20_000, 'the failed attempt and its retry');
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));

    const server = one(collector.named('POST /api/v1/app/:app_id/msg'), 'publishing request span');
    assert.equal(server.traceId, callerTrace, 'the caller\'s trace is continued');
    assert.equal(server.parentSpanId, callerSpan);
    assert.equal(server.resource['herald.role'], 'api');
    assert.equal(server.resource['service.name'], 'herald');
    const publish = one(collector.named('publish message'), 'publish span');
    assert.equal(publish.parentSpanId, server.spanId);
    const attempts = collector.named('webhook attempt');
    assert.equal(attempts.length, 2);
    for (const attempt of attempts) {
      assert.equal(attempt.resource['herald.role'], 'worker', 'made in the other process');
      assert.equal(attempt.traceId, callerTrace);
      assert.equal(attempt.parentSpanId, publish.spanId);
    }

    // The worker's log line for the failed attempt names the request and the message.
    const failed = worker.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.msg === 'attempt failed; retrying later');
    assert.ok(failed, worker.output());
    assert.equal(failed.requestId, 'caller-req-42');
    assert.equal(failed.msgId, published.json.id);
    assert.equal(failed.statusCode, 500);
  } finally {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    await receiver.close();
    await collector.close();
    await dropSchema(schema);
  }
});
