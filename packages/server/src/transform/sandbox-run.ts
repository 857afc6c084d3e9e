import { Scope, type Disposable, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten';
import { readTransformed, type TransformedWebhook, type WebhookShape } from './webhook-shape.ts';

export interface TransformLimits {
  /** Milliseconds a run may take, measured on the wall clock from its start (QuickJS has no CPU clock to offer). */
  cpuMs: number;
  /** Bytes the run's QuickJS heap may hold, its built-ins (under 100 KiB) included. */
  memoryBytes: number;
  /** Bytes of the handler's result as JSON (UTF-8). */
  outputBytes: number;
}

/** A run that ends without a webhook to send; its message is the reason for the attempt log. */
export class TransformFailure extends Error {
  override name = 'TransformFailure';
}

/**
 * QuickJS's own stack limit. Deep enough for any reasonable transformation (thousands of nested calls), and far below
 * the native stack of the thread running it, so QuickJS's check fires first for ordinary recursion.
 */
const STACK_BYTES = 256 * 1024;
/** Reading a failed run's error may allocate; this much beyond the limit lets a run that ran out of memory say so. */
const ERROR_HEADROOM_BYTES = 256 * 1024;
const MESSAGE_CHARS = 500;

export const stackReason = `the transformation nested deeper than its ${STACK_BYTES / 1024} KiB stack allows`;

/**
 * The few functions the host calls inside the sandbox, made before the transformation's code runs, so what that code
 * does to the built-ins (JSON.stringify replaced, String.prototype.slice poisoned) cannot change how its input is
 * read or its result written. None of them is reachable from the transformation's code.
 */
const TOOLS = `(function (JSON, parse, stringify, apply, slice) {
  function cut(text) { return apply(slice, text, [0, ${MESSAGE_CHARS}]); }
  function describe(thrown) {
    if (typeof thrown === 'string') return cut(thrown);
    if (typeof thrown !== 'object' || thrown === null) return typeof thrown === 'symbol' ? 'a symbol' : '' + thrown;
    var name = thrown.name, message = thrown.message;
    name = typeof name === 'string' ? cut(name) : '';
    message = typeof message === 'string' ? cut(message) : '';
    return name && message ? name + ': ' + message : name || message || 'an object that is not an Error';
  }
  return [function (text) { return apply(parse, JSON, [text]); }, function (value) { return apply(stringify, JSON, [value]); }, describe];
})(JSON, JSON.parse, JSON.stringify, Reflect.apply, String.prototype.slice)`;

/**
 * One run: a fresh QuickJS runtime and context with the limits set, and every handle it takes, disposed together.
 * Each step that can fail throws a TransformFailure saying why in one sentence.
 */
export class SandboxRun {
  private readonly runtime: QuickJSRuntime;
  private readonly context: QuickJSContext;
  private readonly scope = new Scope();
  /** Set once the interrupt handler has stopped the code: from then on every call into the context fails. */
  private interrupted = false;
  /**
   * When the code's time is up: set as the transformation's own code starts, so the making of the context and the
   * host's tools (slow on a busy machine) never count against it.
   */
  private deadline = Number.POSITIVE_INFINITY;

  constructor(module: QuickJSWASMModule, private readonly limits: TransformLimits) {
    this.runtime = module.newRuntime();
    // The deadline is on the wall clock: QuickJS asks this handler every few thousand instructions, and a run is
    // synchronous, so wall time is the run's CPU time unless the machine is overloaded.
    this.runtime.setInterruptHandler(() => (this.interrupted ||= performance.now() > this.deadline));
    this.runtime.setMaxStackSize(STACK_BYTES);
    this.context = this.runtime.newContext();
    // Set once the context exists, so a small limit fails the transformation, not the making of its context.
    this.runtime.setMemoryLimit(limits.memoryBytes);
  }

  transform(code: string, input: WebhookShape): TransformedWebhook {
    const [parse, stringify, describe] = this.tools();
    const webhook = this.call(parse, describe, 'the webhook could not be handed to the transformation', this.manage(this.context.newString(JSON.stringify(input))));
    this.deadline = performance.now() + this.limits.cpuMs;
    this.evaluate(code, describe);
    const handler = this.manage(this.unwrap(this.context.evalCode(`typeof handler === 'function' ? handler : undefined`, 'herald.js', { type: 'global' }), describe, 'the handler could not be found'));
    if (this.context.typeof(handler) !== 'function') throw new TransformFailure('the transformation does not declare function handler(webhook)');
    const result = this.call(handler, describe, 'the handler threw', webhook);
    this.refuseNonObject(result);
    const json = this.call(stringify, describe, "the handler's result could not be turned into JSON", result);
    if (this.context.typeof(json) !== 'string') throw new TransformFailure("the handler's result turned into no JSON at all (a toJSON returned undefined?)");
    const transformed = readTransformed(JSON.parse(this.readOutput(json)), input);
    if (typeof transformed === 'string') throw new TransformFailure(transformed);
    return transformed;
  }

  dispose(): void {
    this.scope.dispose();
    this.context.dispose();
    this.runtime.dispose();
  }

  private tools(): [parse: QuickJSHandle, stringify: QuickJSHandle, describe: QuickJSHandle] {
    const tools = this.manage(this.context.unwrapResult(this.context.evalCode(TOOLS, 'herald.js', { type: 'global' })));
    return [this.manage(this.context.getProp(tools, 0)), this.manage(this.context.getProp(tools, 1)), this.manage(this.context.getProp(tools, 2))];
  }

  private evaluate(code: string, describe: QuickJSHandle): void {
    const evaluated = this.context.evalCode(code, 'transformation.js', { type: 'global' });
    if (!evaluated.error) return evaluated.value.dispose();
    this.manage(evaluated.error);
    const text = this.failureText(evaluated.error, describe);
    throw new TransformFailure(text.startsWith('SyntaxError: ')
      ? `the transformation has a syntax error: ${text.slice('SyntaxError: '.length)}`
      : this.reasonFor(text, 'the transformation threw while loading'));
  }

  /** Calls `fn` in the sandbox; a throw becomes a TransformFailure, named after its limit when it hit one. */
  private call(fn: QuickJSHandle, describe: QuickJSHandle, failing: string, ...args: QuickJSHandle[]): QuickJSHandle {
    return this.manage(this.unwrap(this.context.callFunction(fn, this.context.undefined, ...args), describe, failing));
  }

  private unwrap(result: ReturnType<QuickJSContext['evalCode']>, describe: QuickJSHandle, failing: string): QuickJSHandle {
    if (!result.error) return result.value;
    this.manage(result.error);
    throw new TransformFailure(this.reasonFor(this.failureText(result.error, describe), failing));
  }

  /** What the code threw, as `Name: message` (truncated); read with some memory to spare, so running out can be told. */
  private failureText(thrown: QuickJSHandle, describe: QuickJSHandle): string {
    if (this.interrupted) return '';
    this.runtime.setMemoryLimit(this.limits.memoryBytes + ERROR_HEADROOM_BYTES);
    const described = this.context.callFunction(describe, this.context.undefined, thrown);
    this.manage(described);
    return described.error ? 'an error that could not be read' : this.context.getString(described.value);
  }

  private reasonFor(text: string, failing: string): string {
    if (this.interrupted) return `the transformation ran longer than its ${this.limits.cpuMs} ms CPU limit`;
    if (text === 'InternalError: out of memory') return `the transformation used more than its ${formatBytes(this.limits.memoryBytes)} memory limit`;
    // The parser reports running out of stack as a SyntaxError (JSON.parse, eval), the interpreter as an InternalError.
    if (text === 'InternalError: stack overflow' || text === 'SyntaxError: stack overflow') return stackReason;
    return `${failing}: ${text}`;
  }

  /** A primitive or a promise is refused before any JSON is made of it: the reason can say what it was. */
  private refuseNonObject(result: QuickJSHandle): void {
    const type = this.context.typeof(result);
    if (type !== 'object') throw new TransformFailure(`the handler returned ${type === 'undefined' ? 'undefined' : `a ${type}`}, not the webhook object`);
    const state = this.context.getPromiseState(result);
    if (state.type === 'fulfilled' && state.notAPromise) return;
    if (state.type === 'fulfilled') state.value.dispose();
    if (state.type === 'rejected') state.error.dispose();
    throw new TransformFailure('the handler returned a Promise; it must return the webhook object itself (an async handler is not supported)');
  }

  /**
   * The result's JSON text, once its size is known to be within the limit. A string's length in UTF-16 units is at
   * most its UTF-8 size, so a result too long is refused before it is copied out of the sandbox.
   */
  private readOutput(json: QuickJSHandle): string {
    const tooLarge = `the handler's result is larger than its ${formatBytes(this.limits.outputBytes)} output limit`;
    if ((this.context.getLength(json) ?? 0) > this.limits.outputBytes) throw new TransformFailure(tooLarge);
    const text = this.context.getString(json);
    if (Buffer.byteLength(text) > this.limits.outputBytes) throw new TransformFailure(tooLarge);
    return text;
  }

  private manage<T extends Disposable>(disposable: T): T {
    return this.scope.manage(disposable);
  }
}

/** 1048576 -> "1 MiB", 1536 -> "1.5 KiB", 100 -> "100 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}
