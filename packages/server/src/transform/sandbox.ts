import type { QuickJSWASMModule } from 'quickjs-emscripten';
import { loadCappedModule } from './capped-memory.ts';
import { SandboxRun, TransformFailure, stackReason, type TransformLimits } from './sandbox-run.ts';
import type { TransformedWebhook, WebhookShape } from './webhook-shape.ts';

/**
 * Runs a webhook transformation (Svix's contract: the code declares `function handler(webhook)` and returns the
 * webhook, changed) in QuickJS compiled to WebAssembly: the code sees the ECMAScript built-ins and nothing of Node.
 * Every run gets a fresh QuickJS runtime and context, so runs never share state; only the WebAssembly module is
 * shared, loaded once.
 *
 * The limits hold inside the interpreter: a long run is interrupted, an allocation past the memory limit fails, deep
 * recursion stops at the stack size. What they cannot bound is a single built-in call that never polls for the
 * interrupt (`Array(2 ** 32 - 1).indexOf(1)` runs for minutes), and a few deep native recursions (the parser's)
 * exhaust the thread's own stack before QuickJS checks its own. So transformations coming from users run through
 * ThreadedSandbox, which holds this class in a worker thread and ends the thread when a run outlives its limit.
 */

export type { TransformLimits };

/** `reason`: one sentence for the attempt log. */
type TransformResult = ({ ok: true } & TransformedWebhook) | { ok: false; reason: string };
export type TransformOutcome = TransformResult & { durationMs: number };

export class TransformSandbox {
  /**
   * True once a run failed in the WebAssembly module itself rather than in QuickJS (the thread's stack ran out inside
   * it): the module's memory may be left mid-change, so it is not used again and a new sandbox must be loaded.
   */
  broken = false;

  private constructor(
    private readonly module: QuickJSWASMModule,
    readonly limits: TransformLimits,
  ) {}

  /**
   * Loads and compiles the WebAssembly module: this sandbox's own, in a memory capped from the limit, so nothing else
   * in the process shares its heap and no run can grow it without bound.
   */
  static async load(limits: TransformLimits): Promise<TransformSandbox> {
    return new TransformSandbox(await loadCappedModule(limits.memoryBytes), limits);
  }

  run(code: string, webhook: WebhookShape): TransformOutcome {
    if (this.broken) throw new Error('this TransformSandbox broke in an earlier run; load a new one');
    const started = performance.now();
    const ended = (): number => Math.round((performance.now() - started) * 100) / 100;
    try {
      const run = new SandboxRun(this.module, this.limits);
      let result: TransformResult;
      try {
        result = { ok: true, ...run.transform(code, webhook) };
      } catch (err) {
        if (!(err instanceof TransformFailure)) throw err;
        result = { ok: false, reason: err.message };
      }
      run.dispose();
      return { ...result, durationMs: ended() };
    } catch (err) {
      // Thrown by the WebAssembly module, not by QuickJS: its state is not to be trusted, so nothing is disposed.
      this.broken = true;
      // A RangeError is V8's: the thread's native stack ran out inside QuickJS before QuickJS's own check fired.
      const reason = err instanceof RangeError ? stackReason : `the sandbox failed while running the transformation (${String(err).slice(0, 300)})`;
      return { ok: false, reason, durationMs: ended() };
    }
  }
}
