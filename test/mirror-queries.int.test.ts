// The mirror package's typed queries on a real Postgres with the migrations (here, not in packages/mirror: its test
// database comes from @kombo-sync/db, which depends on the mirror package).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testServices } from '@kombo-sync/config/testing';
import { createTestDatabase, type TestDatabase } from '@kombo-sync/db/testing';
import {
  changesSince,
  customFieldDefinitions,
  customFields,
  getRecord,
  integrationFieldDefinitions,
  liveRecords,
  modelTables,
  recordsByIds,
} from '@kombo-sync/mirror';
import {
  customFieldDefinitions as customFieldDefinitionsTable,
  integrationFieldDefinitions as integrationFieldDefinitionsTable,
} from '@kombo-sync/mirror/tables';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

let test: TestDatabase;
const INT = 'personio:mirror';
const T = new Date('2026-01-01T00:00:00Z');

beforeAll(async () => {
  test = await createTestDatabase(TEST_DATABASE_URL);
  const row = (id: string, runId: number, extra: Record<string, unknown> = {}) => ({
    integrationId: INT,
    id,
    changedAt: T,
    raw: { id, secret_raw_only: true },
    komboFetchedAt: T,
    lastRunId: runId,
    first_name: `Name ${id}`,
    start_date: T,
    weekly_hours: 40,
    custom_fields: { shirt_size: 'M' },
    ...extra,
  });
  await test.database.db
    .insert(modelTables.hris_employees)
    .values([row('e1', 1), row('e2', 2), row('e3', 3, { remoteDeletedAt: T }), row('e4', 3)]);
  await test.database.db
    .insert(modelTables.hris_employees)
    .values({ ...row('x1', 3), integrationId: 'other:1' });
});
afterAll(async () => {
  await test.drop();
});

describe('mirror queries', () => {
  it('reads live records with typed fields, never raw nor deleted ones', async () => {
    const db = test.database.db;
    const live = await liveRecords(db, 'hris_employees', INT);
    expect(live.map((r) => r.id)).toEqual(['e1', 'e2', 'e4']);
    const [first] = live;
    expect(first).toMatchObject({
      id: 'e1',
      integrationId: INT,
      first_name: 'Name e1',
      weekly_hours: 40,
      lastRunId: 1,
    });
    expect(first?.start_date).toEqual(T);
    expect(first).not.toHaveProperty('raw');
    expect(first).not.toHaveProperty('remoteDeletedAt');
    expect(
      (await liveRecords(db, 'hris_employees', INT, { limit: 1, afterId: 'e1' })).map((r) => r.id),
    ).toEqual(['e2']);

    expect((await getRecord(db, 'hris_employees', INT, 'e2'))?.first_name).toBe('Name e2');
    expect(await getRecord(db, 'hris_employees', INT, 'e3')).toBeUndefined();
    expect(
      (await recordsByIds(db, 'hris_employees', INT, ['e4', 'e3', 'nope', 'x1'])).map((r) => r.id),
    ).toEqual(['e4']);
  });

  it('reads what changed since a run, and custom fields', async () => {
    const db = test.database.db;
    const since = await changesSince(db, 'hris_employees', INT, 2);
    expect(since.changed.map((r) => r.id)).toEqual(['e2', 'e4']);
    expect(since.deletedIds).toEqual(['e3']);
    expect(await customFields(db, 'hris_employees', INT, 'e1')).toEqual({ shirt_size: 'M' });
    expect(await customFields(db, 'hris_employees', INT, 'e3')).toBeUndefined();
  });

  it('reads field definitions: listed ones by model and key, removed ones on request, never raw', async () => {
    const db = test.database.db;
    const definition = (id: string, model: string, key: string, removedAt: Date | null = null) => ({
      integrationId: INT,
      id,
      model,
      key,
      label: key.toUpperCase(),
      raw: { id, secret_raw_only: true },
      removedAt,
    });
    await db
      .insert(customFieldDefinitionsTable)
      .values([
        { ...definition('c2', 'hris_employees', 'shirt_size'), integrationFieldId: 'i1' },
        definition('c1', 'hris_employees', 'badge'),
        definition('c3', 'ats_candidates', 'source'),
        definition('c4', 'hris_employees', 'old', T),
      ]);
    await db.insert(integrationFieldDefinitionsTable).values([
      { ...definition('i1', 'hris_employees', 'custom.shirt'), type: 'CUSTOM', isPassthroughEnabled: true },
      {
        ...definition('x', 'hris_employees', 'k'),
        integrationId: 'other:1',
        type: 'DEFAULT',
        isPassthroughEnabled: false,
      },
    ]);
    const listed = await customFieldDefinitions(db, INT, { model: 'hris_employees' });
    expect(listed.map((d) => [d.id, d.key, d.integrationFieldId])).toEqual([
      ['c1', 'badge', null],
      ['c2', 'shirt_size', 'i1'],
    ]);
    expect(listed[0]).not.toHaveProperty('raw');
    expect((await customFieldDefinitions(db, INT)).map((d) => d.id)).toEqual(['c3', 'c1', 'c2']);
    const all = await customFieldDefinitions(db, INT, { includeRemoved: true });
    expect(all.find((d) => d.id === 'c4')?.removedAt).toEqual(T);
    const fields = await integrationFieldDefinitions(db, INT);
    expect(fields).toEqual([
      expect.objectContaining({
        id: 'i1',
        type: 'CUSTOM',
        isPassthroughEnabled: true,
        label: 'CUSTOM.SHIRT',
      }),
    ]);
  });
});
