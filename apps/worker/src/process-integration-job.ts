import { hostname } from 'node:os';
import {
  attachRunToLease,
  boundText,
  clearIntegrationNotFound,
  countNotFoundFlagged,
  FenceLostError,
  finishRun,
  getIntegration,
  getSyncStates,
  markModelDataDeleted,
  recordModelSkipped,
  setIntegrationState,
  startRun,
  toSafeStoreError,
  withFencedTransaction,
} from '@kombo-sync/db';
import { KomboError, KomboSetupPendingError } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import type { Metrics } from '@kombo-sync/metrics';
import type { ModelName } from '@kombo-sync/catalog';
import {
  completeIntent,
  ensureSyncJob,
  priorityOf,
  removeSchedules,
  syncJobDataSchema,
  takeIntent,
  type Intent,
  type SyncLane,
  type TakenIntent,
} from '@kombo-sync/queue';
import { runIntegrationSync, type RunSummary } from '@kombo-sync/sync';
import { DelayedError, type Job } from 'bullmq';
import type { SyncWorkerDeps } from './create-sync-worker.js';
import { holdLease, type HeldLease } from './hold-lease.js';
import { createKomboSyncSource } from './kombo-sync-source.js';
import { decideNotFound } from './decide-not-found.js';
import { classifyError, decideOnError, errorCode, throwForDecision } from './map-error.js';
import { createPgSyncStore } from './pg-sync-store.js';
import { trackProgress } from './track-progress.js';
import { planSync, type SyncPlan } from './plan-sync.js';
import { countSetupPending, resetSetupPending, setupPendingDelayMs } from './setup-pending-delay.js';
import {
  DEFAULT_INTEGRATION_DELAY_FALLBACK_MS,
  DEFAULT_JOB_BACKOFF_MS,
  DEFAULT_MODEL_UNAVAILABLE_GRACE_MS,
  DEFAULT_NOT_FOUND_GRACE_MS,
  DEFAULT_RATE_LIMIT_FALLBACK_MS,
} from './worker-config.js';

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
  | { outcome: 'integration-state'; state: string; runId?: number }
  | { outcome: 'handed-on'; lane: SyncLane };

/** Thrown when some models failed: the job retries (attempts with backoff); the run is recorded failed. */
export class SyncRunFailedError extends Error {
  readonly code = 'SYNC.RUN_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'SyncRunFailedError';
  }
}

/** This process, as lease holders name it: `<host>:<pid>`. */
const WORKER_ID = `${hostname()}:${process.pid}`;

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

