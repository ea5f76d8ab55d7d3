// Lanes: full and initial passes wait and run in the bulk lane with slots of their own, so a change to another
// integration keeps flowing while bulk work holds every bulk slot; a delta-lane job hands full passes on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns } from '@kombo-sync/db';
import {
  createdIntent,
  createHarness,
  HRIS_TEST_MODELS,
  type WorkerHarness,
} from './testing/worker-harness.js';

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness({ workerConcurrency: 1, bulkConcurrency: 1 });
  h.startWorker();
});
afterAll(async () => {
  h.sandbox.setFaults({});
  await h.close();
});

describe('lanes', () => {
  it('a delta of a small integration lands while initial syncs hold every bulk slot', async () => {
    const small = h.sandbox.createIntegration({ sizes: { employees: 10 } });
    await h.trigger(small.id, createdIntent(small.id));
    await h.waitForIdle();

    const big = [0, 1].map(() => h.sandbox.createIntegration({ sizes: { employees: 400 } }).id);
    h.sandbox.setFaults({ probability: { latency: 1 }, latencyMs: 40, integrationIds: big });
    for (const id of big) await h.trigger(id, createdIntent(id));
    const deadline = Date.now() + 10_000;
    while ((await h.queues.bulk.getActiveCount()) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const { changedModels } = h.sandbox.mutate(small.id, { updates: 3, models: ['hris_employees'] });
    expect(changedModels).toEqual(['hris_employees']);
    await h.trigger(small.id, { models: ['hris_employees'], triggers: ['data-changed'] });
    for (;;) {
      const [run] = await getRecentRuns(h.database, small.id, 1);
      if (run?.kind === 'delta' && run.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await h.expectExact(small.id, HRIS_TEST_MODELS);
    // The bulk lane is still busy with the big integrations: the change did not wait for them.
    expect(await h.queues.bulk.getActiveCount()).toBe(1);
    expect((await getRecentRuns(h.database, big[1]!, 1)).length).toBe(0);

    h.sandbox.setFaults({});
    await h.waitForIdle(60_000);
    for (const id of big) await h.expectExact(id, HRIS_TEST_MODELS);
  }, 90_000);

  it('a delta-lane job hands a full pass on to the bulk lane and syncs its deltas itself', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 20 } });
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    h.sandbox.mutate(id, { updates: 2, deletes: 1, models: ['hris_employees'] });
    // A webhook's change lands in the delta lane; before the job runs, a full resync is asked for too.
    await h.queues.delta.pause();
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.trigger(id, { full: true, models: 'all', triggers: ['manual'] });
    await h.queues.delta.resume();
    await h.waitForIdle();
    const runs = await getRecentRuns(h.database, id, 5);
    expect(runs[0]).toMatchObject({ kind: 'full', status: 'succeeded' });
    await h.expectExact(id, HRIS_TEST_MODELS);
  });
});
