// Test-only helpers (imported by *.int.test.ts here and in /test); not used by the command.
import { randomUUID } from 'node:crypto';
import type { Database } from '@kombo-sync/db';
import {
  closeSyncQueues,
  createRedis,
  createSyncQueues,
  requestSyncDeps,
  type RequestSyncDeps,
  type SyncQueues,
} from '@kombo-sync/queue';
import type { Queue } from 'bullmq';
import { testServices } from '@kombo-sync/config/testing';
import { createTestDatabase as createMigratedDatabase } from '@kombo-sync/db/testing';
import type { RedisConnection } from '@kombo-sync/queue';
import { cliConfig } from '../cli-config.js';

/** A fresh database `cli_test_<random>` with the migrations applied; `drop()` closes and drops it. */
export function createTestDatabase(): Promise<{ database: Database; url: string; drop(): Promise<void> }> {
  return createMigratedDatabase(testServices().databaseUrl, { namePrefix: 'cli_test' });
}

/** What the queue-facing commands run against: a fresh database, a Redis client and the sync queue under `prefix`. */
export interface QueueSuite {
  database: Database;
  /** The database's URL, for a CLI process. */
  databaseUrl: string;
  redis: RedisConnection;
  queues: SyncQueues;
  /** The delta lane (`queues.delta`). */
  queue: Queue;
  /** The bulk lane (`queues.bulk`), where full syncs wait. */
  bulkQueue: Queue;
  prefix: string;
  /** How the commands ask for syncs under `prefix`, with the CLI's default job options. */
  request: RequestSyncDeps;
  /** Closes the queue, deletes the prefix's keys, closes Redis and drops the database. */
  close(): Promise<void>;
}

export async function openQueueSuite(): Promise<QueueSuite> {
  const prefix = testPrefix();
  const { database, url: databaseUrl, drop } = await createTestDatabase();
  const redis = createRedis(testServices().redisUrl, { role: 'client' });
  const queues = createSyncQueues(redis, { prefix });
  return {
    database,
    databaseUrl,
    redis,
    queues,
    queue: queues.delta,
    bulkQueue: queues.bulk,
    prefix,
    request: requestSyncDeps(redis, queues, cliConfig({ queuePrefix: prefix })),
    async close() {
      await closeSyncQueues(queues);
      await deleteKeys(redis, prefix);
      await redis.quit();
      await drop();
    },
  };
}

/** A unique Redis key prefix (a Cluster hash tag) for one suite. */
export function testPrefix(): string {
  return `{cli-test-${randomUUID().slice(0, 8)}}`;
}

/** Deletes every key under the prefix. */
export async function deleteKeys(redis: RedisConnection, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}
