import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/config.ts';
import type { SpanAttributes, SpanHandle, SpanKind, Tracing } from './span-types.ts';

export type { SpanAttributes, SpanHandle, SpanKind, Tracing };

export const NO_TRACING: Tracing = {
  enabled: false,
  start: () => null,
  shutdown: async () => {},
};

/**
 * Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else OTEL_EXPORTER_OTLP_ENDPOINT with the signal's
 * path appended (as the OpenTelemetry specification says); undefined when neither is set.
 */
export function tracesUrl(config: Pick<HeraldConfig, 'otlpEndpoint' | 'otlpTracesEndpoint'>): string | undefined {
  if (config.otlpTracesEndpoint) return config.otlpTracesEndpoint;
  if (!config.otlpEndpoint) return undefined;
  return `${config.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** Tracing as configured: the OpenTelemetry SDK exporting over OTLP/HTTP, or NO_TRACING when no endpoint is set. */
export async function startTracing(config: HeraldConfig, log: Logger): Promise<Tracing> {
  const url = tracesUrl(config);
  if (!url) return NO_TRACING;
  const { OtelTracing } = await import('./otel.ts');
  log.info({ url, serviceName: config.otelServiceName }, 'exporting traces over OTLP/HTTP');
  return new OtelTracing(url, config, log);
}
