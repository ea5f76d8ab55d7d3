import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { finishRun, startRun, upsertIntegration, type Database } from '@kombo-sync/db';
import {
  completeIntent,
  peekIntent,
  SYNC_BULK_QUEUE,
  SYNC_ONBOARDING_QUEUE,
  SYNC_QUEUE,
  takeIntent,
} from '@kombo-sync/queue';
import { QueueEvents, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import { UsageError } from '../errors.js';
import { memoryOutput } from '../output.js';
import { deleteKeys, openQueueSuite, type QueueSuite } from '../testing/queue-suite.js';
import { runBackfill } from './backfill.js';
import { runRetryFailed } from './retry-failed.js';
import { runSync, type SyncDeps } from './sync.js';
import type { RedisConnection } from '@kombo-sync/queue';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

let suite: QueueSuite;
let database: Database;
let redis: RedisConnection;
let queue: Queue;
let bulkQueue: Queue;
let queues: QueueSuite['queues'];
let prefix: string;

beforeAll(async () => {
  suite = await openQueueSuite();
  ({ database, redis, queue, bulkQueue, queues, prefix } = suite);
  for (const id of ['personio:a', 'personio:b', 'personio:c']) {
    await upsertIntegration(database, { id, tool: 'personio', category: 'HRIS', state: 'ACTIVE' });
  }
  await upsertIntegration(database, { id: 'greenhouse:x', tool: 'greenhouse', category: 'ATS' });
});

afterAll(() => suite.close());

function deps(out = memoryOutput()): SyncDeps & { out: ReturnType<typeof memoryOutput> } {
  return {
    db: database,
    request: suite.request,
    out,
    pollMs: 50,
    openQueueEvents: async (queueName) => {
      const events = new QueueEvents(queueName, { connection: { url: TEST_REDIS_URL }, prefix });
      await events.waitUntilReady();
      return events;
    },
  };
}

/**
 * Stands in for apps/worker (not available when this was written): takes the intent, records a run carrying the
 * intent's request ids like the real worker, and finishes it with `status` (or fails the job).
 */
function startFakeWorker(outcome: 'succeeded' | 'partial' | 'job-fails'): { close(): Promise<void> } {
  const lanes = [SYNC_QUEUE, SYNC_ONBOARDING_QUEUE, SYNC_BULK_QUEUE].map((name) =>
    fakeWorkerOf(name, outcome),
  );
  return { close: async () => void (await Promise.all(lanes.map((worker) => worker.close()))) };
}

function fakeWorkerOf(queueName: string, outcome: 'succeeded' | 'partial' | 'job-fails'): Worker {
  return new Worker(
    queueName,
    async (job: Job<{ integrationId: string }>) => {
      const { integrationId } = job.data;
      const intent = await takeIntent(redis, prefix, integrationId);
      if (outcome === 'job-fails')
        throw new UnrecoverableError('INTEGRATION.INACTIVE: integration is inactive');
      const runId = await startRun(database, {
        integrationId,
        kind: intent?.full ? 'full' : 'delta',
        trigger: intent?.triggers[0] ?? 'manual',
        requestIds: intent?.requestIds ?? [],
      });
      await database.pool.query(
        `UPDATE sync_runs SET counts = '{"hris_employees":{"pages":1,"upserted":3,"unchanged":0,"deleted":0,"status":"succeeded"}}' WHERE id = $1`,
        [runId],
      );
      await finishRun(database, runId, {
        status: outcome,
        error: outcome === 'partial' ? '1 model failed' : null,
      });
      if (intent) await completeIntent(redis, prefix, integrationId, intent.takeId);
    },
    { connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null }, prefix },
  );
}

