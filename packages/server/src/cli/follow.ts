import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, type ApiClient, type Query } from './client.ts';

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Splits a text/event-stream body into events (comments and `retry:` lines are dropped). */
export async function* readEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    buffer = buffer.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: SseEvent = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') event.id = value;
      }
      if (data.length === 0) continue;
      event.data = data.join('\n');
      yield event;
    }
  }
}

export interface FollowOptions {
  path: string;
  query?: Query;
  /** Handles one event; 'stop' ends following (the command is done). */
  onEvent(event: SseEvent): 'stop' | void;
  /** Status lines for the user (disconnected, reconnecting), on standard error. */
  say(line: string): void;
  signal: AbortSignal;
}

/** The server sends a heartbeat every 15 s; this much silence means the connection is dead even if no error said so. */
const SILENCE_MS = 40_000;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/**
 * Follows a server-sent event stream for as long as the command runs: a dropped connection is said so and
 * reopened with backoff, never silently given up. Errors that a retry cannot fix (bad token, unknown application)
 * end it, as does failing to reach the server at the very start (most likely a wrong URL).
 */
export async function follow(client: ApiClient, opts: FollowOptions): Promise<void> {
  let backoff = BACKOFF_FIRST_MS;
  let everConnected = false;
  while (!opts.signal.aborted) {
    const connection = new AbortController();
    const abort = () => connection.abort();
    opts.signal.addEventListener('abort', abort, { once: true });
    let watchdog: NodeJS.Timeout | undefined;
    const feed = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => connection.abort(new Error(`no data for ${SILENCE_MS / 1000}s`)), SILENCE_MS);
    };
    let reason: string;
    try {
      feed();
      const res = await client.open('GET', opts.path, { query: opts.query, signal: connection.signal, headers: { accept: 'text/event-stream' } });
      everConnected = true;
      const body = res.body as AsyncIterable<Buffer>;
      let stopped = false;
      for await (const event of readEvents(tap(body, feed))) {
        backoff = BACKOFF_FIRST_MS;
        if (opts.onEvent(event) === 'stop') {
          stopped = true;
          break;
        }
      }
      if (stopped) {
        connection.abort();
        return;
      }
      reason = 'the server closed the stream';
    } catch (err) {
      if (opts.signal.aborted) return;
      if (err instanceof ApiError && err.status < 500 && err.status !== 408 && err.status !== 429) throw err;
      if (!everConnected && !(err instanceof ApiError)) throw err;
      reason = connection.signal.aborted && connection.signal.reason instanceof Error ? connection.signal.reason.message : (err as Error).message;
    } finally {
      clearTimeout(watchdog);
      opts.signal.removeEventListener('abort', abort);
    }
    if (opts.signal.aborted) return;
    opts.say(`disconnected: ${reason}; reconnecting in ${Math.round(backoff / 1000)}s`);
    try {
      await sleep(backoff, undefined, { signal: opts.signal });
    } catch {
      return;
    }
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
  }
}

/** Passes chunks through, telling `onData` about each (the silence watchdog). */
async function* tap(body: AsyncIterable<Buffer>, onData: () => void): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    onData();
    yield chunk;
  }
}
