/**
 * The one harness for tests that run against a Herald: inside a describe (or at a file's top level), useTestServer()
 * starts a test Herald (and, when asked, a webhook receiver and a framing site) before the tests and closes
 * everything after them, in the reverse order it was opened. Other harnesses (the browser's) and the tests themselves
 * add what they open with onCleanup(), so no test file repeats the before/after pair.
 */
import { after, before } from 'node:test';
import { Framer } from './framer.ts';
import { api, startTestHerald } from './herald.ts';
import { Receiver } from './receiver.ts';

export type Herald = Awaited<ReturnType<typeof startTestHerald>>;

export interface TestServerOptions {
  /** Herald's environment on top of the test defaults. */
  env?: Record<string, string>;
  /** Also start a webhook receiver (server.receiver). */
  receiver?: boolean;
  /** Also start a site that frames Herald's pages (server.framer), whose localhost origin may frame the portal. */
  framer?: boolean;
}

export interface TestServer {
  /** The running Herald (from the first before() hook on). */
  readonly herald: Herald;
  /** The webhook receiver, when asked for. */
  readonly receiver: Receiver;
  /** The framing site, when asked for. */
  readonly framer: Framer;
  /** Calls Herald's API as the admin. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): ReturnType<typeof api>;
  /** Something to close once the tests are done: closed before what was opened earlier (Herald last). */
  onCleanup(close: () => unknown): void;
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not started: use it from a hook or test, and ask for it in useTestServer()`);
  return value;
}

/**
 * `setup`, when given, runs in the same hook once everything is up (seed data there): at a file's top level Node 20
 * starts each before() hook as it is registered, so a top-level hook of the test file could run before Herald is up.
 */
export function useTestServer(options: TestServerOptions = {}, setup?: (server: TestServer) => Promise<void>): TestServer {
  let herald: Herald | undefined;
  let receiver: Receiver | undefined;
  let framer: Framer | undefined;
  const cleanups: (() => unknown)[] = [];

  before(async () => {
    [receiver, framer] = await Promise.all([
      options.receiver ? Receiver.start() : undefined,
      options.framer ? Framer.start() : undefined,
    ]);
    if (receiver) cleanups.push(() => receiver!.close());
    if (framer) cleanups.push(() => framer!.close());
    const frameAncestors: Record<string, string> = framer ? { HERALD_PORTAL_FRAME_ANCESTORS: `http://localhost:${framer.port}` } : {};
    herald = await startTestHerald({ ...frameAncestors, ...options.env });
    // First in the list, so closed last: what the tests opened against it goes first.
    cleanups.unshift(() => herald!.cleanup());
    await setup?.(server);
  });

  after(async () => {
    const errors: unknown[] = [];
    for (const close of cleanups.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'closing the test server');
  });

  const server: TestServer = {
    get herald() {
      return started(herald, 'Herald');
    },
    get receiver() {
      return started(receiver, 'The receiver');
    },
    get framer() {
      return started(framer, 'The framer');
    },
    call: (method, path, body, headers) => api(started(herald, 'Herald').url, method, path, body, headers),
    onCleanup: (close) => void cleanups.push(close),
  };
  return server;
}
