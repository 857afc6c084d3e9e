import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';

/**
 * The QuickJS module behind a sandbox, in a WebAssembly memory that cannot grow past a cap.
 *
 * QuickJS's own memory limit (`setMemoryLimit`) refuses the allocations it counts, but in quickjs-emscripten 0.32 it
 * does not count the large blocks behind long strings and typed arrays (upstream issues #255 and #271): a run that
 * keeps many 1 MB strings would grow the module's memory to its 2 GB maximum. A memory with a small `maximum` turns
 * that into a failed allocation inside QuickJS, which it reports as "out of memory". The package builds its memory
 * this way only when handed one, so the version is pinned (`~0.32.0`) and the test of the memory bomb guards it.
 */

const PAGE_BYTES = 64 * 1024;
/** What the module itself takes before any run: its data, its stack and the allocator's start (Emscripten's default). */
const MODULE_BASE_BYTES = 16 * 1024 * 1024;
/**
 * Room above the run's limit: QuickJS's runtime and built-ins, the headroom for reading an error, and what the
 * allocator keeps from earlier runs (the memory never shrinks, so freed blocks are reused, not returned).
 */
const SLACK_BYTES = 16 * 1024 * 1024;

export function cappedMemoryBytes(memoryLimitBytes: number): number {
  return MODULE_BASE_BYTES + 2 * memoryLimitBytes + SLACK_BYTES;
}

export async function loadCappedModule(memoryLimitBytes: number): Promise<QuickJSWASMModule> {
  const memory = new WebAssembly.Memory({
    initial: MODULE_BASE_BYTES / PAGE_BYTES,
    maximum: Math.ceil(cappedMemoryBytes(memoryLimitBytes) / PAGE_BYTES),
  });
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: memory }));
}
