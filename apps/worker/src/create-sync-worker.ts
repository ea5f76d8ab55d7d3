import { closeAbandonedRuns } from '@kombo-sync/db';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  assertReadableJobData,
  createChangeFeed,
  NewerQueueDataError,
  requestSyncDeps,
  startWorkerHeartbeat,
  SCHEDULED_SYNC_JOB_NAME,
  SIGNALS_QUEUE,
  syncJobDataSchema,
  SYNC_BULK_QUEUE,
  SYNC_JOB_NAME,
  SYNC_ONBOARDING_QUEUE,
  SYNC_QUEUE,
  type SyncLane,
} from '@kombo-sync/queue';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import {
  createDeliveryDispatcher,
  deliveryConfigOf,
  type DeliveryDispatcher,
} from './dispatch-deliveries.js';
import { createOutboxRelay } from './outbox-relay.js';
import type { JobContext, SyncWorkerDeps } from './job-context.js';
import { processIntegrationJob } from './process-integration-job.js';
import { processScheduledJob } from './process-scheduled-job.js';
import { processSignalJob } from './process-signal-job.js';
import { retentionTasks } from './retention-tasks.js';
import { startMaintenance } from './start-maintenance.js';
import { shutdownDeadlines } from './shutdown-deadlines.js';
import { traceSyncJob } from './trace-sync.js';

export type { SyncWorkerDeps };

/** Signal jobs one worker process records at once. */
const SIGNAL_CONCURRENCY = 4;

export interface SyncWorker {
  /** The delta lane's BullMQ worker (changes, schedules). */
  worker: Worker;
  /** The onboarding lane's BullMQ worker (first slices of integrations with nothing committed yet). */
  onboardingWorker: Worker;
  /** The bulk lane's BullMQ worker (slices of full and initial passes). */
  bulkWorker: Worker;
  /** The webhook dispatcher of this process (`config.isDispatchingWebhooks`), if any. */
  dispatcher?: DeliveryDispatcher;
  /** Records Kombo's health signals (`kombo-sync-signals`) at once, whatever runs. */
  signalWorker: Worker;
  /**
   * Graceful stop: takes no new job; the running syncs yield at their next page boundary (a request in flight
   * finishes and its page is written), close their runs `interrupted`, release their leases and hand their work back
   * for a peer ({@link shutdownDeadlines}); those still running at the hard deadline are cancelled (in-flight
   * requests aborted, the page being written finished); waits up to `timeoutMs` in all. Idempotent. Does not close
   * `redis`.
   */
  close(timeoutMs: number): Promise<void>;
}

/**
 * Creates the BullMQ workers of the three lanes — the delta lane (`sync` and `scheduled-sync` jobs) with
 * `workerConcurrency` slots, the onboarding lane with `onboardingConcurrency` and the bulk lane with
 * `bulkConcurrency` slots of their own, so full and initial passes never hold the slots changes need, nor a
 * backfill those of a new integration's first slice — with `config.isChangeFeedOn`, the change feed and its
 * outbox relay, and with `config.isDispatchingWebhooks` (every worker process), the webhook dispatcher
 * (dispatch-deliveries.ts).
 */
