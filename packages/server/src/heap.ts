import v8 from 'node:v8';

/**
 * How far V8 lets the heap grow past what survived the last full collection before it collects again, in percent
 * (0: V8's own factor). A delivery's objects live for the length of its request, long enough to be promoted, and die
 * in the old generation; under load V8's own factor (up to 4x the live size) lets that garbage pile up until the
 * process holds several times the memory it uses. The flag is read at every full collection, so setting it once
 * the process runs takes effect, for every thread (V8's flags are per process).
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
