import type { ModelName } from '@kombo-sync/catalog';
import { ensureSyncJob, recordIntent } from '@kombo-sync/queue';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface EnqueueDeps {
  redis: Redis;
  queue: Queue;
  /** Redis key prefix (`QUEUE_PREFIX`). */
  prefix: string;
  /** Attempts of the job (`SYNC_JOB_ATTEMPTS`); default that of packages/queue. */
  jobAttempts?: number;
}

export interface EnqueueInput {
  integrationId: string;
  /** Full pass (deletion reconciliation) instead of a delta. */
  full: boolean;
  /** Models to sync; default all. */
  models?: readonly ModelName[];
  /** Recorded in the intent's triggers, e.g. `manual`. */
  trigger: string;
  /** Travels with the intent into the run's request_ids, so `--wait` can find the run. */
  requestId: string;
}

/**
 * Enqueues a sync the way webhooks do: merges the intent into the integration's pending intent (no event id, so
 * never a replay) and makes sure the coalesced sync job exists. Returns the id of the job `ensureSyncJob` reports.
 */
export async function enqueueSync(deps: EnqueueDeps, input: EnqueueInput): Promise<string | undefined> {
  await recordIntent(deps.redis, deps.prefix, {
    integrationId: input.integrationId,
    // Unused without an event id, but the script needs a positive TTL.
    replayTtlSeconds: 60,
    intent: {
      models: input.models ? [...input.models] : 'all',
      full: input.full,
      triggers: [input.trigger],
      requestIds: [input.requestId],
    },
  });
  return ensureSyncJob(deps.queue, input.integrationId, {
    requestId: input.requestId,
    ...(deps.jobAttempts === undefined ? {} : { attempts: deps.jobAttempts }),
  });
}
