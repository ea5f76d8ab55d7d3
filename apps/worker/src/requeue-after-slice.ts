import type { Intent, SyncLane } from '@kombo-sync/queue';
import { ensureLaneJob } from './hand-on-to-bulk-lane.js';
import type { JobContext } from './job-context.js';

/**
 * The hook a run that yielded at the end of its time slice calls once its unfinished `work` is back in the pending
 * intent: ensures the integration's job in the same `lane`, so the next slice waits in line behind the work queued
 * meanwhile. (Bulk time slices refine where and when the next slice runs.)
 */
export async function requeueAfterSlice(
  ctx: Pick<JobContext, 'config' | 'queues'>,
  integrationId: string,
  lane: SyncLane,
  work: Partial<Intent>,
): Promise<void> {
  await ensureLaneJob(ctx, integrationId, lane, work, work.requestIds?.at(-1));
}
