import type { Gauge } from 'prom-client';

/** What {@link collectQueueDepth} needs of a BullMQ `Queue` (structural, so this package does not import bullmq). */
export interface QueueLike {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/** BullMQ job states reported by {@link collectQueueDepth}. */
export const QUEUE_STATES = [
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'failed',
  'completed',
  'paused',
] as const;

/**
 * Sets `gauge{queue, state}` to the queue's current job counts (one Redis round trip), with `lane` when the queue is
 * a sync lane (`delta`, `bulk`, …: the key of the lane in the fleet's queues). Call it on scrape, e.g. from
 * {@link metricsHandler}'s `onScrape`, so the figures are as fresh as the scrape.
 */
export async function collectQueueDepth(
  queue: QueueLike,
  gauge: Gauge<'queue' | 'state' | 'lane'>,
  lane?: string,
): Promise<void> {
  const counts = await queue.getJobCounts(...QUEUE_STATES);
  for (const state of QUEUE_STATES)
    gauge.set({ queue: queue.name, state, ...(lane === undefined ? {} : { lane }) }, counts[state] ?? 0);
}

/** {@link collectQueueDepth} for every lane of `lanes` (an object of lane name → queue, e.g. the sync queues). */
export async function collectLaneDepth<L extends string>(
  lanes: Readonly<Record<L, QueueLike>>,
  gauge: Gauge<'queue' | 'state' | 'lane'>,
): Promise<void> {
  const entries = Object.entries(lanes) as [L, QueueLike][];
  await Promise.all(entries.map(([lane, queue]) => collectQueueDepth(queue, gauge, lane)));
}
