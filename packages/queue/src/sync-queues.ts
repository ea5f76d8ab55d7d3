import { Queue, type ConnectionOptions } from 'bullmq';
import { DEFAULT_QUEUE_PREFIX, SYNC_BULK_QUEUE, SYNC_ONBOARDING_QUEUE, SYNC_QUEUE } from './names.js';
import { SYNC_EVENTS_MAX_LEN } from './job-retention.js';

/**
 * Which lane a sync job waits in: changes (`delta`), the first slice of a new integration (`onboarding`), or the
 * slices of full and initial passes (`bulk`). `laneOf` (request-sync.ts) decides it from the intent.
 */
export type SyncLane = 'delta' | 'onboarding' | 'bulk';

/** Every lane, in the order views list them. */
export const SYNC_LANES: readonly SyncLane[] = ['delta', 'onboarding', 'bulk'];

/**
 * The three lanes of sync jobs. Workers take each lane with slots of their own, so bulk work (a full or initial pass
 * of a big integration, hours long) can never hold the slots that small changes need, nor those of a new
 * integration's first slice.
 */
export interface SyncQueues {
  readonly delta: Queue;
  readonly onboarding: Queue;
  readonly bulk: Queue;
}

/** The queue of every lane, in {@link SYNC_LANES} order: for whatever must see them all (retries, depth, errors). */
export function laneQueues(queues: SyncQueues): Queue[] {
  return SYNC_LANES.map((lane) => queues[lane]);
}

/** The event stream bound of every lane ({@link SYNC_EVENTS_MAX_LEN}). */
export const SYNC_STREAMS = { events: { maxLen: SYNC_EVENTS_MAX_LEN } };

/**
 * Creates the lanes (`kombo-sync`, `kombo-sync-onboarding`, `kombo-sync-bulk`) on `connection` under `prefix`
 * (default `{kombo-sync}`).
 */
export function createSyncQueues(
  connection: ConnectionOptions,
  { prefix = DEFAULT_QUEUE_PREFIX } = {},
): SyncQueues {
  return {
    delta: new Queue(SYNC_QUEUE, { connection, prefix, streams: SYNC_STREAMS }),
    onboarding: new Queue(SYNC_ONBOARDING_QUEUE, { connection, prefix, streams: SYNC_STREAMS }),
    bulk: new Queue(SYNC_BULK_QUEUE, { connection, prefix, streams: SYNC_STREAMS }),
  };
}

/** Closes every lane's queue client. */
export async function closeSyncQueues(queues: SyncQueues): Promise<void> {
  await Promise.all(laneQueues(queues).map((queue) => queue.close()));
}
