import type { HeraldConfig } from '../config/config.ts';
import type { TransformLimits, TransformOutcome } from './sandbox.ts';
import { ThreadedSandbox } from './threaded-sandbox.ts';
import type { WebhookShape } from './webhook-shape.ts';

/** The limits of every run, from the settings. */
export function transformLimits(config: Pick<HeraldConfig, 'transformCpuMs' | 'transformMemoryMb' | 'transformOutputKb'>): TransformLimits {
  return { cpuMs: config.transformCpuMs, memoryBytes: config.transformMemoryMb * 1024 * 1024, outputBytes: config.transformOutputKb * 1024 };
}

/**
 * The process's transformations, run in one sandbox thread that starts on first use: a Herald none of whose endpoints
 * has a transformation loads no WebAssembly and starts no thread.
 */
export class TransformRunner {
  private sandbox: Promise<ThreadedSandbox> | null = null;

  constructor(private readonly limits: TransformLimits) {}

  /** `owner`: whose code it is (an endpoint's or a source's id), so owners with runs waiting take turns. */
  async run(code: string, webhook: WebhookShape, owner?: string): Promise<TransformOutcome> {
    this.sandbox ??= ThreadedSandbox.start(this.limits);
    let sandbox: ThreadedSandbox;
    try {
      sandbox = await this.sandbox;
    } catch (err) {
      this.sandbox = null; // the next run tries again
      return { ok: false, reason: `the transformation sandbox could not start (${String(err).slice(0, 300)})`, durationMs: 0 };
    }
    return sandbox.run(code, webhook, owner);
  }

  async close(): Promise<void> {
    const starting = this.sandbox;
    this.sandbox = null;
    const sandbox = await starting?.catch(() => null);
    await sandbox?.close();
  }
}
