// Lanes: full and initial passes wait and run in the bulk lane with slots of their own, so a change to another
// integration keeps flowing while bulk work holds every bulk slot; a new integration's first slice runs in the
// onboarding lane, so it does not wait for a backfill either; a delta-lane job hands full passes on, to the
// onboarding lane when nothing of the integration is committed yet.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns } from '@kombo-sync/db';
import type { Queue } from 'bullmq';
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
  it('a change and a new integration land while passes hold every bulk slot', async () => {
    const small = h.sandbox.createIntegration({ sizes: { employees: 10 } });
    await h.trigger(small.id, createdIntent(small.id));
    await h.waitForIdle();

    // Full syncs of two big integrations Kombo knows but we never saw: bulk work for the one bulk slot.
    const big = [0, 1].map(() => h.sandbox.createIntegration({ sizes: { employees: 400 } }).id);
    h.sandbox.setFaults({ probability: { latency: 1 }, latencyMs: 40, integrationIds: big });
    for (const id of big) await h.trigger(id, { models: 'all', full: true, triggers: ['schedule:full'] });
    await until(async () => (await h.queues.bulk.getActiveCount()) === 1);

    const { changedModels } = h.sandbox.mutate(small.id, { updates: 3, models: ['hris_employees'] });
    expect(changedModels).toEqual(['hris_employees']);
    await h.trigger(small.id, { models: ['hris_employees'], triggers: ['data-changed'] });
    const fresh = h.sandbox.createIntegration({ sizes: { employees: 15 } });
    const freshJob = await h.trigger(fresh.id, createdIntent(fresh.id));
    expect(freshJob).toMatch(/^onboarding\//);
    await until(async () => {
      const [change] = await getRecentRuns(h.database, small.id, 1);
      const [initial] = await getRecentRuns(h.database, fresh.id, 1);
      return change?.kind === 'delta' && change.status !== 'running' && initial?.status === 'succeeded';
    });
    await h.expectExact(small.id, HRIS_TEST_MODELS);
    await h.expectExact(fresh.id, HRIS_TEST_MODELS);
    // The bulk lane is still busy with the big integrations: neither waited for them.
    expect(await h.queues.bulk.getActiveCount()).toBe(1);
    expect((await getRecentRuns(h.database, big[1]!, 1)).length).toBe(0);

    h.sandbox.setFaults({});
    await h.waitForIdle(60_000);
    for (const id of big) await h.expectExact(id, HRIS_TEST_MODELS);
  }, 90_000);

  it('an integration first seen through a change gets its initial sync in the onboarding lane', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 12 } });
    // A data-changed before integration-created (or after a lost one): a delta-lane job, which finds nothing
    // committed and hands the initial passes on.
    expect(await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] })).toMatch(
      /^delta\//,
    );
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    expect(await ranIn(h.queues.onboarding, id)).toBe(true);
    expect(await ranIn(h.queues.bulk, id)).toBe(false);
  });

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
    // Its rows were committed before: the pass went to the bulk lane, not the onboarding lane.
    expect(await ranIn(h.queues.bulk, id)).toBe(true);
  });
});

/** Whether a job of `queue` that ran the integration's sync completed. */
async function ranIn(queue: Queue, integrationId: string): Promise<boolean> {
  const completed = await queue.getJobs(['completed']);
  return completed.some((job) => job.data?.integrationId === integrationId);
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
