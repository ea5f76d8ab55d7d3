import {
  completeIntent,
  ensureSyncJob,
  priorityOf,
  type Intent,
  type SyncLane,
  type TakenIntent,
} from '@kombo-sync/queue';
import type { JobContext } from './job-context.js';
import { traceparentOption } from './trace-sync.js';

/** Completes the take, handing `work` back into the pending intent in the same step, and ensures a bulk-lane job. */
export async function handOnToBulkLane(
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
  await ensureLaneJob(ctx, integrationId, 'bulk', work, intent.requestIds.at(-1));
}

/**
 * Ensures the integration's sync job in `lane`, ready now, with the priority `work` has there. While the calling job
 * is active in that lane, BullMQ keeps the new one as its follow-up and queues it when the calling job finishes.
 */
export async function ensureLaneJob(
  ctx: Pick<JobContext, 'config' | 'queues'>,
  integrationId: string,
  lane: SyncLane,
  work: Partial<Intent>,
  requestId: string | undefined,
): Promise<void> {
  const { config } = ctx;
  const priority = priorityOf(work, lane);
  await ensureSyncJob(ctx.queues[lane], integrationId, {
    attempts: config.jobAttempts,
    backoffMs: config.jobBackoffMs,
    ...(priority === undefined ? {} : { priority }),
    ...(requestId === undefined ? {} : { requestId }),
    ...traceparentOption(),
  });
}
