import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getFieldDefinitions, getIntegration, getRecentRuns } from '@kombo-sync/db';
import {
  createHarness,
  createdIntent,
  HRIS_TEST_MODELS,
  type WorkerHarness,
} from './testing/worker-harness.js';
import { needsFieldDefinitions } from './refresh-field-definitions.js';

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness({ enabledModels: [...HRIS_TEST_MODELS] });
  h.startWorker();
});
afterAll(async () => {
  await h.close();
});

/** The mirror's definitions still listed, as `id label` lines, against the sandbox's. */
async function expectDefinitionsExact(id: string): Promise<void> {
  const stored = await getFieldDefinitions(h.database, id);
  const truth = h.sandbox.fieldDefinitions(id);
  const lines = (rows: { id: string; label: string | null }[]) =>
    rows.map((row) => `${row.id} ${row.label}`).sort();
  expect(lines(stored.customFields.filter((row) => row.removedAt === null))).toEqual(
    lines(truth.customFields),
  );
  expect(lines(stored.integrationFields.filter((row) => row.removedAt === null))).toEqual(
    lines(truth.integrationFields),
  );
  expect(stored.customFields.map((row) => row.raw).filter((raw) => !raw['id'])).toEqual([]);
}

const removedIds = async (id: string): Promise<string[]> => {
  const stored = await getFieldDefinitions(h.database, id);
  return [...stored.customFields, ...stored.integrationFields]
    .filter((row) => row.removedAt !== null)
    .map((row) => row.id)
    .sort();
};

