import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Span,
} from '@opentelemetry/api';
import {
  contextWithTraceparent,
  spanContextOfTraceparent,
  traceparentOf,
  type Intent,
  type SyncLane,
} from '@kombo-sync/queue';
import {
  runIntegrationSync,
  type RunIntegrationSyncDeps,
  type RunIntegrationSyncInput,
  type RunSummary,
  type SyncStore,
} from '@kombo-sync/sync';
import { DelayedError, type Job } from 'bullmq';

/*
 * The worker's spans: `process <queue>` per job (continuing the trace of the request that added it), `sync run`
 * (linked to every request the run's intent merged) and `write page`. The engine adds `sync model` and the Kombo
 * client `fetch page`. The API's global tracer: a no-op unless main.ts started the SDK (OTEL_EXPORTER_OTLP_ENDPOINT).
 * Attributes hold ids, counts and codes only: never API keys, signatures, bodies or records.
 */
const tracer = trace.getTracer('@kombo-sync/worker');

/** Ends `span` after `work`: attributes from its result, or an error status naming only the error's code/class. */
async function endSpan<T>(
  span: Span,
  work: () => Promise<T>,
  attributesOf: (result: T) => Attributes,
): Promise<T> {
  try {
    const result = await work();
    if (span.isRecording()) span.setAttributes(attributesOf(result));
    return result;
  } catch (err) {
    if (err instanceof DelayedError) span.setAttribute('kombo_sync.job.outcome', 'delayed');
    else span.setStatus({ code: SpanStatusCode.ERROR, message: errorCodeOf(err) });
    throw err;
  } finally {
    span.end();
  }
}

function errorCodeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'error';
}

/**
 * Runs a `sync` job inside a `process <queue>` consumer span whose parent is the `traceparent` the job carries (the
 * send span of the request that added it); without one the span starts a trace of its own.
 */
export function traceSyncJob<T>(
  { job, lane, integrationId }: { job: Job; lane: SyncLane; integrationId: string },
  process: () => Promise<T>,
): Promise<T> {
  const traceparent = (job.data as { traceparent?: unknown } | undefined)?.traceparent;
  const parent = contextWithTraceparent(
    typeof traceparent === 'string' ? traceparent : undefined,
    ROOT_CONTEXT,
  );
  const options = {
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': job.queueName,
      ...(job.id === undefined ? {} : { 'messaging.message.id': job.id }),
      'kombo_sync.integration_id': integrationId,
      'kombo_sync.lane': lane,
      'kombo_sync.job.attempt': job.attemptsMade + 1,
    },
  };
  return tracer.startActiveSpan(`process ${job.queueName}`, options, parent, (span) =>
    endSpan(span, process, (result) => {
      const outcome = (result as { outcome?: unknown } | undefined)?.outcome;
      return typeof outcome === 'string' ? { 'kombo_sync.job.outcome': outcome } : {};
    }),
  );
}

/**
 * `runIntegrationSync` inside a `sync run` span linked to the trace of every request the intent merged (one job
 * may carry several webhooks' work), with a `write page` span around each page the store writes.
 */
export function runIntegrationSyncTraced(
  intent: Pick<Intent, 'traceparents'>,
  deps: RunIntegrationSyncDeps,
  input: RunIntegrationSyncInput,
): Promise<RunSummary> {
  const links: Link[] = [];
  for (const traceparent of intent.traceparents ?? []) {
    const context = spanContextOfTraceparent(traceparent);
    if (context) links.push({ context });
  }
  const options = {
    links,
    attributes: {
      'kombo_sync.integration_id': input.integrationId,
      'kombo_sync.run_id': input.runId,
      'kombo_sync.mode': input.mode ?? 'delta',
      'kombo_sync.models': input.models.length,
    },
  };
  return tracer.startActiveSpan('sync run', options, (span) =>
    endSpan(
      span,
      () => runIntegrationSync({ ...deps, store: traceWrites(deps.store) }, input),
      (summary) => {
        if (summary.status !== 'succeeded')
          span.setStatus({ code: SpanStatusCode.ERROR, message: summary.abortError?.code ?? summary.status });
        return {
          'kombo_sync.run.status': summary.status,
          'kombo_sync.pages': summary.totals.pages,
          'kombo_sync.records.upserted': summary.totals.upserted,
          'kombo_sync.records.unchanged': summary.totals.unchanged,
          'kombo_sync.records.deleted': summary.totals.deleted,
        };
      },
    ),
  );
}

/** `store` with a `write page` span around each `writePage` (the page's transaction, handlers and outbox row). */
function traceWrites(store: SyncStore): SyncStore {
  return {
    ...store,
    writePage: (input) =>
      tracer.startActiveSpan(
        'write page',
        {
          attributes: {
            'kombo_sync.integration_id': input.integrationId,
            'kombo_sync.model': input.model,
            'kombo_sync.run_id': input.runId,
            'kombo_sync.page.index': input.pageIndex,
            'kombo_sync.page.records': input.records.length,
            'kombo_sync.page.rejected': input.rejected?.length ?? 0,
          },
        },
        (span) =>
          endSpan(
            span,
            () => store.writePage(input),
            (result) => ({
              'kombo_sync.records.inserted': result.inserted,
              'kombo_sync.records.updated': result.updated,
              'kombo_sync.records.unchanged': result.unchanged,
              'kombo_sync.records.deleted': result.deleted,
              'kombo_sync.records.quarantined': result.quarantined ?? 0,
            }),
          ),
      ),
  };
}

/** The active span's `traceparent` as an `ensureSyncJob` option: the added job's span continues this trace. */
export function traceparentOption(): { traceparent?: string } {
  const traceparent = traceparentOf();
  return traceparent === undefined ? {} : { traceparent };
}
