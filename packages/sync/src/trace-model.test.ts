import { describe, expect, it } from '@jest/globals';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ModelName } from '@kombo-sync/catalog';
import { runTestSync } from './testing/run-test-sync.js';
import { EventLog, FakeSource, FakeStore, makePages, silentLogger } from './testing/fakes.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const EMPLOYEES: ModelName = 'hris_employees';
const GROUPS: ModelName = 'hris_groups';

describe('sync model spans', () => {
  it('one span per model pass with its outcome and counts, through the tracer in the deps', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const events = new EventLog();
    const source = new FakeSource(
      {
        [EMPLOYEES]: { pages: makePages('e', 2, 3, T0) },
        [GROUPS]: { pages: makePages('g', 2, 1, T0), failAt: { page: 2, error: new Error('boom') } },
      },
      events,
    );
    const summary = await runTestSync(
      { source, store: new FakeStore(events), logger: silentLogger, tracer: provider.getTracer('test') },
      { integrationId: 'personio:abc', runId: 7, models: [EMPLOYEES, GROUPS] },
    );
    expect(summary.status).toBe('failed');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['sync model', 'sync model']);
    const of = (model: ModelName) => spans.find((span) => span.attributes['kombo_sync.model'] === model);
    expect(of(EMPLOYEES)?.attributes).toEqual({
      'kombo_sync.integration_id': 'personio:abc',
      'kombo_sync.run_id': 7,
      'kombo_sync.model': EMPLOYEES,
      'kombo_sync.model.status': 'succeeded',
      'kombo_sync.model.full_pass': true,
      'kombo_sync.pages': 2,
      'kombo_sync.records': 6,
      'kombo_sync.records.upserted': 6,
      'kombo_sync.records.unchanged': 0,
      'kombo_sync.records.deleted': 0,
      'kombo_sync.records.quarantined': 0,
    });
    expect(of(EMPLOYEES)?.status.code).toBe(SpanStatusCode.UNSET);
    expect(of(GROUPS)?.attributes).toMatchObject({
      'kombo_sync.model.status': 'failed',
      'kombo_sync.pages': 1,
    });
    expect(of(GROUPS)?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'SYNC.ERROR' });
    // The error's message never reaches the span.
    expect(JSON.stringify(spans.map((span) => [span.attributes, span.status]))).not.toContain('boom');
    await provider.shutdown();
  });
});
