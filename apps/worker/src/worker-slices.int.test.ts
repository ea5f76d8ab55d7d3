// Bulk time slices end to end (in-process workers and a worker process, the sandbox, real Postgres and Redis):
// a sliced pass resumes exactly (no page fetched twice, the watermark is the start of the whole pass, deletions
// reconciled exactly over it), a new integration's first slice jumps the line while passes under way take turns in
// the bulk lane, the least done first, and a sliced pass is handed to another worker process between slices.
import { once } from 'node:events';
import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { getOpenPasses, getRecentRuns, getSyncStates } from '@kombo-sync/db';
import type { Queue } from 'bullmq';
import {
  addGhostEmployees,
  createdIntent,
  createHarness,
  spawnWorkerProcess,
  waitFor,
  type WorkerHarness,
} from './testing/worker-harness.js';

const MODEL = 'hris_employees' as const;
const SLICE_MS = 400;
/** 400 employees in pages of 20: 20 pages, about 80 ms each under the latency below, so several slices. */
const EMPLOYEES = 400;
const LATENCY_MS = 60;

let h: WorkerHarness;

beforeAll(async () => {
  h = await createHarness({
    enabledModels: [MODEL],
    pageSize: 20,
    bulkConcurrency: 1,
    onboardingConcurrency: 1,
    bulkSliceMs: SLICE_MS,
  });
});
afterEach(() => h.sandbox.setFaults({}));
afterAll(async () => {
  await h.close();
});

const startWorker = () => h.startWorker();

/** Integrations whose every request is slowed (in this test). */
let slowIds: string[] = [];
afterEach(() => void (slowIds = []));

/** A sandbox integration whose every request is slowed, so its passes take several slices. */
function slowIntegration(employees = EMPLOYEES): string {
  const { id } = h.sandbox.createIntegration({ sizes: { employees } });
  slowIds.push(id);
  h.sandbox.setFaults({ probability: { latency: 1 }, latencyMs: LATENCY_MS, integrationIds: slowIds });
  return id;
}

/** How long these tests wait for a slice, a pass or a sync. */
const SLICE_WAIT_MS = 60_000;

/** No list page of the integration was requested twice (the sandbox counts exact URLs: model, cursor, filters). */
function expectNoPageTwice(integrationId: string): void {
  expect(h.sandbox.stats().byIntegration[integrationId]?.repeatedPages).toBe(0);
}

