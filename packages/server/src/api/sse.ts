import type { FastifyReply } from 'fastify';

/** A comment line this often keeps proxies from closing an idle stream and lets clients notice a dead one. */
export const HEARTBEAT_MS = 15_000;
/** A client that falls this far behind is cut off (it reconnects) rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** A stream's events: each name with the type of its data (the wire package states the API's: AttemptStreamEvents…). */
export type SseEvents = Record<string, unknown>;

export interface SseStream<Events extends SseEvents = SseEvents> {
  /** Writes one event; false once the stream is closed. */
  send<E extends keyof Events & string>(event: E, data: Events[E], id?: string): boolean;
  close(): void;
  readonly closed: boolean;
  /** Called once when the stream ends, whoever ended it. */
  onClose(fn: () => void): void;
}

/**
 * Server-sent event streams (text/event-stream) of the API, tracked so the server can end them when it closes:
 * an open stream would otherwise hold the shutdown until the client went away.
 */
export class SseStreams {
  private readonly open = new Set<Pick<SseStream, 'close'>>();

  start<Events extends SseEvents>(reply: FastifyReply): SseStream<Events> {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const closers: (() => void)[] = [];
    let closed = false;
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
    const finish = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      this.open.delete(stream);
      if (!res.writableEnded) res.end();
      for (const fn of closers) fn();
    };
    const write = (text: string): boolean => {
      if (closed) return false;
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        finish();
        return false;
      }
      res.write(text);
      return true;
    };
    const stream: SseStream<Events> = {
      send: (event, data, id) => write(`event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`),
      close: finish,
      get closed() {
        return closed;
      },
      onClose: (fn) => {
        if (closed) fn();
        else closers.push(fn);
      },
    };
    res.on('close', finish);
    res.on('error', finish);
    this.open.add(stream);
    return stream;
  }

  closeAll(): void {
    for (const stream of [...this.open]) stream.close();
  }
}
