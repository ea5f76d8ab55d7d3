import { bulkLaneOf, type Intent, type SyncLane } from '@kombo-sync/queue';
import { ensureLaneJob } from './hand-on-to-bulk-lane.js';
import type { JobContext } from './job-context.js';

/**
 * The work a run hands back at the end of its time slice, marked as a pass under way (`slice: 'next'`): wherever its
 * job is re-added (here, by the sweeper, or by a delta-lane job that takes it first), it waits in the bulk lane at
 * the priority of the passes under way.
 */
export function nextSliceWork(work: Partial<Intent>): Partial<Intent> {
  return { ...work, slice: 'next' };
}

/**
 * The hook a run that yielded at the end of its time slice calls once its unfinished `work` (marked by
 * {@link nextSliceWork}) is back in the pending intent and its lease released: ensures the job of its next slice in
 * the bulk lane's line of passes under way, behind those that have done less (`priorityOf`), whether the slice ran
 * there or in the onboarding lane (a new integration's first slice). So the passes under way take turns, the least
 * advanced first, and any worker takes the next slice. In the lane the job runs in, BullMQ keeps the new job as the
 * active one's follow-up and adds it when that job finishes; the onboarding lane's slice adds it to the bulk lane at
 * once.
 */
export async function requeueAfterSlice(
  ctx: Pick<JobContext, 'request' | 'queues' | 'database'>,
  integrationId: string,
  lane: SyncLane,
  work: Partial<Intent>,
): Promise<Exclude<SyncLane, 'delta'>> {
  const next = nextSliceWork(work);
  const to = bulkLaneOf(next);
  await ensureLaneJob(ctx, integrationId, to, next, work.requestIds?.at(-1));
  return to;
}
