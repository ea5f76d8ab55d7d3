import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  getFieldDefinitions,
  recordFieldDefinitionsError,
  replaceFieldDefinitions,
  type CustomFieldDefinitionInput,
  type IntegrationFieldDefinitionInput,
} from './field-definitions-store.js';
import { deleteIntegrationData } from './integration-data.js';
import { getIntegration, upsertIntegration } from './integrations-store.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const custom = (id: string, label: string, mappedTo: string | null = null): CustomFieldDefinitionInput => ({
  id,
  key: `key_${id}`,
  model: 'hris_employees',
  label,
  description: null,
  integration_field: mappedTo === null ? null : { id: mappedTo, key: `custom.${id}`, type: 'CUSTOM', label },
});
const field = (id: string, label: string): IntegrationFieldDefinitionInput => ({
  id,
  key: `f_${id}`,
  model: 'hris_employees',
  type: 'DEFAULT',
  label,
  is_passthrough_enabled: true,
  is_writable: false,
});

describe('field definitions store', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await test.drop();
  });

  it('upserts complete listings, marks what a later listing leaves out removed, and revives it', async () => {
    const db = test.database;
    const integrationId = 'personio:fields';
    await upsertIntegration(db, { id: integrationId, tool: 'personio', category: 'HRIS' });
    const first = new Date('2026-01-01T00:00:00Z');
    expect(
      await replaceFieldDefinitions(db, {
        integrationId,
        customFields: [custom('c1', 'One', 'i1'), custom('c2', 'Two')],
        integrationFields: [field('i1', 'One'), field('i2', 'Two')],
        at: first,
      }),
    ).toEqual({ customFields: { listed: 2, removed: 0 }, integrationFields: { listed: 2, removed: 0 } });

    const second = new Date('2026-01-02T00:00:00Z');
    expect(
      await replaceFieldDefinitions(db, {
        integrationId,
        customFields: [custom('c1', 'One relabelled', 'i1')],
        integrationFields: [field('i1', 'One relabelled')],
        at: second,
      }),
    ).toEqual({ customFields: { listed: 1, removed: 1 }, integrationFields: { listed: 1, removed: 1 } });
    let stored = await getFieldDefinitions(db, integrationId);
    expect(
      stored.customFields.map(({ id, label, integrationFieldId, removedAt }) => ({
        id,
        label,
        integrationFieldId,
        removedAt,
      })),
    ).toEqual([
      { id: 'c1', label: 'One relabelled', integrationFieldId: 'i1', removedAt: null },
      { id: 'c2', label: 'Two', integrationFieldId: null, removedAt: second },
    ]);
    expect(stored.integrationFields.map(({ id, removedAt, raw }) => ({ id, removedAt, raw }))).toEqual([
      { id: 'i1', removedAt: null, raw: field('i1', 'One relabelled') },
      { id: 'i2', removedAt: second, raw: field('i2', 'Two') },
    ]);

    // An empty listing removes everything still listed; the refresh is recorded and clears a recorded error.
    await recordFieldDefinitionsError(db, integrationId, 'Kombo answered 503');
    const third = new Date('2026-01-03T00:00:00Z');
    await replaceFieldDefinitions(db, { integrationId, customFields: [], integrationFields: [], at: third });
    expect(await getIntegration(db, integrationId)).toMatchObject({
      fieldDefinitionsRefreshedAt: third,
      fieldDefinitionsError: null,
    });
    stored = await getFieldDefinitions(db, integrationId);
    expect(stored.customFields.map((f) => f.removedAt)).toEqual([third, second]);

    // Listed again: no longer removed.
    await replaceFieldDefinitions(db, {
      integrationId,
      customFields: [custom('c2', 'Two')],
      integrationFields: [],
      at: new Date('2026-01-04T00:00:00Z'),
    });
    stored = await getFieldDefinitions(db, integrationId);
    expect(stored.customFields.map((f) => [f.id, f.removedAt === null])).toEqual([
      ['c1', false],
      ['c2', true],
    ]);

    await deleteIntegrationData(db, integrationId);
    expect(await getFieldDefinitions(db, integrationId)).toEqual({ customFields: [], integrationFields: [] });
  });
});
