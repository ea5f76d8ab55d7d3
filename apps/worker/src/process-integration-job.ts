import { hostname } from 'node:os';
import { attachRunToLease, getSyncStates, recordModelSkipped, startRun } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import type { RunSummary } from '@kombo-sync/sync';
import {
  completeIntent,
  laneQueues,
  syncJobDataSchema,
  takeIntent,
  type Intent,
  type SyncLane,
} from '@kombo-sync/queue';
import { DelayedError, type Job } from 'bullmq';
import { finishJob } from './finish-job.js';
import { errorDelays, handleJobError, safeError, type ActiveJob } from './handle-job-error.js';
import { handOnToBulkLane } from './hand-on-to-bulk-lane.js';
import { holdLease, type HeldLease } from './hold-lease.js';
import { keepPausedWork, readPause } from './keep-paused-work.js';
import type { SyncPlan } from './decide-plan.js';
import type { JobContext, JobResult } from './job-context.js';
import { decideOnError, errorCode, throwForDecision } from './map-error.js';
import { planSync } from './plan-sync.js';
import { refreshFieldDefinitions } from './refresh-field-definitions.js';
import { runPlan } from './run-plan.js';
import { splitForDeltaLane } from './split-for-delta-lane.js';
import { startTimeSlice } from './time-slice.js';

export { SyncRunFailedError } from './finish-job.js';
export type { JobContext, JobResult } from './job-context.js';

/** This process, as lease holders name it: `<host>:<pid>`. */
const WORKER_ID = `${hostname()}:${process.pid}`;

/**
 * Processes one coalesced `sync` job. First it takes the integration's lease (the fence: while another run holds
 * it, the job waits as delayed, no attempt used); under it, it takes the intent, applies its lifecycle parts and
 * plans the run (plan-sync.ts), runs the sync engine with a store whose every transaction checks the fence
 * (run-plan.ts), refreshes the field definitions after a run that succeeded, or after a creation or state change
 * that leads to no run, when due (refresh-field-definitions.ts), and maps the outcome to BullMQ (finish-job.ts,
 * handle-job-error.ts, map-error.ts). `signal` aborts on shutdown: the run stops after the page being written and the
 * job is handed back without using an attempt; a lost lease stops it the same way before its next write.
 */
export async function processIntegrationJob(
  ctx: JobContext,
  {
    job,
    lane,
    token,
    signal,
  }: { job: Job; lane: SyncLane; token: string | undefined; signal: AbortSignal | undefined },
): Promise<JobResult> {
  const { integrationId, requestId } = syncJobDataSchema.parse(job.data);
  const log = ctx.logger.child({ jobId: job.id, integrationId, ...(requestId ? { requestId } : {}) });
  let attempt;
  try {
    attempt = await holdLease(
      { leaseDatabase: ctx.leaseDatabase, logger: log },
      { integrationId, holder: `${WORKER_ID}/${job.id}`, ttlMs: ctx.config.leaseTtlMs },
    );
  } catch (error) {
    log.warn({ err: safeError(error), code: errorCode(error) }, 'sync lease unavailable');
    return throwForDecision(decideOnError(error, errorDelays(ctx)), {
      error,
      job,
      token,
      queues: laneQueues(ctx.queues),
    });
  }
  if (!attempt.isHeld) {
    // Another run of this integration is alive (BullMQ handed the job out twice, or a follow-up came early).
    const delayMs = Math.min(Math.max(attempt.retryInMs, 500), ctx.config.leaseTtlMs) + jitterMs(500);
    log.info({ holder: attempt.holder, delayMs }, 'another run holds the integration: waiting for it');
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }
  const { lease } = attempt;
  if (attempt.abandonedRunId !== null) {
    log.warn({ abandonedRunId: attempt.abandonedRunId }, 'took over from a run whose worker died');
  }
  try {
    return await runUnderLease(ctx, { job, lane, token, signal, lease, log });
  } finally {
    await lease.release();
  }
}

const jitterMs = (maxMs: number) => Math.floor(Math.random() * maxMs);

