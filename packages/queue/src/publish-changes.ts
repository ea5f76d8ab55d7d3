import { Queue, type ConnectionOptions } from 'bullmq';
import { CHANGES_JOB_NAME, CHANGES_QUEUE, DEFAULT_QUEUE_PREFIX } from './names.js';
import { changeMessageSchema, type ChangeMessage } from './job-schemas.js';

/** Creates the change feed queue (`kombo-sync-changes`) on `connection` under `prefix` (default `{kombo-sync}`). */
export function createChangesQueue(
  connection: ConnectionOptions,
  { prefix = DEFAULT_QUEUE_PREFIX } = {},
): Queue {
  return new Queue(CHANGES_QUEUE, { connection, prefix });
}

/**
 * Publishes one change feed message (job name `changes`) after its page committed. Completed messages are kept
 * up to 10,000 / 7 days for consumers that read the queue rather than run a Worker on it. With `jobId` (no `:`,
 * not an integer), publishing the same message again is a no-op while the first is kept (e.g. an outbox relay).
 */
export async function publishChanges(
  queue: Queue,
  message: ChangeMessage,
  { jobId }: { jobId?: string } = {},
): Promise<void> {
  await queue.add(CHANGES_JOB_NAME, changeMessageSchema.parse(message), {
    ...(jobId === undefined ? {} : { jobId }),
    removeOnComplete: { count: 10_000, age: 7 * 24 * 60 * 60 },
    removeOnFail: { count: 10_000 },
  });
}