describe('bulk time slices', () => {
  it('a sliced initial pass resumes exactly: no page twice, its watermark is the start of the whole pass', async () => {
    const worker = startWorker();
    const id = slowIntegration();
    await h.trigger(id, createdIntent(id));
    const pass = await waitFor(
      'the open pass',
      async () => (await getOpenPasses(h.database, id)).get(MODEL),
      SLICE_WAIT_MS,
    );
    await h.waitForIdle(60_000);
    const runs = await getRecentRuns(h.database, id, 100);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs[0]?.status).toBe('succeeded');
    expect(runs.slice(1).every((run) => run.status === 'interrupted')).toBe(true);
    // Each slice's run shows what it wrote; together, every record once.
    for (const run of runs.slice(1)) expect(run.counts[MODEL]).toMatchObject({ status: 'yielded' });
    expect(runs.reduce((sum, run) => sum + (run.counts[MODEL]?.upserted ?? 0), 0)).toBe(EMPLOYEES);
    expectNoPageTwice(id);
    // The first slice ran in the onboarding lane, every next one in the bulk lane.
    expect(await jobsRan(h.queues.onboarding, id)).toBe(1);
    expect(await jobsRan(h.queues.bulk, id)).toBe(runs.length - 1);
    expect((await getSyncStates(h.database, id)).get(MODEL)?.watermark).toEqual(pass.startedAt);
    await h.expectExact(id, [MODEL]);
    await worker.close(5_000);
  }, 90_000);

  it('reconciles deletions exactly over a sliced full pass, with changes between its slices', async () => {
    const worker = startWorker();
    const id = slowIntegration();
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle(60_000);
    const [ghost] = await addGhostEmployees(h.database, id, 1);
    h.sandbox.resetStats();
    const [before] = await getRecentRuns(h.database, id, 1);
    await h.trigger(id, { full: true, models: 'all', triggers: ['manual'] });
    await waitFor(
      'a slice of the full pass',
      async () =>
        (await getRecentRuns(h.database, id, 100)).find(
          (run) => run.id > (before?.id ?? 0) && run.status === 'interrupted',
        ),
      SLICE_WAIT_MS,
    );
    // Kombo changes between slices: records on pages already read and on pages still to come.
    h.sandbox.mutate(id, { updates: 6, creates: 3, deletes: 4, models: [MODEL] });
    await h.waitForIdle(60_000);
    const runs = (await getRecentRuns(h.database, id, 100)).filter((run) => run.id > (before?.id ?? 0));
    expect(runs.filter((run) => run.status === 'interrupted').length).toBeGreaterThanOrEqual(2);
    expect(runs[0]).toMatchObject({ kind: 'full', status: 'succeeded' });
    expectNoPageTwice(id);
    const { rows } = await h.database.pool.query<{ deleted: Date | null }>(
      `SELECT remote_deleted_at AS deleted FROM hris_employees WHERE integration_id = $1 AND id = $2`,
      [id, ghost],
    );
    expect(rows[0]?.deleted).not.toBeNull();
    await h.database.pool.query(`DELETE FROM hris_employees WHERE id = $1`, [ghost]);
    await h.expectExact(id, [MODEL]);
    await worker.close(5_000);
  }, 90_000);

  it('a new integration’s first slice jumps the line while passes under way take turns in the bulk lane', async () => {
    const worker = startWorker();
    const big = [slowIntegration(800), slowIntegration(800)];
    for (const id of big) await h.trigger(id, createdIntent(id));
    // Both passes have begun and wait in the bulk lane or run there.
    await waitFor(
      'both passes begun',
      async () => {
        const open = await Promise.all(big.map((id) => getOpenPasses(h.database, id)));
        return open.every((passes) => (passes.get(MODEL)?.pages ?? 0) > 0) ? true : undefined;
      },
      SLICE_WAIT_MS,
    );
    const { id: small } = h.sandbox.createIntegration({ sizes: { employees: 10 } });
    await h.trigger(small, createdIntent(small));
    await waitFor(
      'the new integration synced',
      async () => {
        const [run] = await getRecentRuns(h.database, small, 1);
        return run?.status === 'succeeded' ? run : undefined;
      },
      SLICE_WAIT_MS,
    );
    // The big passes are still under way: the new integration did not wait for either.
    for (const id of big) expect((await getOpenPasses(h.database, id)).has(MODEL)).toBe(true);
    await h.expectExact(small, [MODEL]);

    await h.waitForIdle(90_000);
    // The two passes took turns: their runs interleave instead of one pass running to its end first.
    const runs = (await Promise.all(big.map((id) => getRecentRuns(h.database, id, 100))))
      .flatMap((list, index) => list.map((run) => ({ id: run.id, pass: index })))
      .sort((a, b) => a.id - b.id);
    const turns = runs.filter((run, i) => i > 0 && run.pass !== runs[i - 1]?.pass).length;
    expect(turns).toBeGreaterThanOrEqual(4);
    for (const id of big) {
      expectNoPageTwice(id);
      await h.expectExact(id, [MODEL]);
    }
    await worker.close(5_000);
  }, 120_000);

  it('a pass that began late goes first until it caught up with the pass ahead of it', async () => {
    const worker = startWorker();
    // 200 pages each; the bulk lane has one slot (createHarness above).
    const ahead = slowIntegration(4_000);
    await h.trigger(ahead, createdIntent(ahead));
    const pagesOf = async (id: string) => (await getOpenPasses(h.database, id)).get(MODEL)?.pages ?? 0;
    await waitFor(
      'the first pass well ahead',
      async () => ((await pagesOf(ahead)) >= 60 ? true : undefined),
      SLICE_WAIT_MS,
    );
    const late = slowIntegration(4_000);
    await h.trigger(late, createdIntent(late));
    // Measured from the late pass's first page: until then the first pass runs alone, whatever the order.
    const headStart = await waitFor(
      'the late pass begun',
      async () => ((await pagesOf(late)) > 0 ? await pagesOf(ahead) : undefined),
      SLICE_WAIT_MS,
    );
    expect(headStart).toBeGreaterThan(0);
    const aheadWhenCaughtUp = await waitFor(
      'the late pass caught up',
      async () => ((await pagesOf(late)) >= headStart ? await pagesOf(ahead) : undefined),
      SLICE_WAIT_MS * 2,
    );
    // Round robin would keep the head start: the first pass would do about as much as the late one meanwhile.
    expect(aheadWhenCaughtUp).toBeGreaterThan(0);
    expect(aheadWhenCaughtUp - headStart).toBeLessThan(headStart / 2);
    await h.waitForIdle(90_000);
    for (const id of [ahead, late]) {
      expectNoPageTwice(id);
      await h.expectExact(id, [MODEL]);
    }
    await worker.close(5_000);
  }, 240_000);

  it('a sliced pass is handed to another worker process between slices', async () => {
    const inProcess = startWorker();
    const id = slowIntegration(600);
    await h.trigger(id, createdIntent(id));
    await waitFor(
      'the first slice running',
      async () => {
        const [run] = await getRecentRuns(h.database, id, 1);
        return run?.status === 'running' ? run : undefined;
      },
      SLICE_WAIT_MS,
    );
    // This worker takes no further job: the rest of the pass must go to the other process.
    await Promise.all([inProcess.onboardingWorker.pause(true), inProcess.bulkWorker.pause(true)]);
    const other = spawnWorkerProcess(h, {
      env: {
        SYNC_ENABLED_MODELS: MODEL,
        SYNC_PAGE_SIZE: '20',
        SYNC_BULK_SLICE_MS: String(SLICE_MS),
        SYNC_BULK_SLICE_MIN_PAGES: '1',
        WORKER_BULK_CONCURRENCY: '1',
      },
    });
    try {
      const holders = new Set<string>();
      await waitFor(
        'the pass done',
        async () => {
          const { rows } = await h.database.pool.query<{ holder: string | null }>(
            `SELECT holder FROM sync_leases WHERE integration_id = $1`,
            [id],
          );
          const holder = rows[0]?.holder;
          if (holder) holders.add(holder.split('/')[0] ?? '');
          const [run] = await getRecentRuns(h.database, id, 1);
          return run?.status === 'succeeded' ? true : undefined;
        },
        90_000,
      );
      expect(holders).toContain(`${hostname()}:${process.pid}`);
      expect(holders).toContain(`${hostname()}:${other.pid}`);
      const runs = await getRecentRuns(h.database, id, 100);
      expect(runs.slice(1).every((run) => run.status === 'interrupted')).toBe(true);
      expectNoPageTwice(id);
      await h.expectExact(id, [MODEL]);
    } finally {
      if (other.exitCode === null && other.signalCode === null) {
        other.kill('SIGTERM');
        await once(other, 'exit');
      }
      await inProcess.close(5_000);
    }
  }, 120_000);
});

/** How many jobs of `queue` for the integration completed. */
async function jobsRan(queue: Queue, integrationId: string): Promise<number> {
  const completed = await queue.getJobs(['completed']);
  return completed.filter((job) => job.data?.integrationId === integrationId).length;
}
