import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns, type IntegrationControlsInput } from '@kombo-sync/db';
import { peekIntent, publishScheduleDefaults, SCHEDULED_SYNC_JOB_NAME } from '@kombo-sync/queue';
import type { SyncWorker } from './create-sync-worker.js';
import { createHarness, HRIS_TEST_MODELS, type WorkerHarness } from './testing/worker-harness.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

let h: WorkerHarness;
let worker: SyncWorker;

beforeAll(async () => {
  h = await createHarness();
  worker = h.startWorker();
});

afterAll(async () => {
  await h.close();
});

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

const control = (id: string, input: IntegrationControlsInput) => h.control(id, input);

async function syncedIntegration(sizes = { employees: 30 }): Promise<string> {
  const { id } = h.sandbox.createIntegration({ sizes });
  await h.trigger(id, { created: created(id), full: true });
  await h.waitForIdle();
  return id;
}

describe('per-integration controls in the worker', () => {
  it('a paused integration records webhooks without a Kombo request, and the resume syncs them', async () => {
    const id = await syncedIntegration();
    await control(id, { isPaused: true });
    h.sandbox.mutate(id, { updates: 3, deletes: 1, creates: 1, models: ['hris_employees'] });
    const runsBefore = (await getRecentRuns(h.database, id, 100)).length;
    h.sandbox.resetStats();

    const handle = await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    expect((await h.getJob(handle))?.returnvalue).toMatchObject({ outcome: 'no-sync' });
    // A full resync asked for while paused waits too.
    await h.trigger(id, { models: 'all', full: true, triggers: ['manual'] });
    await h.waitForIdle();

    expect(h.sandbox.stats().byIntegration[id]?.requests ?? 0).toBe(0);
    expect((await getRecentRuns(h.database, id, 100)).length).toBe(runsBefore);
    const kept = await peekIntent(h.redis, h.prefix, id);
    expect(kept).toMatchObject({ models: 'all', full: true });
    expect(kept?.triggers).toEqual(expect.arrayContaining(['data-changed', 'manual']));
    await expect(h.expectExact(id, HRIS_TEST_MODELS)).rejects.toThrow(/differs|missing|not in truth/);

    const result = await control(id, { isPaused: false });
    expect(result.jobId).toBeDefined();
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    expect(run?.kind).toBe('full');
    expect(run?.trigger).toEqual(expect.stringContaining('data-changed'));
    expect(run?.trigger).toEqual(expect.stringContaining('resume'));
    expect(await peekIntent(h.redis, h.prefix, id)).toBeNull();
  });

  it('a resume with nothing recorded still catches up every model by delta', async () => {
    const id = await syncedIntegration();
    await control(id, { isPaused: true });
    h.sandbox.mutate(id, { updates: 2, models: ['hris_employments'] });
    await control(id, { isPaused: false });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run).toMatchObject({ kind: 'delta', trigger: 'resume', status: 'succeeded' });
  });

  it('syncs only the integration subset of models; models added back get synced', async () => {
    const id = await syncedIntegration();
    await control(id, { models: ['hris_employees'] });
    h.sandbox.mutate(id, { updates: 2, models: ['hris_employees', 'hris_employments'] });
    h.sandbox.resetStats();
    await h.trigger(id, { models: ['hris_employees', 'hris_employments'], triggers: ['data-changed'] });
    await h.waitForIdle();
    // One page of hris_employees, nothing of hris_employments.
    expect(h.sandbox.stats().byIntegration[id]?.requests).toBe(1);
    await h.expectExact(id, ['hris_employees']);
    await expect(h.expectExact(id, ['hris_employments'])).rejects.toThrow(/differs/);

    const result = await control(id, { models: null });
    expect(result.jobId).toBeDefined();
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
  });

  it('reschedules at the integration own intervals, on its phase', async () => {
    const id = await syncedIntegration({ employees: 5 });
    await publishScheduleDefaults(h.redis, h.prefix, {
      fullEveryMs: h.config.fullIntervalMs,
      safetyNetEveryMs: h.config.safetyNetIntervalMs,
    });
    const result = await control(id, { safetyNetIntervalMs: 20 * 60_000 });
    expect(result.isRescheduled).toBe(true);
    expect((await h.queue.getJobScheduler(`sync:${id}`))?.every).toBe(20 * 60_000);
    await control(id, { safetyNetIntervalMs: null });
    expect((await h.queue.getJobScheduler(`sync:${id}`))?.every).toBe(h.config.safetyNetIntervalMs);
  });

  it('a scheduled run is a delta until the full interval has passed since the last full sync', async () => {
    const id = await syncedIntegration({ employees: 5 });
    const delta = await h.queue.add(SCHEDULED_SYNC_JOB_NAME, { integrationId: id });
    await h.waitForIdle();
    expect((await h.queue.getJob(delta.id as string))?.returnvalue).toEqual({
      outcome: 'scheduled',
      kind: 'delta',
    });
    expect((await getRecentRuns(h.database, id, 1))[0]).toMatchObject({
      kind: 'delta',
      trigger: 'schedule:delta',
    });

    // A worker whose clock is a week and a half on: the integration's full sync is due.
    await worker.close(5_000);
    worker = h.startWorker({ now: () => Date.now() + 1.5 * WEEK_MS });
    const full = await h.queue.add(SCHEDULED_SYNC_JOB_NAME, { integrationId: id });
    await h.waitForIdle();
    const kind = ((await h.queue.getJob(full.id as string))?.returnvalue as { kind?: string } | undefined)
      ?.kind;
    expect(kind).toBe('full');
    expect((await getRecentRuns(h.database, id, 1))[0]).toMatchObject({
      kind: 'full',
      trigger: 'schedule:full',
    });
  });
});
