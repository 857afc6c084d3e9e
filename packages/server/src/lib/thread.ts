import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from the module `name` beside `from` (the caller's import.meta.url), with the caller's own
 * extension: `.js` in a compiled build; `.ts` when Herald runs its sources. A worker inherits execArgv, not the
 * `register()` bin/herald.js made, so such a thread registers tsx itself, with tsx's require hook: loading through ESM
 * loader hooks would put a second hooks thread behind each thread, and on Node 20 a thread loading that way hung for
 * good once under load.
 */
export function startThreadBeside(from: string, name: string, options: WorkerOptions): Worker {
  const entry = new URL(`./${name}${path.extname(fileURLToPath(from))}`, from);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsx = fileURLToPath(import.meta.resolve('tsx/cjs/api'));
  const boot = `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(fileURLToPath(entry))});\n`;
  return new Worker(boot, { ...options, eval: true, execArgv: [] });
}
