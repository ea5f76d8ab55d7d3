import { createPgSyncStore } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import type { Metrics } from '@kombo-sync/metrics';
import type { Intent } from '@kombo-sync/queue';
import type { RunSummary } from '@kombo-sync/sync';
import type { SyncPlan } from './decide-plan.js';
import type { HeldLease } from './hold-lease.js';
import type { JobContext } from './job-context.js';
import { createKomboSyncSource } from './kombo-sync-source.js';
import { classifyError } from './map-error.js';
import { pauseCheck } from './pause-check.js';
import { trackProgress } from './track-progress.js';
import { runIntegrationSyncTraced } from './trace-sync.js';

/**
 * The run's Postgres store, fenced by the lease, with the worker's progress tracking around it (which also tells
 * `onPageWritten` of each page).
 */
function trackedStore(
  ctx: JobContext,
  lease: HeldLease,
  log: Logger,
  onPageWritten: (() => void) | undefined,
) {
  const { config, database } = ctx;
  const store = createPgSyncStore({
    database,
    fence: lease.fence,
    shouldWriteChangeOutbox: config.isChangeFeedOn,
    ...(ctx.now ? { now: ctx.now } : {}),
    ...(ctx.handlers ? { handlers: ctx.handlers } : {}),
  });
  return trackProgress(store, {
    database,
    pageSize: config.pageSize,
    logger: log,
    intervalMs: config.progressIntervalMs,
    ...(onPageWritten ? { onPageWritten } : {}),
  });
}

/** What one run of a plan needs besides the job's context. */
export interface RunPlanInput {
  plan: SyncPlan;
  /** The taken intent: the run span links to the trace of each request it merged. */
  intent: Pick<Intent, 'traceparents'>;
  runId: number;
  lease: HeldLease;
  signal: AbortSignal | undefined;
  /** Stops the run at its next page boundary (reason `slice`, …); default never. */
  yieldSignal?: AbortSignal | undefined;
  /** Called after each page transaction that changed rows, besides the context's hook. */
  onPageCommitted?: () => void;
  /** Called after each page written, whether or not it changed rows. */
  onPageWritten?: () => void;
  log: Logger;
}

/**
 * Runs the plan: the sync engine over the Kombo source and a Postgres store whose every transaction checks the
 * lease's fence. `signal` (the shutdown deadline) or the lost lease stops it at once, after the page being written;
 * the worker's shutdown (`ctx.shutdown`), a pause of the integration ({@link pauseCheck}, asked before each Kombo
 * request) or `yieldSignal` (the end of its time slice) makes it yield at its next page boundary, with nothing
 * fetched twice by the run that resumes.
 */
export async function runPlan(ctx: JobContext, run: RunPlanInput): Promise<RunSummary> {
  const { plan, intent, runId, lease, signal, yieldSignal, onPageCommitted, onPageWritten, log } = run;
  const { config } = ctx;
  const stop = signal ? AbortSignal.any([signal, lease.lost]) : lease.lost;
  // The first of them to abort gives the run's yield its reason (shutdown or slice).
  const yieldOn = [ctx.shutdown, yieldSignal].filter((s): s is AbortSignal => s !== undefined);
  const progress = trackedStore(ctx, lease, log, onPageWritten);
  const summary = await runIntegrationSyncTraced(
    intent,
    {
      source: createKomboSyncSource(ctx.kombo, {
        pageSize: config.pageSize,
        shouldStripRemoteData: !config.shouldStoreRemoteData,
      }),
      store: progress.store,
      logger: log,
      classifyError,
      shouldYield: pauseCheck(ctx, lease.fence.integrationId, log),
      onChangesCommitted: () => {
        onPageCommitted?.();
        ctx.onPageCommitted?.();
      },
    },
    {
      integrationId: lease.fence.integrationId,
      runId,
      models: plan.models,
      mode: plan.mode,
      ...(plan.fullModels ? { fullModels: plan.fullModels } : {}),
      overlapMs: config.overlapMs,
      concurrency: config.concurrencyPerIntegration,
      passCursorMaxAgeMs: config.passCursorMaxAgeMs,
      signal: stop,
      ...(yieldOn.length > 0 ? { yieldSignal: AbortSignal.any(yieldOn) } : {}),
    },
  );
  await progress.settle();
  recordMetrics(ctx.metrics, summary);
  return summary;
}

function recordMetrics(metrics: Metrics | undefined, summary: RunSummary): void {
  if (!metrics) return;
  for (const model of summary.models) {
    if (model.upserted > 0)
      metrics.recordsWritten.inc({ model: model.model, outcome: 'upserted' }, model.upserted);
    if (model.unchanged > 0)
      metrics.recordsWritten.inc({ model: model.model, outcome: 'unchanged' }, model.unchanged);
    if (model.deleted > 0)
      metrics.recordsWritten.inc({ model: model.model, outcome: 'deleted' }, model.deleted);
    if (model.quarantined > 0)
      metrics.recordsWritten.inc({ model: model.model, outcome: 'quarantined' }, model.quarantined);
  }
}
