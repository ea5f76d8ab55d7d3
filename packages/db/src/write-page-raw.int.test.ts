import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { writePage, type KomboRecord, type WritePageInput, type WritePageOptions } from './write-page.js';
import { FETCH_0, FETCH_1, newIntegration, T0, T1 } from './testing/write-page-fixtures.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

/* writePage given the records' JSON texts as received (`rawRecords`): what is stored and hashed is that text. */

/** A record and a text Kombo could have sent for it: other key order, spacing and escapes than JSON.stringify's. */
function received(id: string, overrides: Partial<KomboRecord> = {}): { record: KomboRecord; text: string } {
  const record: KomboRecord = {
    id,
    changed_at: T0,
    remote_deleted_at: null,
    first_name: 'Zoë',
    weekly_hours: 40,
    employments: [{ id: 'emp1', job_title: 'Engineer' }],
    custom_fields: { nested: { deep: [1, 'two', null] } },
    ...overrides,
  };
  const reversed = Object.fromEntries(Object.entries(record).reverse());
  const text = JSON.stringify(reversed, null, 1).replaceAll('ë', '\\u00eb');
  return { record, text };
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

describe.each([false, true])('writePage with the texts as received (isInitialPass: %s)', (isInitialPass) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await test.drop();
  });

  const write = (
    integrationId: string,
    page: { record: KomboRecord; text: string }[],
    extra: Partial<WritePageInput & WritePageOptions> = {},
  ) =>
    writePage(test.database, {
      integrationId,
      model: 'hris_employees',
      records: page.map((item) => item.record),
      rawRecords: page.map((item) => item.text),
      komboFetchedAt: FETCH_0,
      runId: 1,
      pageIndex: 0,
      isFullPass: false,
      isInitialPass,
      ...extra,
    });

  async function row(integrationId: string, id: string) {
    const { rows } = await test.database.pool.query(
      `SELECT raw, encode(raw_hash, 'hex') AS raw_hash, first_name, weekly_hours, xmin::text AS xmin
       FROM hris_employees WHERE integration_id = $1 AND id = $2`,
      [integrationId, id],
    );
    return rows[0] as {
      raw: unknown;
      raw_hash: string;
      first_name: string;
      weekly_hours: number;
      xmin: string;
    };
  }

  it('stores the data of the received text, hashed as received, and fills the typed columns from it', async () => {
    const integrationId = newIntegration();
    const item = received('e1');
    expect(await write(integrationId, [item])).toMatchObject({ inserted: 1, changedIds: ['e1'] });
    const stored = await row(integrationId, 'e1');
    expect(stored.raw).toEqual(item.record);
    expect(stored.raw_hash).toBe(sha1(item.text));
    expect(stored).toMatchObject({ first_name: 'Zoë', weekly_hours: 40 });
  });

  it('leaves a row alone when the same text comes again, or the same data as another text', async () => {
    const integrationId = newIntegration();
    const item = received('e1');
    await write(integrationId, [item]);
    const before = await row(integrationId, 'e1');
    const replay = await write(integrationId, [item], { komboFetchedAt: FETCH_1 });
    expect(replay).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    // Same data, compact text: another hash, so the guard compares the records as jsonb and finds them equal.
    const compact = { record: item.record, text: JSON.stringify(item.record) };
    const reworded = await write(integrationId, [compact], { komboFetchedAt: FETCH_1 });
    expect(reworded).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    expect((await row(integrationId, 'e1')).xmin).toBe(before.xmin);
  });

  it('applies a newer version and keeps the latest of ids repeated within the page', async () => {
    const integrationId = newIntegration();
    await write(integrationId, [received('e1')]);
    const result = await write(integrationId, [
      received('e1', { changed_at: T1, first_name: 'Latest' }),
      received('e1', { first_name: 'Earlier' }),
    ]);
    expect(result).toMatchObject({ updated: 1, unchanged: 0, changedIds: ['e1'] });
    const stored = await row(integrationId, 'e1');
    expect(stored.first_name).toBe('Latest');
    expect(stored.raw_hash).toBe(sha1(received('e1', { changed_at: T1, first_name: 'Latest' }).text));
  });

  it('serialises the parsed record instead when the text carries a NUL escape (jsonb rejects NUL)', async () => {
    const integrationId = newIntegration();
    const record: KomboRecord = {
      id: 'e1',
      changed_at: T0,
      remote_deleted_at: null,
      first_name: 'A\u0000da',
    };
    const result = await write(integrationId, [{ record, text: JSON.stringify(record) }]);
    expect(result.inserted).toBe(1);
    expect((await row(integrationId, 'e1')).first_name).toBe('A\uFFFDda');
  });

  it('refuses texts that do not line up with the records, writing nothing', async () => {
    const integrationId = newIntegration();
    const a = received('a');
    const b = received('b');
    await expect(
      writePage(test.database, {
        integrationId,
        model: 'hris_employees',
        records: [a.record, b.record],
        rawRecords: [a.text],
        komboFetchedAt: FETCH_0,
        runId: 1,
        pageIndex: 0,
        isFullPass: false,
        isInitialPass,
      }),
    ).rejects.toThrow(RangeError);
    expect(await row(integrationId, 'a')).toBeUndefined();
  });
});
