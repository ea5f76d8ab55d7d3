import { describe, expect, it } from '@jest/globals';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import {
  contextWithTraceparent,
  isSampledTraceparent,
  spanContextOfTraceparent,
  traceparentOf,
} from './trace-context.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

describe('traceparent', () => {
  it('is absent without a valid span (no SDK: the no-op tracer)', () => {
    expect(traceparentOf(ROOT_CONTEXT)).toBeUndefined();
    const noop = trace.getTracer('test').startSpan('x');
    expect(traceparentOf(trace.setSpan(ROOT_CONTEXT, noop))).toBeUndefined();
  });

  it('round-trips a span context, flags included', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
    });
    const traceparent = traceparentOf(ctx);
    expect(traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(isSampledTraceparent(traceparent as string)).toBe(true);
    expect(spanContextOfTraceparent(traceparent)).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(trace.getSpanContext(contextWithTraceparent(traceparent, ROOT_CONTEXT))?.spanId).toBe(SPAN_ID);
  });

  it('ignores malformed, all-zero and unsampled values where it must', () => {
    for (const bad of [
      undefined,
      '',
      'garbage',
      `01-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
    ])
      expect(spanContextOfTraceparent(bad)).toBeUndefined();
    expect(contextWithTraceparent('garbage', ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    expect(isSampledTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)).toBe(false);
  });
});