describe('field definitions', () => {
  it('appear with the first sync and follow changes on a state change and on a full sync', async () => {
    const { id } = h.sandbox.createIntegration({
      sizes: { employees: 5 },
      customFields: 300,
      integrationFields: 10,
    });
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    await expectDefinitionsExact(id);
    // 300 custom fields are two pages of 250.
    expect((await getFieldDefinitions(h.database, id)).customFields).toHaveLength(300);
    expect(await getIntegration(h.database, id)).toMatchObject({
      fieldDefinitionsRefreshedAt: expect.any(Date),
      fieldDefinitionsError: null,
    });

    // A delta run does not read them again (Kombo sends no webhook for a definition change).
    h.sandbox.changeFieldDefinitions(id, { creates: 2, updates: 3, deletes: 2 });
    h.sandbox.mutate(id, { updates: 1, models: ['hris_employees'] });
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    await expect(expectDefinitionsExact(id)).rejects.toThrow();

    // Paused while INACTIVE (nothing read), read again when it turns ACTIVE.
    const t0 = Date.now();
    for (const [state, at] of [
      ['INACTIVE', t0],
      ['ACTIVE', t0 + 1_000],
    ] as const) {
      h.sandbox.setIntegrationState(id, state);
      await h.trigger(id, {
        state: { integration_id: id, state, updated_at: new Date(at).toISOString() },
        triggers: ['integration-state-changed'],
      });
      await h.waitForIdle();
      if (state === 'INACTIVE') await expect(expectDefinitionsExact(id)).rejects.toThrow();
    }
    await expectDefinitionsExact(id);
    // Deleting a mapped custom field removes its integration field too: removed rows are kept, marked.
    expect((await removedIds(id)).length).toBeGreaterThanOrEqual(2);

    h.sandbox.changeFieldDefinitions(id, { creates: 1, deletes: 1 });
    await h.trigger(id, { full: true, triggers: ['manual'] });
    await h.waitForIdle();
    await expectDefinitionsExact(id);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run).toMatchObject({ kind: 'full', status: 'succeeded' });
  });

  it('a failed refresh is recorded without failing the run, and the next run reads them again', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 5 } });
    h.sandbox.injectFault({
      fault: 'server_error',
      integrationId: id,
      model: 'integration-fields',
      count: 1,
    });
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    await h.expectExact(id, HRIS_TEST_MODELS);
    const row = await getIntegration(h.database, id);
    expect(row?.fieldDefinitionsError).toMatch(/^PLATFORM\.|^HTTP|5\d\d/);
    expect(row?.fieldDefinitionsRefreshedAt).toBeNull();

    h.sandbox.mutate(id, { updates: 1, models: ['hris_employees'] });
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    await expectDefinitionsExact(id);
    expect(await getIntegration(h.database, id)).toMatchObject({ fieldDefinitionsError: null });
  });

  it('a state change that leads to no run reads them again, without a run', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 5 } });
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    await expectDefinitionsExact(id);
    const runsBefore = await getRecentRuns(h.database, id, 10);
    const requestsBefore = h.sandbox.stats().byIntegration[id]?.requests ?? 0;

    // Still ACTIVE, its setup completed: nothing to sync, but the customer may have remapped its fields.
    h.sandbox.changeFieldDefinitions(id, { creates: 2, updates: 2, deletes: 1 });
    await expect(expectDefinitionsExact(id)).rejects.toThrow();
    await h.trigger(id, {
      state: {
        integration_id: id,
        state: 'ACTIVE',
        setup_status: 'COMPLETED',
        updated_at: new Date().toISOString(),
      },
      triggers: ['integration-state-changed'],
    });
    await h.waitForIdle();
    await expectDefinitionsExact(id);
    expect(await getRecentRuns(h.database, id, 10)).toEqual(runsBefore);
    // The two listings, nothing else (one page each).
    expect((h.sandbox.stats().byIntegration[id]?.requests ?? 0) - requestsBefore).toBe(2);
  });

  it('a creation that leads to no run (nothing enabled for its category) reads them', async () => {
    const { id } = h.sandbox.createIntegration({ category: 'ATS', sizes: { candidates: 3 } });
    await h.trigger(id, {
      created: { id, tool: id.split(':')[0] ?? 'greenhouse', category: 'ATS' },
      triggers: ['integration-created'],
    });
    await h.waitForIdle();
    expect(await getRecentRuns(h.database, id, 1)).toEqual([]);
    await expectDefinitionsExact(id);
    expect(await getIntegration(h.database, id)).toMatchObject({
      fieldDefinitionsRefreshedAt: expect.any(Date),
    });
  });

  it('are read again on creation, a state change, a full pass, or while none succeeded', () => {
    const served = { deletedAt: null, isPaused: false, state: 'ACTIVE' };
    const done = { ...served, fieldDefinitionsRefreshedAt: new Date(), fieldDefinitionsError: null };
    const state = { integration_id: 'x', state: 'ACTIVE', updated_at: new Date().toISOString() };
    // Without a run: only on creation or a state change, and only while Kombo serves the integration.
    expect(needsFieldDefinitions({}, null, done)).toBe(false);
    expect(needsFieldDefinitions({ state }, null, done)).toBe(true);
    expect(needsFieldDefinitions({ state }, null, undefined)).toBe(false);
    expect(needsFieldDefinitions({ state }, null, { ...done, state: 'INACTIVE' })).toBe(false);
    expect(needsFieldDefinitions({ state }, null, { ...done, isPaused: true })).toBe(false);
    expect(needsFieldDefinitions({ state }, null, { ...done, deletedAt: new Date() })).toBe(false);
    expect(needsFieldDefinitions({ state }, null, { ...done, state: null })).toBe(true);
    expect(needsFieldDefinitions({ state }, { mode: 'delta' }, done)).toBe(true);
    const delta = { mode: 'delta' as const };
    expect(needsFieldDefinitions({}, delta, done)).toBe(false);
    expect(needsFieldDefinitions({}, { mode: 'delta', fullModels: ['hris_employees'] }, done)).toBe(true);
    expect(needsFieldDefinitions({}, { mode: 'full' }, done)).toBe(true);
    expect(needsFieldDefinitions({}, delta, { ...done, fieldDefinitionsError: 'x' })).toBe(true);
    expect(needsFieldDefinitions({}, delta, { ...done, fieldDefinitionsRefreshedAt: null })).toBe(true);
    expect(needsFieldDefinitions({}, delta, undefined)).toBe(true);
  });
});
