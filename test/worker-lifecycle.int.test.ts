// Lifecycle webhooks end to end: integration-deleted under SYNC_ON_INTEGRATION_DELETED=delete and =soft, and
// integration-state-changed INACTIVE (pause) → ACTIVE (resume with a delta of every model).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countRows, getIntegration, getRecentRuns } from '@kombo-sync/db';
import type { SyncWorker } from '../apps/worker/src/create-sync-worker.js';
import type { WorkerConfig } from '../apps/worker/src/worker-config.js';
import { createHarness, HRIS_TEST_MODELS, type Harness } from './worker-harness.js';

let h: Harness;
let worker: SyncWorker | undefined;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** One worker at a time, with the given settings. */
async function useWorker(config: Partial<WorkerConfig> = {}): Promise<void> {
  await worker?.close(5_000);
  worker = h.startWorker({ config });
}

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });
const deleted = (id: string, at: Date) => ({ ...created(id), deleted_at: at.toISOString() });
const state = (id: string, value: string, at: Date) => ({
  integration_id: id,
  state: value,
  updated_at: at.toISOString(),
});

async function schedulesOf(id: string): Promise<string[]> {
  return (await h.queue.getJobSchedulers())
    .map((scheduler) => scheduler.key)
    .filter((key) => key.endsWith(`:${id}`))
    .sort();
}

async function syncedIntegration(): Promise<string> {
  const { id } = h.sandbox.createIntegration({ sizes: { employees: 20 } });
  await h.trigger(id, { created: created(id), full: true });
  await h.waitForIdle();
  await h.expectExact(id, HRIS_TEST_MODELS);
  expect(await schedulesOf(id)).toEqual([`full:${id}`, `safety:${id}`]);
  return id;
}

describe('integration-deleted', () => {
  it('delete: the rows and the schedules are removed, the integration is marked deleted', async () => {
    await useWorker({ onIntegrationDeleted: 'delete' });
    const id = await syncedIntegration();
    const deletedAt = new Date('2026-11-01T10:00:00.000Z');
    await h.trigger(id, { deleted: deleted(id, deletedAt), triggers: ['integration-deleted'] });
    await h.waitForIdle();

    const counts = await countRows(h.database, id);
    for (const model of HRIS_TEST_MODELS) expect(counts[model]).toEqual({ total: 0, deleted: 0 });
    expect(await schedulesOf(id)).toEqual([]);
    expect((await getIntegration(h.database, id))?.deletedAt).toEqual(deletedAt);
  });

  it('soft: the rows are kept, marked deleted at the deletion time; schedules removed; integration marked', async () => {
    await useWorker({ onIntegrationDeleted: 'soft' });
    const id = await syncedIntegration();
    const before = await h.mirror(id, 'hris_employees');
    const deletedAt = new Date('2026-11-01T10:00:00.000Z');
    await h.trigger(id, { deleted: deleted(id, deletedAt), triggers: ['integration-deleted'] });
    await h.waitForIdle();

    const counts = await countRows(h.database, id);
    for (const model of HRIS_TEST_MODELS) {
      const truth = h.sandbox.truth(id, model);
      expect(counts[model]).toEqual({ total: truth.length, deleted: truth.length });
    }
    // Rows already deleted at Kombo keep their own deletion time; the others carry the integration's; raw is kept.
    const after = await h.mirror(id, 'hris_employees');
    for (const [rowId, row] of after) {
      const old = before.get(rowId);
      expect(row.raw).toEqual(old?.raw);
      expect(row.remoteDeletedAt).toEqual(old?.remoteDeletedAt ?? deletedAt);
    }
    expect(await schedulesOf(id)).toEqual([]);
    expect((await getIntegration(h.database, id))?.deletedAt).toEqual(deletedAt);

    // A later data-changed webhook for the deleted integration syncs nothing.
    h.sandbox.resetStats();
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    expect(h.sandbox.stats().byIntegration[id]?.requests ?? 0).toBe(0);
  });
});

describe('integration-state-changed', () => {
  it('INACTIVE pauses (a data-changed intent syncs nothing); ACTIVE resumes with a delta of every model', async () => {
    await useWorker();
    const id = await syncedIntegration();
    const t0 = Date.now();
    h.sandbox.setIntegrationState(id, 'INACTIVE');
    await h.trigger(id, {
      state: state(id, 'INACTIVE', new Date(t0)),
      triggers: ['integration-state-changed'],
    });
    await h.waitForIdle();
    expect((await getIntegration(h.database, id))?.state).toBe('INACTIVE');
    const runsBefore = await getRecentRuns(h.database, id);

    // Changes while paused, across every model; the webhook names only one of them.
    h.sandbox.setIntegrationState(id, 'ACTIVE');
    h.sandbox.mutate(id, { updates: 3, creates: 2, deletes: 1, nestedUpdates: 1 });
    h.sandbox.resetStats();
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    expect(h.sandbox.stats().byIntegration[id]?.requests ?? 0).toBe(0);
    expect(await getRecentRuns(h.database, id)).toHaveLength(runsBefore.length);
    await expect(h.expectExact(id, HRIS_TEST_MODELS)).rejects.toThrow('mirror differs');

    await h.trigger(id, {
      state: state(id, 'ACTIVE', new Date(t0 + 1_000)),
      triggers: ['integration-state-changed'],
    });
    await h.waitForIdle();
    expect((await getIntegration(h.database, id))?.state).toBe('ACTIVE');
    const [resumed] = await getRecentRuns(h.database, id, 1);
    expect(resumed?.kind).toBe('delta');
    expect(resumed?.status).toBe('succeeded');
    expect(Object.keys(resumed?.counts ?? {}).sort()).toEqual([...HRIS_TEST_MODELS].sort());
    await h.expectExact(id, HRIS_TEST_MODELS);
    expect(await schedulesOf(id)).toEqual([`full:${id}`, `safety:${id}`]);
  });
});