export function createSyncWorker(deps: SyncWorkerDeps): SyncWorker {
  const { config, logger, metrics } = deps;
  const feed = config.isChangeFeedOn
    ? createChangeFeed(deps.redis, { prefix: config.queuePrefix, maxMessages: config.changeFeedMaxMessages })
    : undefined;
  const relay = feed
    ? createOutboxRelay({
        database: deps.database,
        feed,
        logger,
        intervalMs: config.outboxIntervalMs,
      })
    : undefined;
  const shutdown = new AbortController();
  const dispatcher: DeliveryDispatcher | undefined = config.isDispatchingWebhooks
    ? createDeliveryDispatcher({
        database: deps.database,
        config: deliveryConfigOf(config),
        logger: logger.child({ component: 'webhooks' }),
        ...(metrics ? { metrics } : {}),
      })
    : undefined;
  const onPageCommitted =
    relay || dispatcher
      ? () => {
          if (relay) void relay.kick();
          dispatcher?.kick();
        }
      : undefined;
  const ctx: JobContext = {
    shutdown: shutdown.signal,
    redis: deps.redis,
    queues: deps.queues,
    database: deps.database,
    leaseDatabase: deps.leaseDatabase,
    kombo: deps.kombo,
    config,
    logger,
    request: requestSyncDeps(deps.redis, deps.queues, config),
    ...(metrics ? { metrics } : {}),
    ...(deps.handlers ? { handlers: deps.handlers } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(onPageCommitted ? { onPageCommitted } : {}),
  };
  const scheduledDeps = {
    database: deps.database,
    config,
    request: ctx.request,
    ...(deps.now ? { now: deps.now } : {}),
  };

  const processorOf = (lane: SyncLane) => async (job: Job, token?: string, signal?: AbortSignal) => {
    const startedAt = performance.now();
    let status = 'completed';
    const kind = job.name === SCHEDULED_SYNC_JOB_NAME ? 'scheduled' : 'sync';
    try {
      assertReadableJobData(job.data, config.dataVersion);
      if (job.name === SCHEDULED_SYNC_JOB_NAME) return await processScheduledJob(scheduledDeps, job);
      if (job.name === SYNC_JOB_NAME) {
        const { integrationId } = syncJobDataSchema.parse(job.data);
        return await traceSyncJob({ job, lane, integrationId }, () =>
          processIntegrationJob(ctx, { job, lane, token, signal }),
        );
      }
      throw new UnrecoverableError(`unknown job name ${job.name}`);
    } catch (caught) {
      const err =
        caught instanceof NewerQueueDataError ? await leaveForNewerWorker(job, token, caught) : caught;
      status =
        err instanceof DelayedError
          ? 'delayed'
          : err instanceof UnrecoverableError
            ? 'unrecoverable'
            : 'failed';
      throw err;
    } finally {
      metrics?.jobDurationSeconds.observe({ kind, status }, (performance.now() - startedAt) / 1000);
    }
  };
  /**
   * A job or intent a newer release wrote (a rolling deploy runs both): this worker would get it wrong, so the job
   * waits as delayed, no attempt used, the intent untouched, until a newer worker takes it.
   */
  const leaveForNewerWorker = async (job: Job, token: string | undefined, err: NewerQueueDataError) => {
    const delayMs = config.newerDataDelayMs + Math.floor(Math.random() * (config.newerDataDelayMs / 2));
    logger.info(
      {
        jobId: job.id,
        name: job.name,
        what: err.what,
        version: err.version,
        readerVersion: err.readerVersion,
        delayMs,
      },
      'data written by a newer release: left for a newer worker',
    );
    await job.moveToDelayed(Date.now() + delayMs, token);
    return new DelayedError();
  };
  const workerOptions = {
    connection: deps.redis,
    prefix: config.queuePrefix,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: config.maxStalledCount,
    autorun: true,
  };
  const worker = new Worker(SYNC_QUEUE, processorOf('delta'), {
    ...workerOptions,
    concurrency: config.workerConcurrency,
  });
  const onboardingWorker = new Worker(SYNC_ONBOARDING_QUEUE, processorOf('onboarding'), {
    ...workerOptions,
    concurrency: config.onboardingConcurrency,
  });
  const bulkWorker = new Worker(SYNC_BULK_QUEUE, processorOf('bulk'), {
    ...workerOptions,
    concurrency: config.bulkConcurrency,
  });
  const workers = [worker, onboardingWorker, bulkWorker];
  // Tiny jobs, no lease: a few slots are plenty, and they are never taken by sync work.
  const signalWorker = new Worker(
    SIGNALS_QUEUE,
    async (job: Job, token?: string) => {
      try {
        assertReadableJobData(job.data, config.dataVersion);
        return await processSignalJob(ctx, job);
      } catch (err) {
        throw err instanceof NewerQueueDataError ? await leaveForNewerWorker(job, token, err) : err;
      }
    },
    {
      ...workerOptions,
      concurrency: SIGNAL_CONCURRENCY,
    },
  );
  signalWorker.on('error', (err) => logger.warn({ err }, 'signal worker error'));
  signalWorker.on('failed', (job, err) =>
    logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err }, 'recording a Kombo signal failed'),
  );
  for (const [lane, w] of [
    ['delta', worker],
    ['onboarding', onboardingWorker],
    ['bulk', bulkWorker],
  ] as const) {
    w.on('error', (err) => logger.warn({ err, lane }, 'sync worker error'));
    w.on('failed', (job, err) =>
      logger.warn(
        { jobId: job?.id, name: job?.name, lane, attemptsMade: job?.attemptsMade, err },
        'sync job failed',
      ),
    );
  }

  // Tells the fleet (the `workers_live` metric, the "no live worker" alert) this process is alive; one id per
  // createSyncWorker, so workers sharing a process count apart.
  const stopHeartbeat = startWorkerHeartbeat(deps.redis, {
    prefix: config.queuePrefix,
    workerId: `${hostname()}:${process.pid}/${randomUUID().slice(0, 8)}`,
    onError: (err) => logger.warn({ err }, 'worker heartbeat failed'),
  });

  // Runs left `running` by a worker that died are closed when their integration's next run takes the lease over;
  // this sweep closes the others (integrations with no next run yet). Every worker sweeps; the UPDATE is idempotent.
  const sweepRuns = setInterval(() => {
    closeAbandonedRuns(deps.database, { graceMs: config.leaseTtlMs })
      .then((ids) => {
        if (ids.length > 0) logger.warn({ runIds: ids }, 'closed runs whose worker died as abandoned');
      })
      .catch((err: unknown) => logger.warn({ err }, 'abandoned-run sweep failed'));
  }, config.leaseTtlMs);
  sweepRuns.unref();

  // Retention: one worker of the fleet at a time, once per interval, beside the syncs.
  const maintenance = startMaintenance({
    database: deps.database,
    logger,
    firstCheckMs: config.maintenanceFirstCheckMs,
    checkMs: config.maintenanceCheckMs,
    tasks: retentionTasks(config, deps.database),
  });
  let closing: Promise<void> | undefined;
  return {
    worker,
    onboardingWorker,
    bulkWorker,
    ...(dispatcher ? { dispatcher } : {}),
    signalWorker,
    close(timeoutMs) {
      closing ??= (async () => {
        await stopHeartbeat();
        clearInterval(sweepRuns);
        await maintenance.close();
        // close() first (it stops fetching at once), then yield: work handed back is not re-taken by this worker.
        const closed = Promise.all([...workers, signalWorker].map((w) => w.close()));
        shutdown.abort('shutdown');
        const { hardAfterMs } = shutdownDeadlines(timeoutMs);
        const hard = setTimeout(() => {
          logger.warn({ hardAfterMs }, 'running syncs did not yield in time: cancelling them');
          for (const w of workers) w.cancelAllJobs('worker shutting down');
        }, hardAfterMs);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>(
          (resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)),
        );
        const isTimedOut = await Promise.race([closed.then(() => false), timedOut]);
        clearTimeout(timer);
        clearTimeout(hard);
        // The process exits anyway; a job still running is recovered by another worker as stalled.
        if (isTimedOut)
          logger.warn({ timeoutMs }, 'running syncs did not stop in time: leaving them to stall over');
        if (relay) {
          await relay.kick();
          await relay.close();
        }
        await feed?.close();
        await dispatcher?.close();
      })();
      return closing;
    },
  };
}
