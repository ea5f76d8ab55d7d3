import { completeIntent, ensureSyncJob, priorityOf, type Intent, type TakenIntent } from '@kombo-sync/queue';
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
  const priority = priorityOf(work, 'bulk');
  await ensureSyncJob(ctx.queues.bulk, integrationId, {
    attempts: config.jobAttempts,
    backoffMs: config.jobBackoffMs,
    ...(priority === undefined ? {} : { priority }),
    ...(intent.requestIds.length > 0 ? { requestId: intent.requestIds.at(-1) as string } : {}),
    ...traceparentOption(),
  });
}