/** Kombo's errors and a lost fence as they are (safe by construction); any other error in its safe form. */
function safeError(error: unknown): unknown {
  return error instanceof KomboError || error instanceof FenceLostError ? error : toSafeStoreError(error);
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

/**
 * Processes one coalesced `sync` job. First it takes the integration's lease (the fence: while another run holds
 * it, the job waits as delayed, no attempt used); under it, it takes the intent, applies its lifecycle parts, runs
 * the sync engine with a store whose every transaction checks the fence, and maps the outcome to BullMQ (see
 * map-error.ts). `signal` aborts on shutdown: the run stops after the page being written and the job is handed
 * back without using an attempt; a lost lease stops it the same way before its next write.
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
      { database: ctx.database, logger: log },
      { integrationId, holder: `${WORKER_ID}/${job.id}`, ttlMs: ctx.config.leaseTtlMs },
    );
  } catch (error) {
    log.warn({ err: safeError(error), code: errorCode(error) }, 'sync lease unavailable');
    return throwForDecision(decideOnError(error, errorDelays(ctx)), {
      error,
      job,
      token,
      queues: [ctx.queues.delta, ctx.queues.bulk],
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

function errorDelays(ctx: JobContext) {
  return {
    rateLimitFallbackMs: ctx.config.rateLimitFallbackMs ?? DEFAULT_RATE_LIMIT_FALLBACK_MS,
    integrationDelayFallbackMs:
      ctx.config.integrationDelayFallbackMs ?? DEFAULT_INTEGRATION_DELAY_FALLBACK_MS,
  };
}

const jitterMs = (maxMs: number) => Math.floor(Math.random() * maxMs);

async function runUnderLease(
  ctx: JobContext,
  {
    job,
    lane,
    token,
    signal,
    lease,
    log: jobLog,
  }: {
    job: Job;
    lane: SyncLane;
    token: string | undefined;
    signal: AbortSignal | undefined;
    lease: HeldLease;
    log: Logger;
  },
): Promise<JobResult> {
  const { config, database, redis } = ctx;
  const { integrationId } = lease.fence;
  const prefix = config.queuePrefix;
  const intent = await takeIntent(redis, prefix, integrationId);
  if (!intent) return { outcome: 'nothing-to-do' };
  const log = intent.requestIds.length > 0 ? jobLog.child({ requestId: intent.requestIds.at(-1) }) : jobLog;

  const onError = async (error: unknown, runId?: number): Promise<JobResult> => {
    const decision = decideOnError(error, errorDelays(ctx));
    const code = errorCode(error);
    // Errors from Postgres (planSync, startRun…) reach here unwrapped: never store their SQL or parameters.
    const message = toSafeStoreError(error).message;
    if (runId !== undefined) {
      await finishRun(database, runId, { status: 'failed', error: `${code}: ${message}` }).catch(
        (err: unknown) => log.warn({ err, runId }, 'could not record the run as failed'),
      );
    }
    if (decision.action === 'set-integration-state') {
      await recordIntegrationState(ctx, integrationId, decision.state, log);
      await completeIntent(redis, prefix, integrationId, intent.takeId);
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
    if (error instanceof KomboSetupPendingError && decision.action === 'delay-job') {
      const timesPending = await countSetupPending(redis, prefix, integrationId);
      decision.delayMs = setupPendingDelayMs(
        timesPending,
        ctx.config.integrationDelayFallbackMs ?? DEFAULT_INTEGRATION_DELAY_FALLBACK_MS,
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
      queues: [ctx.queues.delta, ctx.queues.bulk],
    });
  };

  let plan;
  let runId: number;
  /** Work this delta-lane run leaves to the bulk lane. */
  let handOn: Partial<Intent> | undefined;
  try {
    plan = await planSync({ ...ctx, fence: lease.fence }, integrationId, intent, log);
    if (!plan) {
      await completeIntent(redis, prefix, integrationId, intent.takeId);
      return { outcome: 'no-sync', reason: 'lifecycle only, paused or nothing enabled' };
    }
    if (lane === 'delta') {
      const split = await splitForDeltaLane(ctx, integrationId, plan, intent);
      handOn = split.handOn;
      if (!split.delta) {
        if (handOn) await handOnToBulkLane(ctx, integrationId, intent, handOn);
        log.info({ models: plan.models.length }, 'full or initial passes handed on to the bulk lane');
        return { outcome: 'handed-on', lane: 'bulk' };
      }
      plan = split.delta;
    }
    runId = await startRun(database, {
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
        reason:
          'INTEGRATION.MODEL_NOT_AVAILABLE: Kombo lists the model with read_models[].is_available=false',
        unavailableAt: new Date((ctx.now ?? Date.now)()),
      });
    }
  } catch (error) {
    return onError(error);
  }
  const runLog = log.child({ syncRunId: runId });
  const stop = signal ? AbortSignal.any([signal, lease.lost]) : lease.lost;
  const progress = trackProgress(
    createPgSyncStore({
      database,
      fence: lease.fence,
      shouldWriteChangeOutbox: config.changeFeed !== undefined,
      ...(ctx.now ? { now: ctx.now } : {}),
      ...(ctx.handlers ? { handlers: ctx.handlers } : {}),
    }),
    {
      database,
      pageSize: config.pageSize,
      logger: runLog,
      ...(config.progressIntervalMs === undefined ? {} : { intervalMs: config.progressIntervalMs }),
    },
  );
  const summary = await runIntegrationSync(
    {
      source: createKomboSyncSource(ctx.kombo, { pageSize: config.pageSize }),
      store: progress.store,
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
      signal: stop,
    },
  );
  await progress.settle();
  recordMetrics(ctx.metrics, summary);
  const clearsDataExpired = plan.clearsDataExpired === true;
  return finishJob(ctx, {
    job,
    token,
    signal,
    lease,
    intent,
    handOn,
    summary,
    runId,
    runLog,
    onError,
    clearsDataExpired,
  });
}

