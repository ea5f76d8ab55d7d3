import {
  context,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';

/** A W3C `traceparent`: version 00, 32 hex trace id, 16 hex span id, 2 hex flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C `traceparent` of the span active in `ctx` (default: the active context), or undefined when there is
 * none. Without a tracing SDK every span is the no-op one, whose context is invalid, so nothing is carried. Only
 * the `traceparent` travels through Redis (about 55 bytes): `tracestate` is left out on purpose to keep the job
 * data and the intent small.
 */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** Whether a `traceparent` carries the sampled flag (only sampled contexts are worth a span link). */
export function isSampledTraceparent(traceparent: string): boolean {
  const flags = TRACEPARENT.exec(traceparent)?.[3];
  return flags !== undefined && (Number.parseInt(flags, 16) & TraceFlags.SAMPLED) !== 0;
}

/** The remote span context a `traceparent` names, or undefined when it is malformed or all zeros. */
export function spanContextOfTraceparent(traceparent: string | undefined): SpanContext | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const spanContext: SpanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16),
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** `parent` (default: the active context) with the span `traceparent` names as its remote parent, if valid. */
export function contextWithTraceparent(
  traceparent: string | undefined,
  parent: Context = context.active(),
): Context {
  const spanContext = spanContextOfTraceparent(traceparent);
  return spanContext ? trace.setSpanContext(parent, spanContext) : parent;
}
