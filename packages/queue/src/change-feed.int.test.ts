import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createChangeFeed, type ChangeFeed, type ChangeFeedEntry } from './change-feed.js';
import { createRedis, type RedisConnection } from './create-redis.js';
import type { ChangeMessage } from './job-schemas.js';
import { CHANGES_QUEUE } from './names.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open(maxMessages: number): { feed: ChangeFeed; redis: RedisConnection; prefix: string } {
  const prefix = `{test-feed-${randomUUID().slice(0, 8)}}`;
  const redis = createRedis(TEST_REDIS_URL, { role: 'worker' });
  const feed = createChangeFeed(redis, { prefix, maxMessages });
  cleanups.push(async () => {
    await feed.queue.obliterate({ force: true });
    await feed.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  return { feed, redis, prefix };
}

let seq = 0;
const entry = (): ChangeFeedEntry => {
  seq += 1;
  return {
    jobId: `outbox-${seq}`,
    message: {
      integrationId: 'personio:a',
      model: 'hris_employees',
      runId: 1,
      changedIds: [`e${seq}`],
      deletedIds: [],
      komboTime: '2026-01-01T00:00:00.000Z',
    },
  };
};
const entries = (n: number) => Array.from({ length: n }, entry);

describe('change feed bound', () => {
  it('with no consumer never holds more than the bound, drops the oldest and counts them', async () => {
    const { feed, redis, prefix } = open(50);
    const published: string[] = [];
    for (let batch = 0; batch < 40; batch += 1) {
      const batchEntries = entries(1 + (batch % 7));
      published.push(...batchEntries.map((e) => e.message.changedIds[0]!));
      await feed.publish(batchEntries);
      expect(await feed.queue.getWaitingCount()).toBeLessThanOrEqual(50);
    }
    // A batch larger than the bound: only its newest 50 are published.
    const big = entries(120);
    published.push(...big.map((e) => e.message.changedIds[0]!));
    expect(await feed.publish(big)).toEqual({ published: 50, dropped: 50 + 70 });

    // The wait list oldest first, as a consumer takes it.
    const waitingIds = await feed.queue.getRanges(['wait'], 0, -1, true);
    const waiting = await Promise.all(waitingIds.map((id) => feed.queue.getJob(id)));
    expect(waiting.map((job) => (job?.data as ChangeMessage).changedIds[0])).toEqual(published.slice(-50));
    expect(await feed.droppedCount()).toBe(published.length - 50);
    expect((waiting.at(-1)?.data as ChangeMessage).droppedCount).toBe(published.length - 50);
    // Keys: one hash per waiting message plus a few fixed ones (wait, meta, id, events, marker, dropped).
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeLessThanOrEqual(50 + 8);
    expect(keys.filter((key) => key.startsWith(`${prefix}:${CHANGES_QUEUE}:outbox-`))).toHaveLength(50);
  });

  it('a consumer within the bound receives every message in order, none dropped', async () => {
    const { feed, prefix } = open(100);
    const batches = Array.from({ length: 10 }, () => entries(9));
    const expected = batches.flat().map((e) => e.message.changedIds[0]);
    const received: string[] = [];
    const consumerRedis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const done = new Promise<void>((resolve) => {
      const consumer = new Worker(
        CHANGES_QUEUE,
        async (job: Job) => {
          received.push((job.data as ChangeMessage).changedIds[0]!);
          if (received.length === expected.length) resolve();
        },
        { connection: consumerRedis, prefix, concurrency: 1 },
      );
      cleanups.push(async () => {
        await consumer.close();
        await consumerRedis.quit();
      });
    });
    for (const batch of batches) await feed.publish(batch);
    await done;
    expect(received).toEqual(expected);
    expect(await feed.droppedCount()).toBe(0);
  });
});
