import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import { embeddedRefreshPending, getRecentRuns } from '@kombo-sync/db';
import { eq } from 'drizzle-orm';
import type { SyncWorker } from './create-sync-worker.js';
import { createHarness, type WorkerHarness } from './testing/worker-harness.js';

// Copies Kombo's updated_after does not track (catalog UNTRACKED_EMBEDS) are refetched by id in the same run.
const ATS_MODELS = [
  'ats_candidates',
  'ats_applications',
  'ats_jobs',
  'ats_application_stages',
  'ats_tags',
  'ats_users',
  'ats_interviews',
] as const satisfies readonly ModelName[];

let h: WorkerHarness;
let worker: SyncWorker;
beforeAll(async () => {
  h = await createHarness({ enabledModels: [...ATS_MODELS] });
  worker = h.startWorker();
});
afterAll(async () => {
  await h.close();
});

async function fullySyncedAtsIntegration(candidates: number): Promise<string> {
  const { id } = h.sandbox.createIntegration({ category: 'ATS', sizes: { candidates } });
  await h.trigger(id, {
    created: { id, tool: id.split(':')[0] ?? 'greenhouse', category: 'ATS' },
    full: true,
    triggers: ['integration-created'],
  });
  await h.waitForIdle();
  await h.expectExact(id, ATS_MODELS);
  return id;
}

describe('embedded copies Kombo does not re-date', () => {
  it("a candidate's new tags reach its applications' embedded candidate in the delta run", async () => {
    const id = await fullySyncedAtsIntegration(30);
    // The first nested update of an ATS integration changes a candidate's tags (ats_join_candidates_tags): Kombo
    // re-dates the candidate, not its applications.
    const { changedModels } = h.sandbox.mutate(id, { nestedUpdates: 1 });
    expect(changedModels).toEqual(['ats_join_candidates_tags']);
    h.sandbox.resetStats();
    await h.trigger(id, { models: ['ats_candidates'], triggers: ['data-changed'] });
    await h.waitForIdle();

    await h.expectExact(id, ATS_MODELS);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.kind).toBe('delta');
    expect(run?.status).toBe('succeeded');
    // One delta page of candidates, one ids request for its applications, one for its interviews.
    expect(h.sandbox.stats().byIntegration[id]?.requests).toBeLessThanOrEqual(3);
  });

  it("a renamed stage reaches the jobs' stages and the candidates' applications in the delta run", async () => {
    const id = await fullySyncedAtsIntegration(60);
    h.sandbox.mutate(id, { updates: 1, models: ['ats_application_stages'] });
    h.sandbox.resetStats();
    await h.trigger(id, {
      models: ['ats_application_stages', 'ats_applications'],
      triggers: ['data-changed'],
    });
    await h.waitForIdle();

    await h.expectExact(id, ATS_MODELS);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    // At 20 records per page (the harness's page size, which an ids request pages by too): deltas of stages (1)
    // and the re-dated applications (≤ 4 of 78); refetches by id: 3 jobs (1), the ≤ 60 candidates holding the
    // stage (≤ 3), then, in the second round, those candidates' applications (≤ 4) and interviews (≤ 3 of 48).
    expect(h.sandbox.stats().byIntegration[id]?.requests).toBeLessThanOrEqual(16);
  });

  /** The integration's children whose parents still need a refetch. */
  async function pendingChildren(id: string): Promise<string[]> {
    const rows = await h.database.db
      .select()
      .from(embeddedRefreshPending)
      .where(eq(embeddedRefreshPending.integrationId, id));
    return rows.map((row) => `${row.model}/${row.childId}`);
  }

  it('a failed refetch leaves the children pending: the retry, whose delta sees no change, refreshes them', async () => {
    const id = await fullySyncedAtsIntegration(30);
    h.sandbox.mutate(id, { updates: 1, models: ['ats_application_stages'] });
    // The `ids` request for the stage's jobs fails (the harness's client does not retry): the run fails after the
    // stages' watermark committed, and the job's retry re-reads the stage (overlap) unchanged.
    h.sandbox.injectFault({ fault: 'server_error', integrationId: id, model: 'ats_jobs', count: 1 });
    await h.trigger(id, { models: ['ats_application_stages'], triggers: ['data-changed'] });
    await h.waitForIdle();

    const [retry, failed] = await getRecentRuns(h.database, id, 2);
    expect(failed?.status).toBe('failed');
    expect(retry?.status).toBe('succeeded');
    await h.expectExact(id, ATS_MODELS);
    expect(await pendingChildren(id)).toEqual([]);
  });

  it('a run stopped between the child pass and the refresh leaves it to the next run', async () => {
    const id = await fullySyncedAtsIntegration(30);
    h.sandbox.mutate(id, { updates: 1, models: ['ats_application_stages'] });
    // The refetch of the stage's jobs hangs; the worker is stopped meanwhile (the run is cancelled).
    h.sandbox.injectFault({ fault: 'hang', integrationId: id, model: 'ats_jobs', count: 1 });
    await h.trigger(id, { models: ['ats_application_stages'], triggers: ['data-changed'] });
    const deadline = Date.now() + 10_000;
    while ((await pendingChildren(id)).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    await worker.close(5_000);
    const pending = await pendingChildren(id);
    // The stage, and any candidate the refresh refetched (and changed) before the jobs.
    expect(pending.filter((child) => child.startsWith('ats_application_stages/'))).toHaveLength(1);
    await expect(h.expectExact(id, ['ats_jobs'])).rejects.toThrow(/differs/);

    worker = h.startWorker();
    await h.trigger(id, { models: ['ats_tags'], triggers: ['data-changed'] });
    await h.waitForIdle();
    await h.expectExact(id, ATS_MODELS);
    expect(await pendingChildren(id)).toEqual([]);
  });
});
