// Real worker processes (tsx apps/worker/src/main.ts): SIGKILL mid-sync is recovered by another process, SIGTERM
// exits 0 in bounded time, its run interrupted, and hands the work back.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns, modelTables } from '@kombo-sync/db';
import { count, eq } from 'drizzle-orm';
import {
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from './testing/worker-harness.js';

let h: WorkerHarness;
const children: ChildProcess[] = [];

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await h.close();
});

function startWorkerProcess(): ChildProcess {
  const child = spawnWorkerProcess(h, {
    env: {
      SYNC_PAGE_SIZE: '20',
      SYNC_JOB_ATTEMPTS: '3',
      WORKER_LOCK_DURATION_MS: '5000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      WORKER_SHUTDOWN_TIMEOUT_MS: '5000',
      SYNC_LEASE_TTL_MS: '3000',
    },
  });
  children.push(child);
  return child;
}

async function waitForRows(integrationId: string, atLeast: number): Promise<void> {
  const table = modelTables.hris_employees;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [row] = await h.database.db
      .select({ n: count() })
      .from(table)
      .where(eq(table.integrationId, integrationId));
    if ((row?.n ?? 0) >= atLeast) return;
    if (Date.now() > deadline) throw new Error(`fewer than ${atLeast} rows after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

describe('worker processes', () => {
  it('SIGKILL mid-sync: another process recovers the stalled job and the mirror is exact', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 300 } });
    h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 40 });
    const first = startWorkerProcess();
    await h.trigger(id, { created: created(id), full: true });
    await waitForRows(id, 60);
    first.kill('SIGKILL');
    await once(first, 'exit');
    startWorkerProcess();
    await h.waitForIdle(60_000);
    h.sandbox.setFaults({});
    await h.expectExact(id, HRIS_TEST_MODELS);
    // The killed worker's run is closed as abandoned when the recovered job takes its lease over.
    const runs = await getRecentRuns(h.database, id);
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'abandoned']);
    expect(runs[1]?.error).toMatch(/^SYNC\.ABANDONED/);
  }, 90_000);

  it('SIGTERM: exits 0 within the shutdown timeout and another process finishes the job', async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 300 } });
    h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 40 });
    const worker = startWorkerProcess();
    await h.trigger(id, { created: created(id), full: true });
    await waitForRows(id, 60);
    const stoppedAt = Date.now();
    worker.kill('SIGTERM');
    const [code] = (await once(worker, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000 + 3_000);
    startWorkerProcess();
    await h.waitForIdle(60_000);
    h.sandbox.setFaults({});
    await h.expectExact(id, HRIS_TEST_MODELS);
    const runs = await getRecentRuns(h.database, id);
    expect(runs[0]?.status).toBe('succeeded');
    expect(runs.map((run) => run.status)).toContain('interrupted');
    expect(runs.find((run) => run.status === 'interrupted')?.error).toBe('SYNC.INTERRUPTED: shutdown');
  }, 90_000);
});
