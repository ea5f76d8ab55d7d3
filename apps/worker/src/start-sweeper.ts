import type { Logger } from '@kombo-sync/logger';
import { dirtyIntegrations, ensureSyncJob } from '@kombo-sync/queue';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Every `intervalMs`, makes sure every integration with a recorded but untaken intent has a sync job (repairs a
 * crash between the ingress's recordIntent and its job add; an existing job is deduplicated). Returns a stop function.
 */
export function startSweeper({
  redis,
  queue,
  prefix,
  logger,
  intervalMs,
  ensureOptions,
}: {
  redis: Redis;
  queue: Queue;
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
      for (const id of ids) await ensureSyncJob(queue, id, ensureOptions);
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
