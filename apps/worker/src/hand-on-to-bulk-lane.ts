import { hasCommittedData, openPassPages } from '@kombo-sync/db';
import {
  bulkLaneOf,
  completeIntent,
  ensureSyncJob,
  isNextSlice,
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
 * committed yet (the work is marked `slice: 'first'`), else the bulk lane (a pass under way, taken by a delta-lane
 * job, keeps its `slice: 'next'` and its place among the passes under way). The lease is released before the job is
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
  // A pass under way stays one (its next slice); else the work is a first slice if nothing is committed yet.
  const slice =
    work.slice ??
    (intent.slice === 'next'
      ? 'next'
      : (await hasCommittedData(ctx.database, integrationId))
        ? undefined
        : 'first');
  const marked: Partial<Intent> = slice ? { ...work, slice } : work;
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
  await ensureLaneJob(ctx, integrationId, lane, marked, intent.requestIds.at(-1));
  return lane;
}

/**
 * Ensures the integration's sync job in `lane`, ready now, with the priority `work` has there (a next slice's by how
 * much of its passes is done). While the calling job is active in that lane, BullMQ keeps the new one as its
 * follow-up and queues it when the calling job finishes.
 */
export async function ensureLaneJob(
  ctx: Pick<JobContext, 'request' | 'queues' | 'database'>,
  integrationId: string,
  lane: SyncLane,
  work: Partial<Intent>,
  requestId: string | undefined,
): Promise<void> {
  const pages = isNextSlice(work, lane) ? await openPassPages(ctx.database, integrationId) : 0;
  const priority = priorityOf(work, lane, pages);
  await ensureSyncJob(ctx.queues[lane], integrationId, {
    ...ctx.request.jobOptions,
    ...(priority === undefined ? {} : { priority }),
    ...(requestId === undefined ? {} : { requestId }),
    ...traceparentOption(),
  });
}
