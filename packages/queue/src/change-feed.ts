import { defaultsOf, syncSettings } from '@kombo-sync/config';
import { Queue, type ConnectionOptions } from 'bullmq';
import { changeFeedKeys, CHANGES_JOB_NAME, CHANGES_QUEUE, DEFAULT_QUEUE_PREFIX } from './names.js';
import { changeMessageSchema, type ChangeMessage } from './job-schemas.js';
import type { RedisConnection } from './create-redis.js';

/** Default bound of the change feed (CHANGE_FEED_MAX_MESSAGES): messages kept waiting for a consumer. */
export const DEFAULT_CHANGE_FEED_MAX_MESSAGES = defaultsOf(syncSettings).changeFeedMaxMessages;

/** Most waiting messages one trim step lists at once. */
const TRIM_STEP = 1_000;

/** Creates the change feed queue (`kombo-sync-changes`) on `connection` under `prefix` (default `{kombo-sync}`). */
export function createChangesQueue(
  connection: ConnectionOptions,
  { prefix = DEFAULT_QUEUE_PREFIX } = {},
): Queue {
  return new Queue(CHANGES_QUEUE, { connection, prefix });
}

/** Change feed messages dropped unread since the feed began, fleet-wide (0 before any was dropped). */
export async function changeFeedDroppedCount(redis: RedisConnection, prefix: string): Promise<number> {
  return Number((await redis.get(changeFeedKeys.dropped(prefix))) ?? 0);
}

/** A message to publish: everything but `droppedCount`, which the feed fills in; `jobId` makes it idempotent. */
export interface ChangeFeedEntry {
  message: Omit<ChangeMessage, 'droppedCount'>;
  /** BullMQ job id (no `:`, not an integer): publishing the same id again is a no-op while the first is kept. */
  jobId?: string;
}

export interface ChangeFeed {
  /** The BullMQ queue the messages go to (`kombo-sync-changes`). */
  queue: Queue;
  /**
   * Publishes `entries` in order (job name `changes`) after removing the oldest waiting messages, so that at most
   * `maxMessages` wait afterwards; of a batch larger than the bound only the newest `maxMessages` are published.
   * Returns how many were published and how many were dropped (removed unread, or never published).
   * Not safe to call concurrently for one feed: the outbox relay calls it from one place at a time.
   */
  publish(entries: readonly ChangeFeedEntry[]): Promise<{ published: number; dropped: number }>;
  /** Messages dropped unread since the feed began (the `droppedCount` a message carries). */
  droppedCount(): Promise<number>;
  /** Closes the queue (not `redis`). */
  close(): Promise<void>;
}

/**
 * The bounded change feed: a BullMQ queue whose waiting messages never exceed `maxMessages` (default 10,000),
 * even with no consumer: BullMQ has no length limit on waiting jobs, so each publish first removes the oldest
 * waiting messages beyond the bound (BullMQ's own `remove`, which deletes every key of the job) and counts them in
 * `<prefix>:change-feed:dropped`. Completed and failed messages are kept up to `maxMessages` each (7 days at most
 * for completed), so with a consumer the feed holds at most 3 × `maxMessages` jobs. Nothing is written to Redis
 * before the first `publish`.
 */
export function createChangeFeed(
  redis: RedisConnection,
  { prefix = DEFAULT_QUEUE_PREFIX, maxMessages = DEFAULT_CHANGE_FEED_MAX_MESSAGES } = {},
): ChangeFeed {
  if (!Number.isInteger(maxMessages) || maxMessages < 1)
    throw new RangeError(`maxMessages must be a positive integer, got ${maxMessages}`);
  const queue = createChangesQueue(redis, { prefix });
  const droppedKey = changeFeedKeys.dropped(prefix);

  /** Removes the oldest waiting messages until at most `keep` wait; returns how many it removed. */
  async function trim(keep: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const excess = (await queue.getJobCountByTypes('wait')) - keep;
      if (excess <= 0) return removed;
      // Oldest first. A message a consumer takes meanwhile is no longer waiting: its remove is refused (0 or a
      // locked error) and the count is read again.
      const ids = await queue.getRanges(['wait'], 0, Math.min(excess, TRIM_STEP) - 1, true);
      if (ids.length === 0) return removed;
      const codes = await Promise.all(ids.map((id) => queue.remove(id).catch(() => 0)));
      removed += codes.filter((code) => code === 1).length;
    }
  }

  return {
    queue,
    async publish(entries) {
      if (entries.length === 0) return { published: 0, dropped: 0 };
      const kept = entries.slice(-maxMessages);
      const removed = await trim(maxMessages - kept.length);
      const notPublished = entries.length - kept.length;
      const droppedCount =
        removed + notPublished > 0
          ? await redis.incrby(droppedKey, removed + notPublished)
          : Number((await redis.get(droppedKey)) ?? 0);
      // One addBulk: the adds reach Redis in order, so the wait list keeps the entries' order.
      await queue.addBulk(
        kept.map(({ message, jobId }) => ({
          name: CHANGES_JOB_NAME,
          data: changeMessageSchema.parse({ ...message, droppedCount }),
          opts: {
            ...(jobId === undefined ? {} : { jobId }),
            removeOnComplete: { count: maxMessages, age: 7 * 24 * 60 * 60 },
            removeOnFail: { count: maxMessages },
          },
        })),
      );
      return { published: kept.length, dropped: removed + notPublished };
    },
    droppedCount: () => changeFeedDroppedCount(redis, prefix),
    close: () => queue.close(),
  };
}
