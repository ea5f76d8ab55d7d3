import { Redis, type RedisOptions } from 'ioredis';

/**
 * What the connection is for:
 * - `queue`: request/response paths (the ingress): no offline queue and one retry per command, so a down Redis
 *   fails a command at once instead of queueing it; reconnects in the background (100 ms steps up to 2 s).
 *   No auto-pipelining: each webhook's commands are issued from their own I/O callback, so a tick's batch is
 *   nearly always one command and the pipeline machinery only added cost (measured: +15% webhooks/s without it).
 * - `worker`: BullMQ workers: `maxRetriesPerRequest: null` as BullMQ requires for blocking commands.
 * - `client`: CLI, dashboard, tests: ioredis defaults (offline queue on, 20 retries per command).
 */
export type RedisRole = 'queue' | 'worker' | 'client';

/** ioredis options for a role; see {@link RedisRole}. */
export function redisOptions(role: RedisRole): RedisOptions {
  const retryStrategy = (times: number) => Math.min(times * 100, 2_000);
  switch (role) {
    case 'queue':
      return {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        enableAutoPipelining: false,
        retryStrategy,
      };
    case 'worker':
      return { maxRetriesPerRequest: null, retryStrategy };
    case 'client':
      return { retryStrategy };
  }
}

/**
 * Opens an ioredis connection to `url` (redis:// or rediss://) with the options of `role`. The caller owns it and
 * must `quit()` it. Add an `error` listener: ioredis reports connection losses as `error` events.
 */
export function createRedis(url: string, { role }: { role: RedisRole }): Redis {
  return new Redis(url, redisOptions(role));
}
