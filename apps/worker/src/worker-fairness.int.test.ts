// Fairness: a big integration being synced does not hold back small integrations queued behind it: the big one's
// first slice gives the onboarding slot way once it has rows, and its pass goes on in bulk-lane slices.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns, type SyncRunRow } from '@kombo-sync/db';
import { createHarness, waitFor, type WorkerHarness } from './testing/worker-harness.js';

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness({
    workerConcurrency: 2,
    enabledModels: ['hris_employees'],
    pageSize: 50,
    bulkSliceMs: 20_000,
  });
  h.startWorker();
});
afterAll(async () => {
  await h.close();
});

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

async function latestRun(id: string): Promise<SyncRunRow | undefined> {
  return (await getRecentRuns(h.database, id, 1))[0];
}

describe('fairness between integrations', () => {
  it('small integrations queued behind a big one all complete while the big one is still running', async () => {
    // 20k employees at 50 per page with 20 ms per request: 400 pages, at least 8 s of fetching whatever the machine.
    const big = h.sandbox.createIntegration({ sizes: { hris_employees: 20_000 } }).id;
    h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [big], latencyMs: 20 });
    await h.trigger(big, { created: created(big), full: true });
    const bigRun = await waitFor('big run started', latestRun.bind(null, big));
    expect(bigRun.status).toBe('running');

    const small = Array.from(
      { length: 5 },
      () => h.sandbox.createIntegration({ sizes: { employees: 30 } }).id,
    );
    for (const id of small) await h.trigger(id, { created: created(id), full: true });
    const smallRuns = await Promise.all(
      small.map((id) =>
        waitFor(`small ${id} synced`, async () => {
          const run = await latestRun(id);
          return run?.status === 'succeeded' ? run : undefined;
        }),
      ),
    );

    // Every small run finished before the big pass (which may not have finished at all yet; its slices' runs end
    // `interrupted`, the last one `succeeded`).
    const bigRuns = await getRecentRuns(h.database, big, 100);
    const bigFinishedAt =
      bigRuns.find((run) => run.status === 'succeeded')?.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY;
    for (const run of smallRuns) {
      expect(run.startedAt.getTime()).toBeGreaterThan(bigRun.startedAt.getTime());
      expect(run.finishedAt?.getTime()).toBeLessThan(bigFinishedAt);
    }
    for (const id of small) await h.expectExact(id, ['hris_employees']);
  });
});
