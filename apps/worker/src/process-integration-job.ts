import {
  boundText,
  finishRun,
  setIntegrationState,
  startRun,
  toSafeStoreError,
  upsertIntegration,
} from '@kombo-sync/db';
import { KomboError } from '@kombo-sync/kombo';
import type { Metrics } from '@kombo-sync/metrics';
import { completeIntent, removeSchedules, syncJobDataSchema, takeIntent } from '@kombo-sync/queue';
import { runIntegrationSync, type RunSummary } from '@kombo-sync/sync';
import { DelayedError, type Job } from 'bullmq';
import { createKomboSyncSource } from './kombo-sync-source.js';
import { classifyError, decideOnError, errorCode, throwForDecision } from './map-error.js';
import type { SyncWorkerDeps } from './create-sync-worker.js';
import { createPgSyncStore } from './pg-sync-store.js';
import { planSync } from './plan-sync.js';
import { DEFAULT_INTEGRATION_DELAY_FALLBACK_MS, DEFAULT_RATE_LIMIT_FALLBACK_MS } from './worker-config.js';

/** What a job needs: the worker's dependencies, plus a hook the worker sets. */
export interface JobContext extends SyncWorkerDeps {
  /** Called after each committed page (kicks the change outbox relay). */
  onPageCommitted?: () => void;
}

/** What a `sync` job did, returned as the job's result (visible in Bull Board). */
export type JobResult =
  | { outcome: 'nothing-to-do' }
  | { outcome: 'no-sync'; reason: string }
  | { outcome: 'synced'; runId: number; mode: RunSummary['mode']; totals: RunSummary['totals'] }
  | { outcome: 'integration-state'; state: string; runId?: number };

/** Thrown when some models failed: the job retries (attempts with backoff); the run is recorded failed. */
export class SyncRunFailedError extends Error {
  readonly code = 'SYNC.RUN_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'SyncRunFailedError';
  }
}

/**
 * The failed models with their codes and reasons, ≤ 2 KB in all: stored in sync_runs.error and the job's
 * failedReason. Each reason is already safe (store errors went through toSafeStoreError in the store, Kombo errors
 * carry no data); the per-model share keeps one long reason from hiding the other models.
 */
function failureText(summary: RunSummary): string {
  const failed = summary.models.filter((model) => model.status === 'failed');
  const share = Math.max(200, Math.floor(1_800 / Math.max(1, failed.length)));
  return boundText(
    failed
      .map((model) =>
        boundText(
          `${model.model}: ${model.error?.code ?? 'SYNC.ERROR'}: ${model.error?.message ?? ''}`,
          share,
        ),
      )
      .join('; '),
    1_900,
  );
}

/** Kombo's errors as they are (safe by construction, with status and log URL); any other error in its safe form. */
function safeError(error: unknown): unknown {
  return error instanceof KomboError ? error : toSafeStoreError(error);
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
    if (model.watermark) {
      const lagSeconds = Math.max(0, (Date.now() - model.watermark.getTime()) / 1000);
      metrics.watermarkLagSeconds.set(
        { integration_id: summary.integrationId, model: model.model },
        lagSeconds,
      );
    }
  }
}

/**
 * Processes one coalesced `sync` job: takes the integration's intent, applies its lifecycle parts, runs the sync
 * engine and maps the outcome to BullMQ (see map-error.ts). `signal` aborts on shutdown: the run stops after the
 * page being written and the job is handed back without using an attempt.
 */
