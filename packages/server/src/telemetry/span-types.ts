/** The shapes of Herald's tracing seam, apart from its loader (tracing.ts) so the OpenTelemetry side (otel.ts) can
 * name them without importing the module that loads it. */

export type SpanKind = 'server' | 'client' | 'producer' | 'internal';
export type SpanAttributes = Record<string, string | number | boolean>;

/** A span being recorded. */
export interface SpanHandle {
  /** This span as a W3C traceparent value: how a span in another process, or hours later, names it as its parent. */
  readonly traceparent: string;
  setAttributes(attributes: SpanAttributes): void;
  /** Ends the span; with `error` it is marked failed, with that description. */
  end(error?: string): void;
}

/**
 * Herald's view of tracing, so nothing outside src/telemetry loads OpenTelemetry: the SDK is imported only when an
 * OTLP endpoint is configured, and without one every `start` is a call that returns null.
 */
export interface Tracing {
  /** False for NO_TRACING: callers skip building a span's attributes at all. */
  readonly enabled: boolean;
  /**
   * Starts a span. `parent` is a span of this process, a traceparent value (stored with a message, or sent by an API
   * client), or nothing for a new trace; an invalid traceparent starts a new trace. Null when tracing is off.
   */
  start(name: string, kind: SpanKind, parent: SpanHandle | string | null | undefined, attributes: SpanAttributes): SpanHandle | null;
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}
