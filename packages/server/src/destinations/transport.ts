import { performance } from 'node:perf_hooks';
import { checkTargetHost, type TargetPolicy } from '../delivery/guard.ts';
import { noAnswer, type SignedRequest, type Transport, type TransportOutcome } from '../delivery/transport.ts';
import type { EndpointDestination } from '../store/types.ts';
import { DESTINATION_SCHEMES } from './config.ts';
import type { Publisher, PublishedMessage } from './publishers/publisher.ts';

/** Builds the connection of one broker or database destination (publishers/index.ts; a fake in unit tests). */
export type PublisherFactory = (type: BrokerType, config: Record<string, unknown>) => Publisher;
export type BrokerType = keyof typeof DESTINATION_SCHEMES;

const BROKER_NAME: Record<BrokerType, string> = { rabbitMq: 'RabbitMQ', postgres: 'PostgreSQL', nats: 'NATS', mqtt: 'the MQTT broker', redis: 'Redis' };
const SCHEMES = new Set(Object.values(DESTINATION_SCHEMES).flat());

/** One message waiting in a batch, with the attempt that waits for its outcome. */
interface Waiting {
  message: PublishedMessage;
  /** When the attempt's own deadline runs out (performance.now() time). */
  deadline: number;
  settle: (outcome: TransportOutcome) => void;
}

/** A destination's connection and the batch it is filling; replaced when the destination's config changes. */
interface Line {
  configKey: string;
  publisher: Publisher;
  type: BrokerType;
  /** The broker's host, checked against the private-address rules before each publish. */
  host: string;
  batch: Waiting[];
  timer: NodeJS.Timeout | null;
  /** When it last published or was handed a message (performance.now() time). */
  usedAt: number;
  /** Batches being published. */
  publishing: number;
}

/** A connection unused this long is closed (a deleted or quiet destination does not keep one open). */
const IDLE_CLOSE_MS = 5 * 60_000;

/**
 * Delivers to broker and database destinations (RabbitMQ, PostgreSQL, NATS, MQTT, Redis) as the delivery engine's
 * transport, so they are attempted, retried and logged like any endpoint. Each destination keeps one connection. An
 * attempt counts as delivered once the broker or database acknowledged its message.
 *
 * Batching: attempts to a destination with `batchSize` > 1 join a batch that is published in one round trip (one
 * confirm wait, one INSERT, one pipeline) when it is full or `maxWaitSecs` after its first message; every attempt in
 * it gets the batch's outcome. The engine lets `batchSize` attempts be in flight to such a destination (lanes.ts).
 */
export class DestinationTransport implements Transport {
  readonly judgesEndpoint = true;
  private readonly lines = new Map<string, Line>();
  private readonly idleSweep: NodeJS.Timeout;

  constructor(
    private readonly targets: TargetPolicy,
    private readonly createPublisher: PublisherFactory,
    idleCloseMs = IDLE_CLOSE_MS,
  ) {
    this.idleSweep = setInterval(() => this.closeIdle(idleCloseMs), Math.min(idleCloseMs, 60_000));
    this.idleSweep.unref();
  }

  accepts(url: string): boolean {
    const colon = url.indexOf(':');
    return colon > 0 && SCHEMES.has(url.slice(0, colon + 1));
  }

  send(request: SignedRequest): Promise<TransportOutcome> {
    const destination = request.destination;
    if (!destination || destination.type === 'fifoEndpoint' || destination.type === 'pollingEndpoint') {
      return Promise.resolve(noAnswer(`not sent: ${request.url} names no broker destination`));
    }
    const line = this.lineFor(request.attempt.endpointId, destination.type, destination);
    const { attempt, headers, body } = request;
    const message: PublishedMessage = {
      id: attempt.messageId, eventType: attempt.eventType, headers,
      body: typeof body === 'string' ? body : body.toString('utf8'),
      timestamp: Number(headers['webhook-timestamp'] ?? Math.floor(Date.now() / 1000)) * 1000,
    };
    line.usedAt = performance.now();
    return new Promise((settle) => {
      line.batch.push({ message, deadline: performance.now() + request.timeoutMs, settle });
      if (line.batch.length >= destination.batchSize) this.flush(line);
      else if (line.timer === null) line.timer = setTimeout(() => this.flush(line), destination.maxWaitSecs * 1000);
    });
  }

  /** Closes every connection (at shutdown, once no attempt is in flight). */
  async close(): Promise<void> {
    clearInterval(this.idleSweep);
    const lines = [...this.lines.values()];
    this.lines.clear();
    await Promise.allSettled(lines.map((line) => line.publisher.close()));
  }

  private lineFor(endpointId: string, type: BrokerType, destination: EndpointDestination): Line {
    const configKey = JSON.stringify(destination.config);
    const held = this.lines.get(endpointId);
    if (held && held.configKey === configKey) return held;
    if (held) {
      // The destination was changed: the old connection finishes what it holds, then closes.
      this.flush(held);
      void held.publisher.close().catch(() => undefined);
    }
    const host = new URL(String(destination.config['uri'] ?? destination.config['url'])).hostname;
    const line: Line = { configKey, publisher: this.createPublisher(type, destination.config), type, host, batch: [], timer: null, usedAt: performance.now(), publishing: 0 };
    this.lines.set(endpointId, line);
    return line;
  }

  private flush(line: Line): void {
    if (line.timer !== null) clearTimeout(line.timer);
    line.timer = null;
    const batch = line.batch;
    line.batch = [];
    if (batch.length === 0) return;
    void this.publish(line, batch);
  }

  /** Publishes a batch within the earliest deadline among its attempts, and hands every one of them the outcome. */
  private async publish(line: Line, batch: Waiting[]): Promise<void> {
    const started = performance.now();
    line.publishing++;
    const timeoutMs = Math.max(1, Math.min(...batch.map((w) => w.deadline)) - started);
    let outcome: TransportOutcome;
    try {
      // The private-address guard, as for HTTP endpoints: a name is resolved and checked before each publish.
      await checkTargetHost(line.host, this.targets);
      await line.publisher.publish(batch.map((w) => w.message), timeoutMs);
      const acknowledged = batch.length === 1 ? 'acknowledged' : `acknowledged in a batch of ${batch.length}`;
      outcome = {
        statusCode: 200, body: `${acknowledged} by ${BROKER_NAME[line.type]}`, durationMs: Math.round(performance.now() - started),
        timedOut: false, retryAfter: null, abortRequested: false,
      };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      outcome = noAnswer(reason, Math.round(performance.now() - started), /timed out/.test(reason));
    }
    line.publishing--;
    line.usedAt = performance.now();
    for (const waiting of batch) waiting.settle(outcome);
  }

  /** Closes the connections nothing was sent through for `idleMs`. */
  private closeIdle(idleMs: number): void {
    const now = performance.now();
    for (const [endpointId, line] of this.lines) {
      if (line.batch.length > 0 || line.publishing > 0 || now - line.usedAt < idleMs) continue;
      this.lines.delete(endpointId);
      void line.publisher.close().catch(() => undefined);
    }
  }
}
