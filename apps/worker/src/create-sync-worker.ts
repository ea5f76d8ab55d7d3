import { closeAbandonedRuns, type Database, type Executor } from '@kombo-sync/db';
import type { KomboClient } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import type { Metrics } from '@kombo-sync/metrics';
import {
  createChangeFeed,
  ensureSyncJob,
  recordIntent,
  SCHEDULED_SYNC_JOB_NAME,
  scheduledSyncJobDataSchema,
  SYNC_JOB_NAME,
  SYNC_QUEUE,
} from '@kombo-sync/queue';
import type { SyncHandlers } from '@kombo-sync/sync';
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createOutboxRelay } from './outbox-relay.js';
import { processIntegrationJob, type JobContext } from './process-integration-job.js';
import {
  DEFAULT_JOB_BACKOFF_MS,
  DEFAULT_MAX_STALLED_COUNT,
  DEFAULT_OUTBOX_INTERVAL_MS,
  type WorkerConfig,
} from './worker-config.js';

export interface SyncWorkerDeps {
  /** A `worker`-role ioredis connection (maxRetriesPerRequest null): BullMQ and the intent scripts use it. */
  redis: Redis;
  /** The sync queue (same prefix): follow-up jobs, schedules, the key-wide rate limit. */
  queue: Queue;
  database: Database;
  kombo: KomboClient;
  config: WorkerConfig;
  logger: Logger;
  metrics?: Metrics;
  /** User handlers run inside each page transaction (see README). */
  handlers?: SyncHandlers<Executor>;
}

export interface SyncWorker {
  worker: Worker;
  /**
   * Graceful stop: takes no new job, aborts the running syncs (each finishes the page being written and hands its
   * job back without using an attempt), waits up to `timeoutMs` for them. Idempotent. Does not close `redis`.
   */
  close(timeoutMs: number): Promise<void>;
}

/**
 * Creates the BullMQ worker of the sync queue (`sync` and `scheduled-sync` jobs) and, with `config.changeFeed`,
 * the change feed and its outbox relay.
 */
export function createSyncWorker(deps: SyncWorkerDeps): SyncWorker {
  const { config, logger, metrics } = deps;
  const feed = config.changeFeed
    ? createChangeFeed(deps.redis, {
        prefix: config.queuePrefix,
        maxMessages: config.changeFeed.maxMessages,
      })
    : undefined;
  const relay = feed
    ? createOutboxRelay({
        database: deps.database,
        feed,
        logger,
        intervalMs: config.outboxIntervalMs ?? DEFAULT_OUTBOX_INTERVAL_MS,
      })
    : undefined;
  const ctx: JobContext = {
    redis: deps.redis,
    queue: deps.queue,
    database: deps.database,
    kombo: deps.kombo,
    config,
    logger,
    ...(metrics ? { metrics } : {}),
    ...(deps.handlers ? { handlers: deps.handlers } : {}),
    ...(relay ? { onPageCommitted: () => void relay.kick() } : {}),
  };
  const ensureOptions = {
    attempts: config.jobAttempts,
    backoffMs: config.jobBackoffMs ?? DEFAULT_JOB_BACKOFF_MS,
  };

  async function processScheduled(job: Job): Promise<{ outcome: 'scheduled' }> {
    const { integrationId, kind } = scheduledSyncJobDataSchema.parse(job.data);
    await recordIntent(deps.redis, config.queuePrefix, {
      integrationId,
      replayTtlSeconds: 1,
      intent: { models: 'all', full: kind === 'full', triggers: [`schedule:${kind}`] },
    });
    await ensureSyncJob(deps.queue, integrationId, ensureOptions);
    return { outcome: 'scheduled' };
  }

  const worker = new Worker(
    SYNC_QUEUE,
    async (job: Job, token?: string, signal?: AbortSignal) => {
      const startedAt = performance.now();
      let status = 'completed';
      const kind = job.name === SCHEDULED_SYNC_JOB_NAME ? 'scheduled' : 'sync';
      try {
        if (job.name === SCHEDULED_SYNC_JOB_NAME) return await processScheduled(job);
        if (job.name === SYNC_JOB_NAME) return await processIntegrationJob(ctx, job, token, signal);
        throw new UnrecoverableError(`unknown job name ${job.name}`);
      } catch (err) {
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
    },
    {
      connection: deps.redis,
      prefix: config.queuePrefix,
      concurrency: config.workerConcurrency,
      lockDuration: config.lockDurationMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT,
      autorun: true,
    },
  );
  worker.on('error', (err) => logger.warn({ err }, 'sync worker error'));

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
  worker.on('failed', (job, err) =>
    logger.warn({ jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade, err }, 'sync job failed'),
  );

  let closing: Promise<void> | undefined;
  return {
    worker,
    close(timeoutMs) {
      closing ??= (async () => {
        clearInterval(sweepRuns);
        // close() first (it stops fetching at once), then abort: a job handed back is not re-taken by this worker.
        const closed = worker.close();
        worker.cancelAllJobs('worker shutting down');
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>(
          (resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)),
        );
        const isTimedOut = await Promise.race([closed.then(() => false), timedOut]);
        clearTimeout(timer);
        // The process exits anyway; a job still running is recovered by another worker as stalled.
        if (isTimedOut)
          logger.warn({ timeoutMs }, 'running syncs did not stop in time: leaving them to stall over');
        if (relay) {
          await relay.kick();
          await relay.close();
        }
        await feed?.close();
      })();
      return closing;
    },
  };
}