async function finishJob(
  ctx: JobContext,
  {
    job,
    token,
    signal,
    lease,
    intent,
    handOn,
    summary,
    runId,
    runLog,
    onError,
    clearsDataExpired,
  }: {
    job: Job;
    token: string | undefined;
    signal: AbortSignal | undefined;
    lease: HeldLease;
    intent: TakenIntent;
    handOn: Partial<Intent> | undefined;
    summary: RunSummary;
    runId: number;
    runLog: Logger;
    onError: (error: unknown, runId?: number) => Promise<JobResult>;
    /** The run is the full resync after Kombo cleared data_expired_at: forget our copy once it succeeds. */
    clearsDataExpired: boolean;
  },
): Promise<JobResult> {
  const { database, redis, config } = ctx;
  const { integrationId } = lease.fence;
  if (summary.status === 'succeeded' || summary.status === 'failed') {
    await expireUnavailableModels(ctx, lease.fence, runLog);
  }
  switch (summary.status) {
    case 'succeeded':
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
      if (handOn) await handOnToBulkLane(ctx, integrationId, intent, handOn);
      else await completeIntent(redis, config.queuePrefix, integrationId, intent.takeId);
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
      if (lease.lost.aborted && !signal?.aborted) return onError(lease.lost.reason, runId);
      await finishRun(database, runId, { status: 'failed', error: 'SYNC.CANCELLED: worker shutting down' });
      runLog.info('run cancelled by shutdown: handing the job back');
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
  }
}

/**
 * Splits a plan for the delta lane: models with a watermark and no full pass asked for are its deltas; full passes
 * and models never synced (an initial pass is as long as the whole model) are bulk work, handed on to the bulk lane.
 */
async function splitForDeltaLane(
  ctx: JobContext,
  integrationId: string,
  plan: SyncPlan,
  intent: TakenIntent,
): Promise<{ delta?: SyncPlan; handOn?: Partial<Intent> }> {
  const handOnOf = (models: ModelName[]): Partial<Intent> => ({
    models,
    full: plan.mode === 'full',
    triggers: intent.triggers,
    requestIds: intent.requestIds,
  });
  if (plan.mode === 'full') return { handOn: handOnOf(plan.models) };
  const states = await getSyncStates(ctx.database, integrationId);
  const isBulk = (model: ModelName) => !states.get(model)?.watermark;
  const bulk = plan.models.filter(isBulk);
  const delta = plan.models.filter((model) => !isBulk(model));
  return {
    ...(delta.length > 0 ? { delta: { ...plan, models: delta } } : {}),
    ...(bulk.length > 0 ? { handOn: handOnOf(bulk) } : {}),
  };
}

/** Completes the take, handing `work` back into the pending intent in the same step, and ensures a bulk-lane job. */
async function handOnToBulkLane(
  ctx: JobContext,
  integrationId: string,
  intent: TakenIntent,
  work: Partial<Intent>,
): Promise<void> {
  const { config } = ctx;
  const isLatestTake = await completeIntent(
    ctx.redis,
    config.queuePrefix,
    integrationId,
    intent.takeId,
    work,
  );
  // Not the latest take: a later attempt took the in-flight intent, and this work with it.
  if (!isLatestTake) return;
  const priority = priorityOf(work, 'bulk');
  await ensureSyncJob(ctx.queues.bulk, integrationId, {
    attempts: config.jobAttempts,
    backoffMs: config.jobBackoffMs ?? DEFAULT_JOB_BACKOFF_MS,
    ...(priority === undefined ? {} : { priority }),
    ...(intent.requestIds.length > 0 ? { requestId: intent.requestIds.at(-1) as string } : {}),
  });
}