describe('sync', () => {
  it('records a manual intent and enqueues one coalesced job', async () => {
    const first = deps();
    expect(await runSync(first, { integrationId: 'personio:a', models: 'hris_employees' })).toBe(0);
    expect(await runSync(deps(), { integrationId: 'personio:a', full: true, models: 'hris_absences' })).toBe(
      0,
    );
    expect(first.out.stdout.join('\n')).toMatch(/Enqueued delta sync of hris_employees for personio:a/);
    const waiting = await queue.getWaiting();
    expect(waiting.map((job) => job.data.integrationId)).toEqual(['personio:a']);
    const intent = await peekIntent(redis, prefix, 'personio:a');
    expect(intent).toMatchObject({
      models: ['hris_employees', 'hris_absences'],
      full: true,
      triggers: ['manual'],
    });
    expect(intent?.requestIds).toHaveLength(2);
    expect(intent?.requestIds[0]).toMatch(/^cli-/);
    await queue.obliterate({ force: true });
    await deleteKeys(redis, prefix);
  });

  it('rejects unknown models with exit code 2, listing the valid ones', async () => {
    const failure = runSync(deps(), { integrationId: 'personio:a', models: 'hris_employees,ats_jobs,nope' });
    await expect(failure).rejects.toBeInstanceOf(UsageError);
    await expect(failure).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        /Unknown models: ats_jobs, nope; valid models: hris_employees, .*hris_absences/,
      ),
    });
    expect(await queue.getWaitingCount()).toBe(0);
  });

  it('--wait exits 0 when the run succeeds, printing progress lines', async () => {
    const worker = startFakeWorker('succeeded');
    try {
      const run = deps();
      expect(await runSync(run, { integrationId: 'personio:b', wait: true, timeoutMs: 15_000 })).toBe(0);
      const text = run.out.stdout.join('\n');
      expect(text).toMatch(/run \d+ started \(delta, trigger manual\)/);
      expect(text).toMatch(/hris_employees: succeeded, 1 pages, 3 upserted/);
      expect(text).toMatch(/Run \d+ succeeded\./);
    } finally {
      await worker.close();
    }
  });

  it('--wait exits 1 when the run partially fails or the job fails', async () => {
    const partial = startFakeWorker('partial');
    const run = deps();
    try {
      expect(
        await runSync(run, { integrationId: 'personio:b', wait: true, full: true, timeoutMs: 15_000 }),
      ).toBe(1);
      expect(run.out.stderr.join('\n')).toMatch(/Run \d+ partial: 1 model failed/);
    } finally {
      await partial.close();
    }
    const failing = startFakeWorker('job-fails');
    const failed = deps();
    try {
      expect(await runSync(failed, { integrationId: 'personio:c', wait: true, timeoutMs: 15_000 })).toBe(1);
      expect(failed.out.stderr.join('\n')).toMatch(/Sync job failed: INTEGRATION.INACTIVE/);
    } finally {
      await failing.close();
    }
  });
});

describe('retry-failed', () => {
  it('retries the failed jobs of both lanes and prints how many', async () => {
    expect(await queue.getFailedCount()).toBeGreaterThanOrEqual(1);
    const failed = (await queue.getFailedCount()) + (await bulkQueue.getFailedCount());
    const out = memoryOutput();
    expect(await runRetryFailed({ queues, out })).toBe(0);
    expect(out.stdout).toEqual([`Retried ${failed} failed job(s).`]);
    expect((await queue.getFailedCount()) + (await bulkQueue.getFailedCount())).toBe(0);
    expect((await queue.getWaitingCount()) + (await bulkQueue.getWaitingCount())).toBe(failed);
    await queue.obliterate({ force: true });
    await bulkQueue.obliterate({ force: true });
  });
});

describe('backfill', () => {
  it('enqueues a full sync of every integration, paced', async () => {
    await deleteKeys(redis, prefix);
    const waits: number[] = [];
    const out = memoryOutput();
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    expect(
      await runBackfill({ db: database, request: suite.request, out, sleep }, { ratePerSecond: 2 }),
    ).toBe(0);
    // Full syncs wait in the bulk lane (manual ones first: no priority).
    const jobs = await bulkQueue.getWaiting();
    expect(jobs.map((job) => job.data.integrationId).sort()).toEqual([
      'greenhouse:x',
      'personio:a',
      'personio:b',
      'personio:c',
    ]);
    expect(await peekIntent(redis, prefix, 'greenhouse:x')).toMatchObject({ models: 'all', full: true });
    expect(waits).toHaveLength(3);
    // The fake sleep does not advance the clock, so each wait is the whole offset of its slot: ~500 ms apart.
    waits.forEach((ms, i) => expect(ms > i * 500 - 100 && ms <= (i + 1) * 500).toBe(true));
    expect(out.stdout.at(-2)).toBe('[4/4] enqueued full sync of personio:c');
  });
});
