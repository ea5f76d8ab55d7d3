// Real worker processes while the stores fail under them: Postgres restarted mid-sync (sessions killed), Redis
// killed mid full sync and restarted from its AOF after the job locks expired. No process crashes, no two runs of
// one integration overlap, no run is left `running`, and the mirror converges to Kombo's data.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns, modelTables, type Database } from '@kombo-sync/db';
import { count, eq } from 'drizzle-orm';
import { startPostgres, startRedis, type LocalRedis } from '../../../scripts/local-services.mjs';
import {
  createdIntent,
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from './testing/worker-harness.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function startWorkerProcess(h: WorkerHarness): ChildProcess {
  const child = spawnWorkerProcess(h, {
    env: {
      SYNC_PAGE_SIZE: '20',
      SYNC_JOB_ATTEMPTS: '3',
      WORKER_LOCK_DURATION_MS: '5000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      SYNC_LEASE_TTL_MS: '3000',
    },
  });
  children.push(child);
  return child;
}

async function waitForRows(database: Database, integrationId: string, atLeast: number): Promise<void> {
  const table = modelTables.hris_employees;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [row] = await database.db
      .select({ n: count() })
      .from(table)
      .where(eq(table.integrationId, integrationId));
    if ((row?.n ?? 0) >= atLeast) return;
    if (Date.now() > deadline) throw new Error(`fewer than ${atLeast} rows after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every run closed, the last one succeeded, and no two runs of the integration overlapped in time. */
async function expectRunsOneAtATime(h: WorkerHarness, integrationId: string): Promise<void> {
  const runs = (await getRecentRuns(h.database, integrationId, 50)).reverse();
  expect(runs.filter((run) => run.status === 'running')).toEqual([]);
  expect(runs.at(-1)?.status).toBe('succeeded');
  for (let i = 1; i < runs.length; i++) {
    expect(runs[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!.getTime());
  }
}

describe('Postgres restarts mid-sync', () => {
  it('the worker survives, the job waits for Postgres without using attempts, and the mirror converges', async () => {
    const postgres = await startPostgres();
    const h = await createHarness({}, { databaseServerUrl: postgres.url });
    try {
      const { id } = h.sandbox.createIntegration({ sizes: { employees: 300 } });
      h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 40 });
      const worker = startWorkerProcess(h);
      await h.trigger(id, createdIntent(id));
      await waitForRows(h.database, id, 60);
      await postgres.restart({ downMs: 2_000 });
      await h.waitForIdle(90_000);
      h.sandbox.setFaults({});
      expect(worker.exitCode).toBeNull();
      await h.expectExact(id, HRIS_TEST_MODELS);
      await expectRunsOneAtATime(h, id);
      expect(await h.countJobs('failed')).toBe(0);
    } finally {
      await h.close();
      await postgres.stop();
    }
  }, 120_000);
});

describe('Redis restarts mid full sync', () => {
  it('after the job locks expired, the second copy of the job waits for the first run: no false deletes', async () => {
    let redis: LocalRedis = await startRedis({ appendonly: true });
    const h = await createHarness({}, { redisUrl: redis.url });
    try {
      const { id } = h.sandbox.createIntegration({ sizes: { employees: 600 } });
      h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 30 });
      const workers = [startWorkerProcess(h), startWorkerProcess(h)];
      await h.trigger(id, createdIntent(id));
      await waitForRows(h.database, id, 60);
      // Down for longer than the job lock (5 s): when Redis is back, BullMQ finds the job stalled and hands it to
      // a worker again while the first run still writes to Postgres.
      const { port, dir } = redis;
      await redis.stop({ keepDir: true });
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      redis = await startRedis({ port, dir, appendonly: true });
      await h.waitForIdle(90_000);
      h.sandbox.setFaults({});
      expect(workers.map((worker) => worker.exitCode)).toEqual([null, null]);
      await h.expectExact(id, HRIS_TEST_MODELS);
      await expectRunsOneAtATime(h, id);
    } finally {
      await h.close();
      await redis.stop();
    }
  }, 120_000);
});
