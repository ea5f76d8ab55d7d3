import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { ModelName } from '@kombo-sync/catalog';
import type { ModelSummary } from './types.js';

/**
 * Runs one model's pass inside a `sync model` span (the parent of its page fetches and writes) and records its
 * outcome and counts on it: ids, counts and codes only, never record data.
 */
export function traceModel(
  tracer: Tracer,
  { integrationId, runId, model }: { integrationId: string; runId: number; model: ModelName },
  pass: () => Promise<ModelSummary>,
): Promise<ModelSummary> {
  const attributes = {
    'kombo_sync.integration_id': integrationId,
    'kombo_sync.run_id': runId,
    'kombo_sync.model': model,
  };
  return tracer.startActiveSpan('sync model', { attributes }, async (span) => {
    try {
      const summary = await pass();
      if (span.isRecording()) {
        span.setAttributes({
          'kombo_sync.model.status': summary.status,
          'kombo_sync.model.full_pass': summary.isFullPass,
          'kombo_sync.pages': summary.pages,
          'kombo_sync.records': summary.records,
          'kombo_sync.records.upserted': summary.upserted,
          'kombo_sync.records.unchanged': summary.unchanged,
          'kombo_sync.records.deleted': summary.deleted,
          'kombo_sync.records.quarantined': summary.quarantined,
        });
        if (summary.error) span.setAttribute('kombo_sync.error.code', summary.error.code);
        if (summary.status === 'failed')
          span.setStatus({ code: SpanStatusCode.ERROR, message: summary.error?.code ?? 'failed' });
      }
      return summary;
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}
