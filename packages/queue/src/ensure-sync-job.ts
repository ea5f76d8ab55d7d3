import { defaultsOf, redisSettings } from '@kombo-sync/config';
import { Queue, type ConnectionOptions } from 'bullmq';
import { DEFAULT_QUEUE_PREFIX, SYNC_JOB_NAME, SYNC_QUEUE } from './names.js';
import { QUEUE_DATA_VERSION } from './data-version.js';
import type { SyncJobData } from './job-schemas.js';
import { SYNC_JOB_RETENTION } from './job-retention.js';
import { SYNC_STREAMS } from './sync-queues.js';

/** Creates the sync queue (`kombo-sync`) on `connection` under `prefix` (default `{kombo-sync}`). */
export function createSyncQueue(
  connection: ConnectionOptions,
  { prefix = DEFAULT_QUEUE_PREFIX } = {},
): Queue {
  return new Queue(SYNC_QUEUE, { connection, prefix, streams: SYNC_STREAMS });
}

/** First exponential backoff delay between a sync job's attempts, ms (not configurable by environment). */
export const DEFAULT_JOB_BACKOFF_MS = 5_000;

export interface EnsureSyncJobOptions {
  /** Request id to trace the job back to the webhook (or CLI call) that created it. */
  requestId?: string;
  /** Attempts for retryable failures; default that of `SYNC_JOB_ATTEMPTS` (packages/config). */
  attempts?: number;
  /** First exponential backoff delay, ms; default {@link DEFAULT_JOB_BACKOFF_MS}. */
  backoffMs?: number;
  /** BullMQ priority within the lane: 1 is taken first. Default none (after every prioritized job). */
  priority?: number;
  /** W3C `traceparent` the job's span continues (see `SyncJobData`). Default none. */
  traceparent?: string;
}

/**
 * Makes sure a `sync` job will run for the integration after now: one coalesced job per integration id
 * (BullMQ deduplication with `keepLastIfActive`). While a job waits, the add is dropped (the waiting job will read
 * the merged intent when it starts); while one runs, one follow-up job is kept and runs after it. Call it after
 * {@link recordIntent}: the job's work is the intent, never the job data. Returns the id of the job that will run.
 */
export async function ensureSyncJob(
  queue: Queue,
  integrationId: string,
  {
    requestId,
    attempts = defaultsOf(redisSettings).jobAttempts,
    backoffMs = DEFAULT_JOB_BACKOFF_MS,
    priority,
    traceparent,
  }: EnsureSyncJobOptions = {},
): Promise<string | undefined> {
  const data: SyncJobData = {
    v: QUEUE_DATA_VERSION,
    integrationId,
    ...(requestId === undefined ? {} : { requestId }),
    ...(traceparent === undefined ? {} : { traceparent }),
  };
  const job = await queue.add(SYNC_JOB_NAME, data, {
    deduplication: { id: integrationId, keepLastIfActive: true },
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    ...(priority === undefined ? {} : { priority }),
    ...SYNC_JOB_RETENTION,
  });
  return job.id;
}
