import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { finishRun, startRun, upsertIntegration } from '@kombo-sync/db';
import { completeIntent, ensureSyncJob, SYNC_QUEUE, takeIntent } from '@kombo-sync/queue';
import { Worker, type Job } from 'bullmq';
import { memoryOutput } from '../output.js';
import { openQueueSuite, type QueueSuite } from '../testing/queue-suite.js';
import { runSync, type SyncDeps } from './sync.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

let suite: QueueSuite;

beforeAll(async () => {
  suite = await openQueueSuite();
  await upsertIntegration(suite.database, {
    id: 'personio:d',
    tool: 'personio',
    category: 'HRIS',
    state: 'ACTIVE',
  });
});

afterAll(() => suite.close());

const deps = (): SyncDeps => ({
  db: suite.database,
  request: suite.request,
  out: memoryOutput(),
  pollMs: 50,
});

describe('sync --wait while a job is active', () => {
  it('waits for the follow-up job that takes the intent, not the active one', async () => {
    const { database, redis, prefix } = suite;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let jobs = 0;
    const worker = new Worker(
      SYNC_QUEUE,
      async (job: Job<{ integrationId: string }>) => {
        const { integrationId } = job.data;
        const intent = await takeIntent(redis, prefix, integrationId);
        jobs += 1;
        const isFirst = jobs === 1;
        if (isFirst) await released;
        const runId = await startRun(database, {
          integrationId,
          kind: 'delta',
          trigger: 'manual',
          requestIds: intent?.requestIds ?? [],
        });
        // The active job's run fails: a CLI that waited for it would exit 1.
        await finishRun(database, runId, { status: isFirst ? 'failed' : 'succeeded' });
        if (intent) await completeIntent(redis, prefix, integrationId, intent.takeId);
      },
      { connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null }, prefix },
    );
    try {
      await runSync(deps(), { integrationId: 'personio:d' });
      for (let i = 0; i < 200 && jobs === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(jobs).toBe(1);
      const waiting = runSync(deps(), { integrationId: 'personio:d', wait: true, timeoutMs: 15_000 });
      const nextKey = `${prefix}:${SYNC_QUEUE}:dn:personio:d`;
      for (let i = 0; i < 200 && (await redis.exists(nextKey)) === 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      release();
      expect(await waiting).toBe(0);
      expect(jobs).toBe(2);
    } finally {
      release();
      await worker.close();
    }
  });
});

describe('sync --wait through an interrupted run', () => {
  it('waits past the interrupted run for the run that continues its work', async () => {
    const { database, redis, prefix, queues } = suite;
    let jobs = 0;
    const worker = new Worker(
      SYNC_QUEUE,
      async (job: Job<{ integrationId: string }>) => {
        const { integrationId } = job.data;
        const intent = await takeIntent(redis, prefix, integrationId);
        if (!intent) return;
        jobs += 1;
        const runId = await startRun(database, {
          integrationId,
          kind: 'delta',
          trigger: 'manual',
          requestIds: intent.requestIds,
        });
        if (jobs === 1) {
          // As a worker that is shutting down: interrupted, the rest handed back with a job in the same lane.
          await finishRun(database, runId, { status: 'interrupted', error: 'SYNC.INTERRUPTED: shutdown' });
          const rest = { models: ['hris_employees' as const], requestIds: intent.requestIds };
          await completeIntent(redis, prefix, integrationId, intent.takeId, rest);
          await ensureSyncJob(queues.delta, integrationId);
          return;
        }
        await finishRun(database, runId, { status: 'succeeded' });
        await completeIntent(redis, prefix, integrationId, intent.takeId);
      },
      { connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null }, prefix },
    );
    try {
      const out = memoryOutput();
      const code = await runSync(
        { ...deps(), out },
        { integrationId: 'personio:d', wait: true, timeoutMs: 15_000 },
      );
      expect(code).toBe(0);
      expect(jobs).toBe(2);
    } finally {
      await worker.close();
    }
  });
});
