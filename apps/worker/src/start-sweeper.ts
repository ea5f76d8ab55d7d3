import type { Logger } from '@kombo-sync/logger';
import {
  dirtyIntegrations,
  ensureSyncJob,
  laneOf,
  peekIntent,
  priorityOf,
  type SyncQueues,
} from '@kombo-sync/queue';
import type { RedisConnection } from '@kombo-sync/queue';

/**
 * Every `intervalMs`, makes sure every integration with a recorded but untaken intent has a sync job in its lane,
 * with its priority there (`laneOf`, `priorityOf`): repairs a crash between recording an intent (the ingress, or a
 * run handing work on or back) and the job add; an existing job is deduplicated. Returns a stop function.
 */
export function startSweeper({
  redis,
  queues,
  prefix,
  logger,
  intervalMs,
  ensureOptions,
}: {
  redis: RedisConnection;
  queues: SyncQueues;
  prefix: string;
  logger: Logger;
  intervalMs: number;
  ensureOptions: { attempts: number; backoffMs?: number };
}): () => void {
  let isRunning = false;
  const sweep = async (): Promise<void> => {
    if (isRunning) return;
    isRunning = true;
    try {
      const ids = await dirtyIntegrations(redis, prefix);
      for (const id of ids) {
        const pending = await peekIntent(redis, prefix, id);
        if (!pending) continue;
        const lane = laneOf(pending);
        const priority = priorityOf(pending, lane);
        await ensureSyncJob(queues[lane], id, {
          ...ensureOptions,
          ...(priority === undefined ? {} : { priority }),
        });
      }
      if (ids.length > 0) logger.debug({ integrations: ids.length }, 'sweeper ensured sync jobs');
    } catch (err) {
      logger.warn({ err }, 'sweeper failed');
    } finally {
      isRunning = false;
    }
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
