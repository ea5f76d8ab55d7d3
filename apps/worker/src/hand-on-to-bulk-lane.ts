import { hasCommittedData } from '@kombo-sync/db';
import {
  bulkLaneOf,
  completeIntent,
  ensureSyncJob,
  priorityOf,
  type Intent,
  type SyncLane,
  type TakenIntent,
} from '@kombo-sync/queue';
import type { HeldLease } from './hold-lease.js';
import type { JobContext } from './job-context.js';
import { traceparentOption } from './trace-sync.js';

/**
 * Completes the take, handing `work` (full or initial passes) back into the pending intent in the same step, and
 * ensures its job in the lane of bulk work (`bulkLaneOf`): the onboarding lane when nothing of the integration is
 * committed yet (the work is marked `slice: 'first'`), else the bulk lane. The lease is released before the job is
 * added, so the job never finds it held. Returns the lane, or undefined when a later take holds the work.
 */
export async function handOnToBulkLane(
  ctx: JobContext,
  integrationId: string,
  intent: TakenIntent,
  work: Partial<Intent>,
  lease: Pick<HeldLease, 'release'>,
): Promise<SyncLane | undefined> {
  const { config } = ctx;
  const isNew = work.slice === undefined && !(await hasCommittedData(ctx.database, integrationId));
  const marked: Partial<Intent> = isNew ? { ...work, slice: 'first' } : work;
  const isLatestTake = await completeIntent(
    ctx.redis,
    config.queuePrefix,
    integrationId,
    intent.takeId,
    marked,
  );
  // Not the latest take: a later attempt took the in-flight intent, and this work with it.
  if (!isLatestTake) return undefined;
  await lease.release();
  const lane = bulkLaneOf(marked);
  const priority = priorityOf(marked, lane);
  await ensureSyncJob(ctx.queues[lane], integrationId, {
    attempts: config.jobAttempts,
    backoffMs: config.jobBackoffMs,
    ...(priority === undefined ? {} : { priority }),
    ...(intent.requestIds.length > 0 ? { requestId: intent.requestIds.at(-1) as string } : {}),
    ...traceparentOption(),
  });
  return lane;
}
