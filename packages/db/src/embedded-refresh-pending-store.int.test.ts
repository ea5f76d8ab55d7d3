import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  addPendingEmbedded,
  clearPendingEmbedded,
  listPendingEmbedded,
} from './embedded-refresh-pending-store.js';
import { deleteIntegrationData } from './integration-data.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

describe('embedded refresh pending store', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await test.drop();
  });

  it('records children only, lists them by keyset, clears only the version handled', async () => {
    const db = test.database;
    const integrationId = 'i-pending';
    await addPendingEmbedded(db, { integrationId, model: 'ats_tags', childIds: ['t2', 't1', 't2'] });
    await addPendingEmbedded(db, { integrationId, model: 'ats_jobs', childIds: ['j1'] });
    // Not a child of any untracked embed: not recorded.
    await addPendingEmbedded(db, { integrationId, model: 'ats_applications', childIds: ['a1'] });
    const models = ['ats_jobs', 'ats_tags'] as const;

    const first = await listPendingEmbedded(db, { integrationId, models, limit: 2 });
    expect(first.map((c) => `${c.model}/${c.childId}`)).toEqual(['ats_jobs/j1', 'ats_tags/t1']);
    const rest = await listPendingEmbedded(db, {
      integrationId,
      models,
      limit: 2,
      after: { model: 'ats_tags', childId: 't1' },
    });
    expect(rest.map((c) => `${c.model}/${c.childId}`)).toEqual(['ats_tags/t2']);
    expect(await listPendingEmbedded(db, { integrationId, models: ['ats_users'], limit: 10 })).toEqual([]);

    // t1 changes again after being listed: clearing the listed version keeps it.
    await addPendingEmbedded(db, { integrationId, model: 'ats_tags', childIds: ['t1'] });
    expect(await clearPendingEmbedded(db, { integrationId, children: [...first, ...rest] })).toBe(2);
    const left = await listPendingEmbedded(db, { integrationId, models, limit: 10 });
    expect(left).toEqual([{ model: 'ats_tags', childId: 't1', version: 2 }]);

    await deleteIntegrationData(db, integrationId);
    expect(await listPendingEmbedded(db, { integrationId, models, limit: 10 })).toEqual([]);
  });
});
