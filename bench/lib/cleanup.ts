import { say } from './util.ts';

/**
 * Everything the bench starts (Herald and relay processes, receivers, temp dirs, PostgreSQL schemas) registers how
 * to undo it here, so it is undone whatever happens: at the end of each scenario, on an error, or on Ctrl-C.
 */
const pending = new Set<() => Promise<void>>();

/** Registers an undo step; returns a function that runs it (once) and forgets it. */
export function onCleanup(what: string, undo: () => Promise<void> | void): () => Promise<void> {
  let done: Promise<void> | null = null;
  const run = (): Promise<void> => {
    if (!done) {
      pending.delete(run);
      done = Promise.resolve()
        .then(undo)
        .catch((err: unknown) => say('cleanup', `${what}: ${(err as Error).message}`));
    }
    return done;
  };
  pending.add(run);
  return run;
}

/** Runs every undo step still registered. */
export async function cleanupAll(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending].map((run) => run()));
}

export function cleanupOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say('bench', `${signal}: cleaning up`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}