/**
 * Records a state Kombo reported for a known integration (an unknown one is not recorded: planSync records every
 * integration before its run, so there is none to flag). INTEGRATION_NOT_FOUND goes through the grace
 * ({@link decideNotFound}): flagged first, marked NOT_FOUND with its schedules removed only when confirmed.
 */
async function recordIntegrationState(
  ctx: JobContext,
  integrationId: string,
  state: string,
  log: Logger,
): Promise<void> {
  if (state !== 'NOT_FOUND') {
    if (!(await setIntegrationState(ctx.database, integrationId, { state })))
      log.warn({ state }, 'state of an unrecorded integration: not recorded');
    return;
  }
  const row = await getIntegration(ctx.database, integrationId);
  if (!row) {
    log.warn('Kombo does not know this unrecorded integration: not recorded');
    return;
  }
  const nowMs = (ctx.now ?? Date.now)();
  const graceMs = ctx.config.notFoundGraceMs ?? DEFAULT_NOT_FOUND_GRACE_MS;
  const decision = decideNotFound(row.notFoundSince, nowMs, graceMs);
  ctx.metrics?.integrationNotFound.inc({ decision: decision.action });
  if (decision.action === 'flag') {
    if (!row.notFoundSince) {
      await setIntegrationState(ctx.database, integrationId, { notFoundSince: decision.since });
    }
    log.warn(
      { notFoundSince: decision.since.toISOString(), graceMs },
      'Kombo answers INTEGRATION_NOT_FOUND: flagged; rows and schedules kept until the grace passes',
    );
  } else {
    await setIntegrationState(ctx.database, integrationId, { state: 'NOT_FOUND' });
    await removeSchedules(ctx.queues.delta, integrationId);
    log.warn(
      { notFoundSince: decision.since.toISOString(), graceMs },
      'Kombo answered INTEGRATION_NOT_FOUND for the whole grace: marked NOT_FOUND, schedules removed, rows kept',
    );
  }
  if (ctx.metrics) ctx.metrics.integrationsNotFoundFlagged.set(await countNotFoundFlagged(ctx.database));
}

/**
 * Marks deleted the rows of models Kombo has reported unavailable (MODEL_NOT_AVAILABLE, MODEL_DISABLED) for longer
 * than SYNC_MODEL_UNAVAILABLE_GRACE_MS, as Kombo does to a model that was turned off. Until then they stay live;
 * a model Kombo serves again clears its unavailability (and its next full pass restores what is live).
 */
async function expireUnavailableModels(
  ctx: JobContext,
  fence: HeldLease['fence'],
  log: Logger,
): Promise<void> {
  const { integrationId } = fence;
  const nowMs = (ctx.now ?? Date.now)();
  const graceMs = ctx.config.modelUnavailableGraceMs ?? DEFAULT_MODEL_UNAVAILABLE_GRACE_MS;
  const states = await getSyncStates(ctx.database, integrationId);
  for (const [model, state] of states) {
    if (!state.unavailableSince || nowMs - state.unavailableSince.getTime() < graceMs) continue;
    const at = new Date(nowMs);
    const rows = await withFencedTransaction(ctx.database, fence, (tx) =>
      markModelDataDeleted(tx, integrationId, model, at),
    );
    if (rows > 0) {
      log.info(
        { model, rows, unavailableSince: state.unavailableSince.toISOString() },
        'model unavailable at Kombo for the whole grace: its rows marked deleted',
      );
    }
  }
}
