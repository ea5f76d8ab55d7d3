import { createDatabase, type Database } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import {
  closeSyncQueues,
  createRedis,
  createSyncQueues,
  describeRedisUrl,
  requestSyncDeps,
  type RedisConnection,
  type RequestSyncDeps,
  type SyncQueues,
} from '@kombo-sync/queue';
import { QueueEvents } from 'bullmq';
import type { CliConfig } from './cli-config.js';
import { ServiceUnreachableError } from './errors.js';

/** Connections opened on first use, so each command only needs the services it uses; `close()` closes them all. */
export interface Services {
  database(): Promise<Database>;
  redis(): Promise<RedisConnection>;
  /** Both lanes of sync jobs. */
  syncQueues(): Promise<SyncQueues>;
  /** How the commands ask for syncs: Redis, the sync queues, the prefix and job options of the config. */
  syncRequest(): Promise<RequestSyncDeps>;
  /** A QueueEvents of the named sync lane's queue, ready (its own connection); the caller closes it. */
  openQueueEvents(queueName: string): Promise<QueueEvents>;
  close(): Promise<void>;
}

export { describeRedisUrl };

/**
 * Connects to Redis, failing fast with a {@link ServiceUnreachableError} (exit 4) naming host:port when it does
 * not answer. A few reconnect attempts, one retry per command: a CLI should report an outage, not hang.
 */
export async function connectRedis(url: string, connectTimeoutMs: number): Promise<RedisConnection> {
  const redis = createRedis(url, {
    role: 'client',
    lazyConnect: true,
    connectTimeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => (times > 3 ? null : times * 200),
  });
  // Connection losses surface as rejected commands; without a listener ioredis would print them. The last one
  // explains a failed connect better than ioredis' "Connection is closed".
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    // A Cluster's "Failed to refresh slots cache." says less than the node's own error it carries.
    const nested = (err as { lastNodeError?: unknown }).lastNodeError;
    lastError = nested instanceof Error ? nested : err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const reason = (lastError ?? err) instanceof Error ? (lastError ?? (err as Error)).message : String(err);
    throw new ServiceUnreachableError('Redis', describeRedisUrl(url), reason.split(url).join('REDIS_URL'), {
      cause: err,
    });
  }
  return redis;
}

export function createServices(config: CliConfig, logger?: Logger): Services {
  let database: Promise<Database> | undefined;
  let redis: Promise<RedisConnection> | undefined;
  // QueueEvents' connections (BullMQ blocks on a copy of each); closed with the rest.
  const eventConnections: RedisConnection[] = [];
  let queues: Promise<SyncQueues> | undefined;
  const getRedis = () => (redis ??= connectRedis(config.redisUrl, config.connectTimeoutMs));
  const syncQueues = () =>
    (queues ??= getRedis().then((r) => createSyncQueues(r, { prefix: config.queuePrefix })));
  let request: Promise<RequestSyncDeps> | undefined;
  return {
    database: () =>
      (database ??= createDatabase({
        url: config.databaseUrl,
        poolSize: Math.min(config.databasePoolSize, config.maxDatabasePoolSize),
        connectTimeoutMs: config.connectTimeoutMs,
        logger,
      })),
    redis: getRedis,
    syncQueues,
    syncRequest: () =>
      (request ??= Promise.all([getRedis(), syncQueues()]).then(([r, q]) => requestSyncDeps(r, q, config))),
    async openQueueEvents(queueName) {
      // Checks Redis first, so an outage is reported like everywhere else; QueueEvents blocks, so it gets its own.
      await getRedis();
      const connection = createRedis(config.redisUrl, { role: 'worker' });
      connection.on('error', () => undefined);
      eventConnections.push(connection);
      const events = new QueueEvents(queueName, { connection, prefix: config.queuePrefix });
      events.on('error', () => undefined);
      await events.waitUntilReady();
      return events;
    },
    async close() {
      const settled = await Promise.allSettled([queues, redis, database]);
      const [q, r, d] = settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined)) as [
        SyncQueues | undefined,
        RedisConnection | undefined,
        Database | undefined,
      ];
      if (q) await closeSyncQueues(q).catch(() => undefined);
      await r?.quit().catch(() => r.disconnect());
      for (const connection of eventConnections) await connection.quit().catch(() => connection.disconnect());
      await d?.close().catch(() => undefined);
    },
  };
}
