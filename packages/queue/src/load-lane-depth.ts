import { SYNC_LANES, type SyncLane, type SyncQueues } from './sync-queues.js';

/** Jobs of one lane of sync jobs, by state. */
export interface LaneDepth {
  lane: SyncLane;
  /** The BullMQ queue's name (`kombo-sync`, `kombo-sync-onboarding`, `kombo-sync-bulk`). */
  queue: string;
  /** Waiting to be taken, prioritized ones included (requestSync gives jobs a priority within the lane). */
  waiting: number;
  /** Waiting for a time: backoff, another run holding the integration, a rate limit. */
  delayed: number;
  /** Taken by a worker now. */
  active: number;
}

/** The depth of every lane: one `getJobCounts` per lane (the status views' lane depth). */
export async function loadLaneDepth(queues: SyncQueues): Promise<LaneDepth[]> {
  return Promise.all(
    SYNC_LANES.map(async (lane) => {
      const queue = queues[lane];
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      return {
        lane,
        queue: queue.name,
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        delayed: counts.delayed ?? 0,
        active: counts.active ?? 0,
      };
    }),
  );
}
