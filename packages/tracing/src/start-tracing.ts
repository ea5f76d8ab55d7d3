import { setTimeout as delay } from 'node:timers/promises';
import type { Sampler } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from '@kombo-sync/config';

/**
 * Longest the shutdown waits for the last spans to reach the collector, ms: an unreachable collector would hold it
 * for the exporter's own timeout and retries (about 10 s); spans still unsent then are dropped.
 */
export const TRACING_FLUSH_TIMEOUT_MS = 2_000;

/**
 * Starts the OpenTelemetry SDK for this process when `config.otlpEndpoint` (OTEL_EXPORTER_OTLP_ENDPOINT) is set:
 * spans batched to `<endpoint>/v1/traces` over OTLP/HTTP, AsyncLocalStorage context, registered as the API's global
 * tracer provider. The SDK is imported here, dynamically (the bundle keeps it so): a process without an endpoint
 * never loads it, and every span it makes is the API's no-op one. Returns the flush-and-stop for shutdown (bounded by
 * {@link TRACING_FLUSH_TIMEOUT_MS}), or undefined when tracing is off.
 */
export async function startTracing(
  config: TracingConfig,
  defaultServiceName: string,
): Promise<(() => Promise<void>) | undefined> {
  const endpoint = config.otlpEndpoint;
  if (endpoint === undefined) return undefined;
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, sdk] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const ratio = config.tracesSamplerArg;
  const name = config.tracesSampler;
  const root: Sampler = name.endsWith('always_off')
    ? new sdk.AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new sdk.TraceIdRatioBasedSampler(ratio)
      : new sdk.AlwaysOnSampler();
  const provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName ?? defaultServiceName }),
    sampler: name.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root }) : root,
    spanProcessors: [
      new sdk.BatchSpanProcessor(
        new OTLPTraceExporter({
          url: `${endpoint.replace(/\/+$/, '')}/v1/traces`,
          ...(config.otlpHeaders ? { headers: config.otlpHeaders } : {}),
        }),
      ),
    ],
  });
  provider.register();
  return () =>
    Promise.race([
      provider.shutdown(),
      delay(TRACING_FLUSH_TIMEOUT_MS, undefined, { ref: false }).then(() => {
        throw new Error(
          `spans not flushed within ${TRACING_FLUSH_TIMEOUT_MS} ms: the collector did not answer`,
        );
      }),
    ]);
}
