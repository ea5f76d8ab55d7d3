import type { Sampler } from '@opentelemetry/sdk-trace-node';
import type { TracingEnv } from '@kombo-sync/config';

/** The OTel settings main.ts read (`tracingEnv`), with the collector's base URL set. */
export type TracingSettings = TracingEnv & { OTEL_EXPORTER_OTLP_ENDPOINT: string };

/**
 * Starts the OpenTelemetry SDK for this process: spans batched to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces` over
 * OTLP/HTTP, AsyncLocalStorage context, registered as the API's global tracer provider. The SDK is imported here,
 * dynamically (the bundle keeps it so): a process without an endpoint never loads it, and every span it makes is
 * the API's no-op one. Returns the flush-and-stop for shutdown.
 */
export async function startTracing(
  settings: TracingSettings,
  defaultServiceName: string,
): Promise<() => Promise<void>> {
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, sdk] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const ratio = settings.OTEL_TRACES_SAMPLER_ARG;
  const name = settings.OTEL_TRACES_SAMPLER;
  const root: Sampler = name.endsWith('always_off')
    ? new sdk.AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new sdk.TraceIdRatioBasedSampler(ratio)
      : new sdk.AlwaysOnSampler();
  const provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.OTEL_SERVICE_NAME ?? defaultServiceName }),
    sampler: name.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root }) : root,
    spanProcessors: [
      new sdk.BatchSpanProcessor(
        new OTLPTraceExporter({
          url: `${settings.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`,
          ...(settings.OTEL_EXPORTER_OTLP_HEADERS ? { headers: settings.OTEL_EXPORTER_OTLP_HEADERS } : {}),
        }),
      ),
    ],
  });
  provider.register();
  return () => provider.shutdown();
}
