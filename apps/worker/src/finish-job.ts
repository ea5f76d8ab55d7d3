import {
  clearIntegrationNotFound,
  countNotFoundFlagged,
  finishRun,
  setIntegrationState,
} from '@kombo-sync/db';
import { completeIntent, type Intent } from '@kombo-sync/queue';
import type { RunSummary } from '@kombo-sync/sync';
import { DelayedError } from 'bullmq';
import { decideOutcome, isRunThrough } from './decide-outcome.js';
import { expireUnavailableModels } from './expire-unavailable-models.js';
import { handleJobError, type ActiveJob } from './handle-job-error.js';
import { handOnToBulkLane } from './hand-on-to-bulk-lane.js';
import type { HeldLease } from './hold-lease.js';
import type { JobContext, JobResult } from './job-context.js';
import { resetSetupPending } from './setup-pending-delay.js';

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
 * success clears, the intent completed or its bulk work handed on.
 */
export async function finishJob(
  ctx: JobContext,
  active: ActiveJob,
  {
    signal,
    lease,
    handOn,
    summary,
    runId,
    clearsDataExpired,
  }: {
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
  const { database, redis, config } = ctx;
  const { job, token, integrationId, intent, log: runLog } = active;
  if (isRunThrough(summary)) await expireUnavailableModels(ctx, lease.fence, runLog);
  const decision = decideOutcome(summary, {
    isLeaseLost: lease.lost.aborted,
    leaseLostReason: lease.lost.reason,
    isShuttingDown: signal?.aborted === true,
  });
  switch (decision.action) {
    case 'succeed':
      await finishRun(database, runId, { status: 'succeeded' });
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
      return { outcome: 'synced', runId, mode: summary.mode, totals: summary.totals };
    case 'fail-run':
      await finishRun(database, runId, { status: 'failed', error: decision.text });
      runLog.warn({ attemptsMade: job.attemptsMade }, 'sync run failed: the job will retry');
      throw new SyncRunFailedError(`sync of ${integrationId} failed: ${decision.text}`);
    case 'on-error':
      return handleJobError(ctx, active, decision.error, runId);
    case 'hand-back':
      await finishRun(database, runId, { status: 'failed', error: 'SYNC.CANCELLED: worker shutting down' });
      runLog.info('run cancelled by shutdown: handing the job back');
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
  }
}
