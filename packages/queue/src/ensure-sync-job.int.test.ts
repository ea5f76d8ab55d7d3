import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { UnrecoverableError, Worker, type Queue } from 'bullmq';
import { createRedis } from './create-redis.js';
import { QUEUE_DATA_VERSION } from './data-version.js';
import { createSyncQueue, ensureSyncJob } from './ensure-sync-job.js';
import { markSyncJobQueued, recordIntent, takeIntent } from './intents.js';
import { SYNC_QUEUE } from './names.js';
import { createChangeFeed, type ChangeFeed } from './change-feed.js';
import { registerSchedules, removeSchedules } from './schedules.js';
import type { RedisConnection } from './create-redis.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const prefix = `{test-queue-${randomUUID().slice(0, 8)}}`;
let redis: RedisConnection;
let syncQueue: Queue;
let changeFeed: ChangeFeed;

beforeAll(() => {
  redis = createRedis(TEST_REDIS_URL, { role: 'client' });
  syncQueue = createSyncQueue(redis, { prefix });
  changeFeed = createChangeFeed(redis, { prefix });
});

afterAll(async () => {
  await syncQueue.close();
  await changeFeed.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('ensureSyncJob', () => {
  it('keeps one waiting job per integration, carrying the first request id', async () => {
    const first = await ensureSyncJob(syncQueue, 'int-a', { requestId: 'req-1' });
    const second = await ensureSyncJob(syncQueue, 'int-a', { requestId: 'req-2' });
    await ensureSyncJob(syncQueue, 'int-b');
    expect(second).toBe(first);
    const waiting = await syncQueue.getWaiting();
    expect(
      waiting.map((job) => job.data).sort((a, b) => a.integrationId.localeCompare(b.integrationId)),
    ).toEqual([
      { v: QUEUE_DATA_VERSION, integrationId: 'int-a', requestId: 'req-1' },
      { v: QUEUE_DATA_VERSION, integrationId: 'int-b' },
    ]);
    expect(waiting[0]?.opts.attempts).toBe(8);
  });
});

describe('schedules', () => {
  it('upserts a full and a safety-net scheduler per integration, idempotently, and removes them', async () => {
    const every = { fullEveryMs: 3_600_000, safetyNetEveryMs: 600_000 };
    await registerSchedules(syncQueue, 'int-s', every);
    await registerSchedules(syncQueue, 'int-s', every);
    const schedulers = await syncQueue.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual(['sync:int-s']);
    await removeSchedules(syncQueue, 'int-s');
    expect(await syncQueue.getJobSchedulers()).toEqual([]);
  });
});

describe('change feed publish', () => {
  it('adds a validated change message to the change feed', async () => {
    const message = {
      integrationId: 'int-c',
      model: 'hris_employees',
      runId: 7,
      changedIds: ['e1'],
      deletedIds: [],
      komboTime: '2026-01-01T00:00:00.000Z',
    };
    await changeFeed.publish([{ message }]);
    const [job] = await changeFeed.queue.getWaiting();
    expect(job?.data).toEqual({ ...message, droppedCount: 0 });
    await expect(
      changeFeed.publish([{ message: { ...message, runId: 'x' as unknown as number } }]),
    ).rejects.toThrow();
  });
});

describe('isQueued (skipping the add when a job will read the intent)', () => {
  const record = (integrationId: string) =>
    recordIntent(redis, prefix, { integrationId, replayTtlSeconds: 60, intent: { models: ['ats_jobs'] } });
  async function ensureAndMark(integrationId: string, generation: string): Promise<string> {
    const jobId = (await ensureSyncJob(syncQueue, integrationId)) as string;
    await markSyncJobQueued(redis, prefix, integrationId, generation, { queueName: SYNC_QUEUE, jobId });
    return jobId;
  }

  it('is true only while the marked job exists unfinished and the intent generation is unchanged', async () => {
    const first = await record('int-q');
    expect(first.isQueued).toBe(false);
    const jobId = await ensureAndMark('int-q', first.generation);
    expect(await record('int-q')).toMatchObject({ isQueued: true, generation: first.generation });

    await (await syncQueue.getJob(jobId))?.remove();
    expect((await record('int-q')).isQueued).toBe(false);
    await ensureAndMark('int-q', first.generation);
    expect((await record('int-q')).isQueued).toBe(true);

    await takeIntent(redis, prefix, 'int-q');
    const next = await record('int-q');
    expect(next.isQueued).toBe(false);
    expect(next.generation).not.toBe(first.generation);
    // A late mark of an old generation changes nothing.
    await markSyncJobQueued(redis, prefix, 'int-q', first.generation, { queueName: SYNC_QUEUE, jobId });
    expect((await record('int-q')).isQueued).toBe(false);
  });

  it('is false after the job failed for good', async () => {
    const first = await record('int-fail');
    await ensureAndMark('int-fail', first.generation);
    const workerRedis = createRedis(TEST_REDIS_URL, { role: 'worker' });
    const worker = new Worker(
      SYNC_QUEUE,
      async (job) => {
        if (job.data.integrationId === 'int-fail') throw new UnrecoverableError('boom');
      },
      { connection: workerRedis, prefix },
    );
    try {
      const [failed] = await once(worker, 'failed');
      expect(failed.data.integrationId).toBe('int-fail');
      expect((await record('int-fail')).isQueued).toBe(false);
    } finally {
      await worker.close();
      workerRedis.disconnect();
    }
  });
});
