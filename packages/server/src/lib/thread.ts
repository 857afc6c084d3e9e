import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { isCompiled } from './layout.ts';

/**
 * The entry point of the thread module `name` beside `from` (the caller's import.meta.url), in the caller's layout:
 * `name.js` beside a compiled module, `name.ts` beside a source one.
 */
export const threadEntry = (from: string, name: string): URL => new URL(`./${name}${isCompiled(from) ? '.js' : '.ts'}`, from);

/**
 * Starts a worker thread from the module `name` beside `from`. A compiled entry starts with plain node. A source
 * entry needs tsx, and a worker inherits execArgv, not the `register()` bin/herald.js made, so such a thread
 * registers tsx itself, with tsx's require hook: loading through ESM loader hooks would put a second hooks thread
 * behind each thread, and on Node 20 a thread loading that way hung for good once under load.
 */
export function startThreadBeside(from: string, name: string, options: WorkerOptions): Worker {
  const entry = threadEntry(from, name);
  if (isCompiled(entry.href)) return new Worker(entry, options);
  const tsx = fileURLToPath(import.meta.resolve('tsx/cjs/api'));
  const boot = `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(fileURLToPath(entry))});\n`;
  return new Worker(boot, { ...options, eval: true, execArgv: [] });
}
