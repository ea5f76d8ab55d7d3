// Clock skew between Kombo (the sandbox) and the worker: watermarks come from Kombo's Date header, so the mirror
// stays exact after deltas with Kombo 5 minutes ahead or behind (more than the 1-minute overlap the harness uses).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import { getRecentRuns, getSyncStates } from '@kombo-sync/db';
import { createHarness, HRIS_TEST_MODELS, type WorkerHarness } from './testing/worker-harness.js';

const SKEW_MS = 5 * 60_000;

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness();
  h.startWorker();
});
afterAll(async () => {
  h.sandbox.setClockSkew(0);
  await h.close();
});

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

/** Ids of the records (of `model`) whose version differs between two truth snapshots. */
function changedIds(before: Record<string, unknown>[], after: Record<string, unknown>[]): string[] {
  const old = new Map(before.map((record) => [record['id'] as string, record['changed_at']]));
  return after
    .filter((record) => old.get(record['id'] as string) !== record['changed_at'])
    .map((record) => record['id'] as string);
}

async function expectWatermarksOnKomboTime(id: string, skewMs: number): Promise<void> {
  const kombo = Date.now() + skewMs;
  for (const [model, state] of await getSyncStates(h.database, id)) {
    const watermark = state.watermark?.getTime() ?? 0;
    // Kombo time (within the run's duration and the Date header's 1 s resolution), not the worker's.
    expect({ model, offMs: Math.abs(watermark - kombo) < 30_000 }).toEqual({ model, offMs: true });
  }
}

async function waitForActiveJob(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await h.countJobs('active')) === 0) {
    if (Date.now() > deadline) throw new Error('no active job within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each([
  ['ahead of', SKEW_MS],
  ['behind', -SKEW_MS],
])('Kombo clock 5 min %s the worker', (_label, skewMs) => {
  it('mutations during and between syncs: the mirror stays exact after deltas', async () => {
    h.sandbox.setClockSkew(skewMs);
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 40 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    await expectWatermarksOnKomboTime(id, skewMs);

    // During: a delta is running (slowed down) when the data changes and the webhook arrives.
    h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 30 });
    await h.trigger(id, { models: 'all', triggers: ['data-changed'] });
    await waitForActiveJob();
    h.sandbox.mutate(id, { updates: 3, creates: 2, deletes: 1, nestedUpdates: 1 });
    await h.trigger(id, { models: 'all', triggers: ['data-changed'] });
    await h.waitForIdle();
    h.sandbox.setFaults({});
    await h.expectExact(id, HRIS_TEST_MODELS);

    // Between: a change after the last sync, then a delta.
    const [previousRun] = await getRecentRuns(h.database, id, 1);
    const before = h.sandbox.truth(id, 'hris_employees');
    h.sandbox.mutate(id, { updates: 4, deletes: 1, models: ['hris_employees'] });
    const changed = changedIds(before, h.sandbox.truth(id, 'hris_employees'));
    expect(changed.length).toBeGreaterThan(0);
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    await expectWatermarksOnKomboTime(id, skewMs);

    if (skewMs < 0) {
      // With Kombo behind, these changes carry a changed_at before (previous run's start on the worker clock −
      // overlap): a watermark taken from the worker's clock would have asked for updated_after later than them
      // and missed them. They landed (expectExact above) because the watermark is Kombo time.
      const workerClockCutoff = (previousRun?.startedAt.getTime() ?? 0) - h.config.overlapMs;
      const mirror = await h.mirror(id, 'hris_employees' satisfies ModelName);
      for (const changedId of changed) {
        const row = mirror.get(changedId);
        expect(row?.changedAt.getTime()).toBeLessThan(workerClockCutoff);
      }
    }
  });
});
