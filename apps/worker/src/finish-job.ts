import { clearIntegrationNotFound, countNotFoundFlagged, setIntegrationState } from '@kombo-sync/db';
import { completeIntent, parkIntent, type Intent, type SyncLane } from '@kombo-sync/queue';
import type { RunSummary, YieldReason } from '@kombo-sync/sync';
import { decideOutcome, isRunThrough } from './decide-outcome.js';
import { expireUnavailableModels } from './expire-unavailable-models.js';
import { handBackWork } from './hand-back-work.js';
import { handleJobError, type ActiveJob } from './handle-job-error.js';
import { handOnToBulkLane } from './hand-on-to-bulk-lane.js';
import type { HeldLease } from './hold-lease.js';
import type { JobContext, JobResult } from './job-context.js';
import { resetSetupPending } from './setup-pending-delay.js';
import { unfinishedWork } from './unfinished-work.js';
import { closeRun } from './close-run.js';

/** Thrown when some models failed: the job retries (attempts with backoff); the run is recorded failed. */
export class SyncRunFailedError extends Error {
  readonly code = 'SYNC.RUN_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'SyncRunFailedError';
  }
}

/**
 * Maps the run's summary to BullMQ (see {@link decideOutcome}) and records it: the run's row, the lifecycle state a
 * success clears, the intent completed or its bulk work handed on. A run that did not succeed hands back only what it
 * did not finish ({@link unfinishedWork}): the next run (a retry, a peer after a shutdown, the resume) fetches no page
 * of a model that finished.
 */
export async function finishJob(
  ctx: JobContext,
  active: ActiveJob,
  {
    lane,
    signal,
    lease,
    handOn,
    summary,
    runId,
    clearsDataExpired,
  }: {
    lane: SyncLane;
    signal: AbortSignal | undefined;
    lease: HeldLease;
    /** Work this delta-lane run leaves to the bulk (or onboarding) lane. */
    handOn: Partial<Intent> | undefined;
    summary: RunSummary;
    runId: number;
    /** The run is the full resync after Kombo cleared data_expired_at: forget our copy once it succeeds. */
    clearsDataExpired: boolean;
  },
): Promise<JobResult> {
  const { job, integrationId, intent, log: runLog } = active;
  if (isRunThrough(summary)) await expireUnavailableModels(ctx, lease.fence, runLog);
  const decision = decideOutcome(summary, {
    isLeaseLost: lease.lost.aborted,
    leaseLostReason: lease.lost.reason,
    isShuttingDown: signal?.aborted === true,
  });
  const work = (): Partial<Intent> | undefined => unfinishedWork(summary, intent, handOn);
  switch (decision.action) {
    case 'succeed':
      await recordSuccess(ctx, active, { runId, handOn, clearsDataExpired, lease });
      return { outcome: 'synced', runId, mode: summary.mode, totals: summary.totals };
    case 'fail-run':
      await closeRun(ctx, runId, { status: 'failed', error: decision.text });
      await keepForRetry(ctx, active, work());
      runLog.warn({ attemptsMade: job.attemptsMade }, 'sync run failed: the job will retry');
      throw new SyncRunFailedError(`sync of ${integrationId} failed: ${decision.text}`);
    case 'on-error':
      await keepForRetry(ctx, active, work());
      return handleJobError(ctx, active, decision.error, runId);
    case 'interrupt':
      return interruptRun(ctx, active, {
        lane,
        lease,
        runId,
        reason: decision.reason,
        summary,
        left: work(),
      });
  }
}

/**
 * A run stopped on purpose (its slice ended, a pause, a shutdown): its row closed `interrupted` with what the models
 * it stopped wrote, the lease released and the work `left` handed back.
 */
async function interruptRun(
  ctx: JobContext,
  active: ActiveJob,
  {
    lane,
    lease,
    runId,
    reason,
    summary,
    left,
  }: {
    lane: SyncLane;
    lease: HeldLease;
    runId: number;
    reason: YieldReason;
    summary: RunSummary;
    left: Partial<Intent> | undefined;
  },
): Promise<JobResult> {
  await closeRun(ctx, runId, {
    status: 'interrupted',
    error: `SYNC.INTERRUPTED: ${reason}`,
    reason,
    yielded: summary.models.filter((model) => model.status === 'yielded'),
  });
  // At once, not at its expiry: whoever continues the work takes it without waiting.
  await lease.release();
  await handBackWork(ctx, active, { lane, reason, work: left });
  active.log.info(
    { reason, models: left?.models, fullModels: left?.fullModels },
    'run interrupted: work handed back',
  );
  return { outcome: 'interrupted', reason, runId };
}

/**
 * A run that succeeded: its row closed, the setup-pending backoff reset, a cleared data_expired_at or NOT_FOUND flag
 * forgotten, and the intent completed or its bulk work handed on.
 */
async function recordSuccess(
  ctx: JobContext,
  { integrationId, intent, log: runLog }: ActiveJob,
  {
    runId,
    handOn,
    clearsDataExpired,
    lease,
  }: { runId: number; handOn: Partial<Intent> | undefined; clearsDataExpired: boolean; lease: HeldLease },
): Promise<void> {
  const { database, redis, config } = ctx;
  await closeRun(ctx, runId, { status: 'succeeded' });
  await resetSetupPending(redis, config.queuePrefix, integrationId);
  if (clearsDataExpired) {
    await setIntegrationState(database, integrationId, { dataExpiredAt: null });
    runLog.info('full resync after data_expired_at cleared: done');
  }
  // Kombo served the integration: a NOT_FOUND streak (a blip, a key fixed in time) is over.
  if (await clearIntegrationNotFound(database, integrationId)) {
    runLog.info('Kombo serves the integration again: NOT_FOUND flag cleared');
    if (ctx.metrics) ctx.metrics.integrationsNotFoundFlagged.set(await countNotFoundFlagged(database));
  }
  if (handOn) await handOnToBulkLane(ctx, integrationId, intent, handOn, lease);
  else await completeIntent(redis, config.queuePrefix, integrationId, intent.takeId);
}

/**
 * The work a failed or stopped run did not finish goes back into the pending intent, which the job's retry takes
 * ({@link parkIntent}: no job added, not marked dirty, the retry's backoff applies). Without it the retry would take
 * the whole in-flight intent again, models that finished included.
 */
async function keepForRetry(
  ctx: JobContext,
  active: ActiveJob,
  work: Partial<Intent> | undefined,
): Promise<void> {
  if (!work) return;
  await parkIntent(ctx.redis, ctx.config.queuePrefix, active.integrationId, active.intent.takeId, work);
}
