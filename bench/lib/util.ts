import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/ is two levels down). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between every part of the bench process. */
export const now = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Events per second over a span in milliseconds, rounded; null when the span is empty. */
export function perSecond(count: number, spanMs: number): number | null {
  return spanMs > 0 && count > 0 ? Math.round(count / (spanMs / 1000)) : null;
}

export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Progress lines go to standard error so standard output holds only the report table. */
export function say(scope: string, message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${scope}: ${message}\n`);
}

/** The installed version of a package of the repository (a peer the bench compares against). */
export function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}
