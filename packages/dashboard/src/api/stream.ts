import { errorText } from '../lib/format';
import { ApiError } from './client';

/** One server-sent event: its name (`message` when unnamed), its data lines joined, and the last id seen. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Reads text/event-stream as it arrives, in chunks cut anywhere (the WHATWG rules: lines end in CRLF, LF or CR; a
 * blank line ends an event; `:` starts a comment, such as the server's heartbeats). `retry` is ignored: the reader
 * has its own backoff.
 */
export class SseParser {
  private rest = '';
  private started = false;
  private data: string[] = [];
  private event = '';
  private id: string | null = null;

  feed(chunk: string): SseEvent[] {
    let text = this.rest + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A final CR may be the first half of a CRLF: it waits for the next chunk.
    const held = text.endsWith('\r') ? '\r' : '';
    const lines = (held ? text.slice(0, -1) : text).split(/\r\n|\r|\n/);
    this.rest = (lines.pop() ?? '') + held;
    const events: SseEvent[] = [];
    for (const line of lines) {
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === '') {
      const event = this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n'), id: this.id } : null;
      this.data = [];
      this.event = '';
      return event;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return null;
  }
}

export type StreamState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  /** Dropped: the next try is at retryAt. */
  | { kind: 'waiting'; retryAt: number; error: string }
  /** Refused for good (a 4xx: no such application, not allowed…): no more tries. */
  | { kind: 'stopped'; error: string };

export interface StreamHandlers {
  onEvent: (event: SseEvent) => void;
  onState: (state: StreamState) => void;
}

export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
/** The server writes a heartbeat every 15 s: this long without a byte, the connection is taken for dead. */
const SILENCE_MS = 45_000;

/** A 4xx other than a timeout or a rate limit will not go away by trying again. */
const final = (e: unknown) => e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;

/**
 * Follows a stream until `signal` aborts: opens it, hands over its events, and when it drops (an error, the end, or
 * silence) opens it again after 1 s, doubling up to 30 s. The delay starts over once the server says `ready`.
 */
export async function followStream(open: (signal: AbortSignal) => Promise<Response>, handlers: StreamHandlers, signal: AbortSignal): Promise<void> {
  let delay = BACKOFF_FIRST_MS;
  const onEvent = (event: SseEvent) => {
    if (event.event === 'ready') {
      delay = BACKOFF_FIRST_MS;
      handlers.onState({ kind: 'open' });
    }
    handlers.onEvent(event);
  };
  while (!signal.aborted) {
    handlers.onState({ kind: 'connecting' });
    let error = 'The stream ended';
    try {
      await readOnce(open, onEvent, signal);
    } catch (e) {
      if (signal.aborted) return;
      if (final(e)) {
        handlers.onState({ kind: 'stopped', error: errorText(e) });
        return;
      }
      error = errorText(e);
    }
    if (signal.aborted) return;
    handlers.onState({ kind: 'waiting', retryAt: Date.now() + delay, error });
    await sleep(delay, signal);
    delay = Math.min(delay * 2, BACKOFF_MAX_MS);
  }
}

/** One connection, read to its end; throws when it fails or falls silent. */
async function readOnce(open: (signal: AbortSignal) => Promise<Response>, onEvent: (event: SseEvent) => void, outer: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  outer.addEventListener('abort', abort);
  let silent = false;
  let timer = 0;
  const watch = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      silent = true;
      controller.abort();
    }, SILENCE_MS);
  };
  try {
    watch();
    const res = await open(controller.signal);
    if (!res.body) throw new Error('This browser cannot read a streamed response');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      watch();
      for (const event of parser.feed(value)) onEvent(event);
    }
  } catch (e) {
    throw silent ? new Error('The server stopped answering') : e;
  } finally {
    window.clearTimeout(timer);
    outer.removeEventListener('abort', abort);
    controller.abort();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      window.clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = window.setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