async function runUnderLease(
  ctx: JobContext,
  run: {
    job: Job;
    lane: SyncLane;
    token: string | undefined;
    signal: AbortSignal | undefined;
    lease: HeldLease;
    log: Logger;
  },
): Promise<JobResult> {
  const { job, lane, token, signal, lease, log: jobLog } = run;
  const { config, database, redis } = ctx;
  const { integrationId } = lease.fence;
  const prefix = config.queuePrefix;
  const intent = await takeIntent(redis, prefix, integrationId, { readerVersion: config.dataVersion });
  if (!intent) return { outcome: 'nothing-to-do' };
  const log = intent.requestIds.length > 0 ? jobLog.child({ requestId: intent.requestIds.at(-1) }) : jobLog;
  const active: ActiveJob = { job, token, integrationId, intent, log };

  let plan;
  let runId: number;
  /** Work this delta-lane run leaves to the bulk (or onboarding) lane. */
  let handOn: Partial<Intent> | undefined;
  try {
    const pauseBefore = await readPause(database, integrationId);
    plan = await planSync({ ...ctx, fence: lease.fence }, integrationId, intent, log);
    if (!plan) {
      if (await keepPausedWork(ctx, { integrationId, intent, before: pauseBefore, log }))
        return { outcome: 'no-sync', reason: 'paused: the work waits for the resume' };
      await refreshFieldDefinitions(ctx, { fence: lease.fence, intent, plan: null, signal, log });
      await completeIntent(redis, prefix, integrationId, intent.takeId);
      return { outcome: 'no-sync', reason: 'lifecycle only, paused or nothing enabled' };
    }
    if (lane === 'delta') {
      const states = plan.mode === 'full' ? new Map() : await getSyncStates(database, integrationId);
      const split = splitForDeltaLane(plan, intent, (model) => Boolean(states.get(model)?.watermark));
      handOn = split.handOn;
      if (!split.delta) {
        const to = handOn ? await handOnToBulkLane(ctx, integrationId, intent, handOn, lease) : undefined;
        log.info({ models: plan.models.length, lane: to }, 'full or initial passes handed on');
        return { outcome: 'handed-on', lane: to ?? 'bulk' };
      }
      plan = split.delta;
    }
    runId = await openRun(ctx, lease, plan, intent);
  } catch (error) {
    return handleJobError(ctx, active, error);
  }
  const runLog = log.child({ syncRunId: runId });
  const summary = await runPlanInSlice(ctx, lane, { plan, intent, runId, lease, signal, log: runLog });
  if (summary.status === 'succeeded' && !signal?.aborted) {
    await refreshFieldDefinitions(ctx, { fence: lease.fence, intent, plan, signal, log: runLog });
  }
  return finishJob(
    ctx,
    { ...active, log: runLog },
    { lane, signal, lease, handOn, summary, runId, clearsDataExpired: plan.clearsDataExpired === true },
  );
}

/**
 * Opens the plan's run: its row, attached to the lease (the fence checks it), and the models Kombo does not make
 * available recorded as skipped.
 */
async function openRun(
  ctx: JobContext,
  lease: HeldLease,
  plan: SyncPlan,
  intent: Pick<Intent, 'requestIds'>,
): Promise<number> {
  const { database } = ctx;
  const { integrationId } = lease.fence;
  const runId = await startRun(database, {
    integrationId,
    kind: plan.mode,
    trigger: plan.trigger,
    requestIds: intent.requestIds,
  });
  await attachRunToLease(database, lease.fence, runId);
  for (const model of plan.unavailable ?? []) {
    await recordModelSkipped(database, {
      integrationId,
      model,
      runId,
      code: 'INTEGRATION.MODEL_NOT_AVAILABLE',
      reason: 'Kombo lists the model with read_models[].is_available=false',
      unavailableAt: new Date((ctx.now ?? Date.now)()),
    });
  }
  return runId;
}

/** Runs the plan within the lane's time slice ({@link startTimeSlice}): the slice's end makes it yield. */
async function runPlanInSlice(
  ctx: JobContext,
  lane: SyncLane,
  run: Omit<Parameters<typeof runPlan>[1], 'yieldSignal' | 'onPageCommitted' | 'onPageWritten'>,
): Promise<RunSummary> {
  const slice = startTimeSlice({
    lane,
    sliceMs: ctx.config.bulkSliceMs,
    minPages: ctx.config.bulkSliceMinPages,
    isFirstSliceWaiting: () => isFirstSliceWaiting(ctx),
  });
  try {
    return await runPlan(ctx, {
      ...run,
      yieldSignal: slice.signal,
      onPageCommitted: slice.onPageCommitted,
      onPageWritten: slice.onPageWritten,
    });
  } finally {
    slice.stop();
  }
}

/** Whether a job waits in the onboarding lane: another new integration's first slice. */
async function isFirstSliceWaiting(ctx: JobContext): Promise<boolean> {
  const counts = await ctx.queues.onboarding.getJobCounts('waiting', 'prioritized');
  return (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0) > 0;
}
