import { completeIntent, type Intent, type SyncLane } from '@kombo-sync/queue';
import type { YieldReason } from '@kombo-sync/sync';
import type { ActiveJob } from './handle-job-error.js';
import { ensureLaneJob } from './hand-on-to-bulk-lane.js';
import type { JobContext } from './job-context.js';
import { parkWork } from './keep-paused-work.js';
import { nextSliceWork, requeueAfterSlice } from './requeue-after-slice.js';

/**
 * Hands the unfinished `work` of a run that yielded (or was cancelled at shutdown) back, completing the job's take
 * in the same atomic step, then by reason: `shutdown`, a job in the same lane, ready as soon as this one ends (a peer
 * takes it within seconds; a new job, so no attempt is used); `pause`, parked like the work of a paused integration
 * (no job until the resume, see {@link parkWork}); `slice`, marked as a pass under way and {@link requeueAfterSlice}.
 * With no work left the take is simply completed.
 */
export async function handBackWork(
  ctx: JobContext,
  { integrationId, intent, log }: Pick<ActiveJob, 'integrationId' | 'intent' | 'log'>,
  { lane, reason, work }: { lane: SyncLane; reason: YieldReason; work: Partial<Intent> | undefined },
): Promise<void> {
  if (reason === 'pause' && work) {
    await parkWork(ctx, { integrationId, takeId: intent.takeId, work, log });
    return;
  }
  const prefix = ctx.config.queuePrefix;
  const handed = reason === 'slice' && work ? nextSliceWork(work) : work;
  const isLatestTake = await completeIntent(ctx.redis, prefix, integrationId, intent.takeId, handed);
  // Not the latest take: a later attempt took the in-flight intent, and this work with it.
  if (!isLatestTake || !work) return;
  if (reason === 'slice') await requeueAfterSlice(ctx, integrationId, lane, work);
  else await ensureLaneJob(ctx, integrationId, lane, work, intent.requestIds.at(-1));
}