export async function processIntegrationJob(
  ctx: JobContext,
  job: Job,
  token: string | undefined,
  signal: AbortSignal | undefined,
): Promise<JobResult> {
  const { integrationId, requestId } = syncJobDataSchema.parse(job.data);
  const { config, database, redis } = ctx;
  const prefix = config.queuePrefix;
  const intent = await takeIntent(redis, prefix, integrationId);
  if (!intent) return { outcome: 'nothing-to-do' };
  const log = ctx.logger.child({
    jobId: job.id,
    integrationId,
    requestId: intent.requestIds.at(-1) ?? requestId,
  });
  const delays = {
    rateLimitFallbackMs: config.rateLimitFallbackMs ?? DEFAULT_RATE_LIMIT_FALLBACK_MS,
    integrationDelayFallbackMs: config.integrationDelayFallbackMs ?? DEFAULT_INTEGRATION_DELAY_FALLBACK_MS,
  };

  const onError = async (error: unknown, runId?: number): Promise<JobResult> => {
    const decision = decideOnError(error, delays);
    const code = errorCode(error);
    // Errors from Postgres (planSync, startRun…) reach here unwrapped: never store their SQL or parameters.
    const message = toSafeStoreError(error).message;
    if (runId !== undefined)
      await finishRun(database, runId, { status: 'failed', error: `${code}: ${message}` });
    if (decision.action === 'set-integration-state') {
      const isKnown = await setIntegrationState(database, integrationId, { state: decision.state });
      if (!isKnown) {
        const tool = integrationId.split(':')[0] ?? 'unknown';
        await upsertIntegration(database, {
          id: integrationId,
          tool,
          category: 'HRIS',
          state: decision.state,
        });
      }
      if (decision.state === 'NOT_FOUND') await removeSchedules(ctx.queue, integrationId);
      await completeIntent(redis, prefix, integrationId);
      log.warn(
        { code, state: decision.state },
        'integration cannot be synced: state recorded, job completed',
      );
      return {
        outcome: 'integration-state',
        state: decision.state,
        ...(runId === undefined ? {} : { runId }),
      };
    }
    log.warn(
      { err: safeError(error), code, action: decision.action, attemptsMade: job.attemptsMade },
      'sync job error',
    );
    // A retried error becomes the job's failedReason: its safe form (no SQL or parameters, ≤ 2 KB).
    const thrown = decision.action === 'retry' ? safeError(error) : error;
    return throwForDecision(decision, { error: thrown, job, token, queue: ctx.queue });
  };

  let plan;
  try {
    plan = await planSync(ctx, integrationId, intent, log);
  } catch (error) {
    return onError(error);
  }
  if (!plan) {
    await completeIntent(redis, prefix, integrationId);
    return { outcome: 'no-sync', reason: 'lifecycle only, paused or nothing enabled' };
  }

  const runId = await startRun(database, {
    integrationId,
    kind: plan.mode,
    trigger: plan.trigger,
    requestIds: intent.requestIds,
  });
  const runLog = log.child({ syncRunId: runId });
  const summary = await runIntegrationSync(
    {
      source: createKomboSyncSource(ctx.kombo, { pageSize: config.pageSize }),
      store: createPgSyncStore({ database, ...(ctx.handlers ? { handlers: ctx.handlers } : {}) }),
      logger: runLog,
      classifyError,
      ...(ctx.onPageCommitted ? { onChangesCommitted: ctx.onPageCommitted } : {}),
    },
    {
      integrationId,
      runId,
      models: plan.models,
      mode: plan.mode,
      overlapMs: config.overlapMs,
      concurrency: config.concurrencyPerIntegration,
      ...(signal ? { signal } : {}),
    },
  );
  recordMetrics(ctx.metrics, summary);

  switch (summary.status) {
    case 'succeeded':
      await finishRun(database, runId, { status: 'succeeded' });
      await completeIntent(redis, prefix, integrationId);
      return { outcome: 'synced', runId, mode: summary.mode, totals: summary.totals };
    case 'failed': {
      const text = failureText(summary);
      await finishRun(database, runId, { status: 'failed', error: text });
      runLog.warn({ attemptsMade: job.attemptsMade }, 'sync run failed: the job will retry');
      throw new SyncRunFailedError(`sync of ${integrationId} failed: ${text}`);
    }
    case 'aborted':
      return onError(summary.abortError?.cause, runId);
    case 'cancelled':
      await finishRun(database, runId, { status: 'failed', error: 'SYNC.CANCELLED: worker shutting down' });
      runLog.info('run cancelled by shutdown: handing the job back');
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
  }
}
