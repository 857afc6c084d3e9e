import { DiagLogLevel, ROOT_CONTEXT, SpanKind as OtelSpanKind, SpanStatusCode, diag, isSpanContextValid, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/config.ts';
import { VERSION } from '../version.ts';
import type { SpanAttributes, SpanHandle, SpanKind, Tracing } from './span-types.ts';

const KINDS: Record<SpanKind, OtelSpanKind> = {
  server: OtelSpanKind.SERVER,
  client: OtelSpanKind.CLIENT,
  producer: OtelSpanKind.PRODUCER,
  internal: OtelSpanKind.INTERNAL,
};

/** A collector that does not answer must not hold up a shutdown for long. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

class OtelSpan implements SpanHandle {
  private header: string | undefined;

  constructor(readonly span: Span) {}

  get traceparent(): string {
    if (this.header === undefined) {
      const { traceId, spanId, traceFlags } = this.span.spanContext();
      this.header = `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
    }
    return this.header;
  }

  setAttributes(attributes: SpanAttributes): void {
    this.span.setAttributes(attributes);
  }

  end(error?: string): void {
    if (error !== undefined) this.span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    this.span.end();
  }
}

function parentContext(parent: SpanHandle | string | null | undefined): Context {
  if (!parent) return ROOT_CONTEXT;
  if (parent instanceof OtelSpan) return trace.setSpan(ROOT_CONTEXT, parent.span);
  const parsed = parseTraceParent(String(parent));
  if (!parsed || !isSpanContextValid(parsed)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { ...parsed, isRemote: true });
}

/**
 * The OpenTelemetry SDK, batching spans to an OTLP/HTTP (JSON) endpoint. Spans are parented explicitly rather than
 * through a context manager: Node 20's AsyncLocalStorage slows every promise in the process, tracing or not. The
 * provider is not registered globally, so several Heralds in one process (tests) keep their spans apart. Sampling
 * and batching follow the SDK's own OTEL_TRACES_SAMPLER and OTEL_BSP_* variables, and the exporter reads
 * OTEL_EXPORTER_OTLP_HEADERS for a collector that wants credentials.
 */
export class OtelTracing implements Tracing {
  readonly enabled = true;
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;

  constructor(url: string, config: Pick<HeraldConfig, 'otelServiceName' | 'role'>, log: Logger) {
    // The SDK reports a collector it cannot reach only through its diagnostics logger, which is silent by default.
    const exportLog = log.child({ component: 'tracing' });
    const report = (message: string, ...details: unknown[]) => exportLog.warn(details.length > 0 ? { details } : {}, `tracing: ${message}`);
    diag.setLogger(
      {
        error: report,
        warn: report,
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    this.provider = new BasicTracerProvider({
      resource: defaultResource().merge(resourceFromAttributes({
        'service.name': config.otelServiceName,
        'service.version': VERSION,
        'herald.role': config.role,
      })),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
    });
    this.tracer = this.provider.getTracer('herald', VERSION);
  }

  start(name: string, kind: SpanKind, parent: SpanHandle | string | null | undefined, attributes: SpanAttributes): SpanHandle {
    return new OtelSpan(this.tracer.startSpan(name, { kind: KINDS[kind], attributes }, parentContext(parent)));
  }

  async shutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS)));
    await Promise.race([this.provider.shutdown(), timeout]).finally(() => clearTimeout(timer));
  }
}
