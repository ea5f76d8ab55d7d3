import { FenceLostError, toSafeStoreError } from '@kombo-sync/db';
import { KomboError, KomboSetupPendingError } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import { completeIntent, laneQueues, type TakenIntent } from '@kombo-sync/queue';
import type { Job } from 'bullmq';
import { closeRun } from './close-run.js';
import type { JobContext, JobResult } from './job-context.js';
import { decideOnError, errorCode, throwForDecision, type ErrorDelays } from './map-error.js';
import { recordIntegrationState } from './record-integration-state.js';
import { countSetupPending, setupPendingDelayMs } from './setup-pending-delay.js';

/** The job being processed, as the outcome steps need it. */
export interface ActiveJob {
  job: Job;
  token: string | undefined;
  integrationId: string;
  /** The intent this job took. */
  intent: TakenIntent;
  log: Logger;
}

/** Kombo's errors and a lost fence as they are (safe by construction); any other error in its safe form. */
export function safeError(error: unknown): unknown {
  return error instanceof KomboError || error instanceof FenceLostError ? error : toSafeStoreError(error);
}

/** The waits {@link decideOnError} falls back on, from the worker's config. */
export function errorDelays(ctx: JobContext): ErrorDelays {
  return {
    rateLimitFallbackMs: ctx.config.rateLimitFallbackMs,
    integrationDelayFallbackMs: ctx.config.integrationDelayFallbackMs,
  };
}

/**
 * Maps an error that stopped the job (before or during its run `runId`) to BullMQ: records the run failed, then
 * either records the integration's state and completes the job, or performs {@link throwForDecision}.
 */
export async function handleJobError(
  ctx: JobContext,
  { job, token, integrationId, intent, log }: ActiveJob,
  error: unknown,
  runId?: number,
): Promise<JobResult> {
  const { redis } = ctx;
  const prefix = ctx.config.queuePrefix;
  const decision = decideOnError(error, errorDelays(ctx));
  const code = errorCode(error);
  // Errors from Postgres (planSync, startRun…) reach here unwrapped: never store their SQL or parameters.
  const message = toSafeStoreError(error).message;
  if (runId !== undefined) {
    await closeRun(ctx, runId, { status: 'failed', error: `${code}: ${message}` }).catch((err: unknown) =>
      log.warn({ err, runId }, 'could not record the run as failed'),
    );
  }
  if (decision.action === 'set-integration-state') {
    await recordIntegrationState(ctx, integrationId, decision.state, log);
    await completeIntent(redis, prefix, integrationId, intent.takeId);
    log.warn({ code, state: decision.state }, 'integration cannot be synced: state recorded, job completed');
    return {
      outcome: 'integration-state',
      state: decision.state,
      ...(runId === undefined ? {} : { runId }),
    };
  }
  if (error instanceof KomboSetupPendingError && decision.action === 'delay-job') {
    const timesPending = await countSetupPending(redis, prefix, integrationId);
    decision.delayMs = setupPendingDelayMs(
      timesPending,
      ctx.config.integrationDelayFallbackMs,
      error.retryAfterMs,
    );
    log.info(
      { timesPending, delayMs: decision.delayMs },
      'setup sync pending at Kombo: waiting (integration-state-changed resumes at once)',
    );
  }
  log.warn(
    { err: safeError(error), code, action: decision.action, attemptsMade: job.attemptsMade },
    'sync job error',
  );
  // A retried error becomes the job's failedReason: its safe form (no SQL or parameters, ≤ 2 KB).
  const thrown = decision.action === 'retry' ? safeError(error) : error;
  return throwForDecision(decision, {
    error: thrown,
    job,
    token,
    queues: laneQueues(ctx.queues),
  });
}
