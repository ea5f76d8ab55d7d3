import { Queue, type ConnectionOptions } from 'bullmq';
import { DEFAULT_QUEUE_PREFIX, SYNC_BULK_QUEUE, SYNC_QUEUE } from './names.js';
import { SYNC_EVENTS_MAX_LEN } from './job-retention.js';

/** Which lane a sync job waits in: changes, or full and initial passes. */
export type SyncLane = 'delta' | 'bulk';

/**
 * The two lanes of sync jobs. Workers take each lane with slots of its own, so bulk work (a full or initial pass
 * of a big integration, hours long) can never hold the slots that small changes need.
 */
export interface SyncQueues {
  readonly delta: Queue;
  readonly bulk: Queue;
}

/** The event stream bound of both lanes ({@link SYNC_EVENTS_MAX_LEN}). */
export const SYNC_STREAMS = { events: { maxLen: SYNC_EVENTS_MAX_LEN } };

/** Creates both lanes (`kombo-sync`, `kombo-sync-bulk`) on `connection` under `prefix` (default `{kombo-sync}`). */
export function createSyncQueues(
  connection: ConnectionOptions,
  { prefix = DEFAULT_QUEUE_PREFIX } = {},
): SyncQueues {
  return {
    delta: new Queue(SYNC_QUEUE, { connection, prefix, streams: SYNC_STREAMS }),
    bulk: new Queue(SYNC_BULK_QUEUE, { connection, prefix, streams: SYNC_STREAMS }),
  };
}

/** Closes both lanes' queue clients. */
export async function closeSyncQueues(queues: SyncQueues): Promise<void> {
  await Promise.all([queues.delta.close(), queues.bulk.close()]);
}
