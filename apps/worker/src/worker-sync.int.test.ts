import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns, getSyncStates, getIntegration } from '@kombo-sync/db';
import { createHarness, HRIS_TEST_MODELS, type WorkerHarness } from './testing/worker-harness.js';

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness();
  h.startWorker();
});
afterAll(async () => {
  await h.close();
});

function created(id: string) {
  const [tool = 'personio'] = id.split(':');
  return { id, tool, category: 'HRIS', end_user: { organization_name: 'Acme', origin_id: 'o1' } };
}

describe('sync worker: happy path', () => {
  it('created → full sync: the mirror equals the sandbox truth, schedules registered, run recorded', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    await h.trigger(id, { created: created(id), full: true, triggers: ['integration-created'] });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    expect(run?.kind).toBe('full');
    const states = await getSyncStates(h.database, id);
    expect([...states.keys()].sort()).toEqual([...HRIS_TEST_MODELS].sort());
    expect((await getIntegration(h.database, id))?.originId).toBe('o1');
    const schedulers = (await h.queue.getJobSchedulers()).map((s) => s.key).sort();
    expect(schedulers).toEqual([`sync:${id}`]);
  });

  it('delta after mutations requests only changed pages and propagates nested changes and deletions', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 60 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    h.sandbox.mutate(id, {
      updates: 2,
      nestedUpdates: 2,
      deletes: 2,
      creates: 1,
      models: ['hris_employees', 'hris_employments'],
    });
    h.sandbox.resetStats();
    await h.trigger(id, { models: ['hris_employees', 'hris_employments'], triggers: ['data-changed'] });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.kind).toBe('delta');
    expect(run?.status).toBe('succeeded');
    // 60 employees and 66 employments at 20 per page would be 8 pages in full; the delta needs one page each.
    expect(h.sandbox.stats().byIntegration[id]?.requests).toBe(2);
  });
});
