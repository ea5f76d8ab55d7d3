import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { listQuarantinedIds, quarantineKeyOf } from './quarantine-store.js';
import { reconcileDeletions } from './reconcile-deletions.js';
import { MAX_ERROR_TEXT_LENGTH, SafeStoreError, toSafeStoreError } from './safe-error.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { withTransaction } from './with-transaction.js';
import {
  PoisonPageError,
  writePage,
  type KomboRecord,
  type WritePageInput,
  type WritePageOptions,
} from './write-page.js';
import { FETCH_0, FETCH_1, newIntegration, T0 } from './testing/write-page-fixtures.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const SECRET = 'Ada-Private-Value';

function employee(id: string, extra: Record<string, unknown> = {}): KomboRecord {
  return {
    id,
    changed_at: T0,
    remote_deleted_at: null,
    first_name: SECRET,
    weekly_hours: 40,
    date_of_birth: '1990-05-04T00:00:00.000Z',
    custom_fields: { note: SECRET },
    ...extra,
  };
}

/** A record's JSON text as Kombo could send it: `fields` spliced in verbatim (escapes, huge numbers…). */
function rawText(record: KomboRecord, fields: string): string {
  return `${JSON.stringify(record).slice(0, -1)},${fields}}`;
}

/** The record the client parses from `rawText(record, fields)`. */
const parsed = (text: string): KomboRecord => JSON.parse(text) as KomboRecord;

interface PoisonedRecordRow {
  record_id: string;
  reason_code: string;
  reason_class: string;
  reason: string;
  record_text: string;
  attempts: number;
}

describe.each([false, true])('writePage with poison records (isInitialPass: %s)', (isInitialPass) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await test.drop();
  });

  /** Writes a page of texts (the records are parsed from them, as the client does) in one transaction. */
  const write = (
    integrationId: string,
    texts: string[],
    extra: Partial<WritePageInput & WritePageOptions> = {},
  ) =>
    withTransaction(test.database, (tx) =>
      writePage(tx, {
        integrationId,
        model: 'hris_employees',
        records: texts.map(parsed),
        rawRecords: texts,
        komboFetchedAt: FETCH_0,
        runId: 1,
        pageIndex: 0,
        isFullPass: false,
        isInitialPass,
        ...extra,
      }),
    );

  async function stored(integrationId: string): Promise<Map<string, Record<string, unknown>>> {
    const { rows } = await test.database.pool.query<{ id: string; raw: Record<string, unknown> }>(
      `SELECT id, raw FROM hris_employees WHERE integration_id = $1`,
      [integrationId],
    );
    return new Map(rows.map((row) => [row.id, row.raw]));
  }

  async function quarantined(integrationId: string): Promise<Map<string, PoisonedRecordRow>> {
    const { rows } = await test.database.pool.query<PoisonedRecordRow>(
      `SELECT record_id, reason_code, reason_class, reason, record_text, attempts FROM quarantined_records
       WHERE integration_id = $1 AND model = 'hris_employees'`,
      [integrationId],
    );
    return new Map(rows.map((row) => [row.record_id, row]));
  }

  it('stores lone surrogates and NULs, in values and in keys, as U+FFFD and keeps the rest of the record', async () => {
    const integrationId = newIntegration();
    const texts = [
      rawText(employee('value-surrogate'), '"nickname":"a\\ud800b"'),
      rawText(employee('key-surrogate'), '"remote_data":{"k\\udc00":1}'),
      rawText(employee('value-nul'), '"nickname":"a\\u0000b"'),
      rawText(employee('key-nul'), '"remote_data":{"k\\u0000":{"x":"\\u0000"}}'),
      rawText(employee('pair'), '"nickname":"\\ud83d\\ude00"'),
      JSON.stringify(employee('clean')),
    ];
    const result = await write(integrationId, texts);
    expect(result).toMatchObject({ inserted: 6, quarantined: 0, quarantinedIds: [] });
    const rows = await stored(integrationId);
    expect(rows.get('value-surrogate')).toMatchObject({ nickname: 'a\uFFFDb', first_name: SECRET });
    expect(rows.get('key-surrogate')).toMatchObject({ remote_data: { 'k\uFFFD': 1 } });
    expect(rows.get('value-nul')).toMatchObject({ nickname: 'a\uFFFDb' });
    expect(rows.get('key-nul')).toMatchObject({ remote_data: { 'k\uFFFD': { x: '\uFFFD' } } });
    expect(rows.get('pair')).toMatchObject({ nickname: '😀' });
    expect(rows.get('clean')).toEqual(employee('clean'));
    // A replay is a no-op: the cleaned text hashes the same every time.
    expect(await write(integrationId, texts)).toMatchObject({ inserted: 0, updated: 0, unchanged: 6 });
  });

  it('sets aside a record whose id is too long for an index, under a hashed key, with the page’s other poison', async () => {
    const integrationId = newIntegration();
    // Random, so incompressible: Postgres's btree refuses index rows over about 2.7 KB.
    const longId = randomBytes(2_048).toString('hex');
    const texts = [
      JSON.stringify(employee('ok')),
      JSON.stringify(employee(longId)),
      JSON.stringify(employee('year-zero', { date_of_birth: '0000-01-01T00:00:00Z' })),
    ];
    const result = await write(integrationId, texts, { runId: 20, isFullPass: true });
    expect(result).toMatchObject({ inserted: 1, quarantined: 2 });
    expect([...(await stored(integrationId)).keys()]).toEqual(['ok']);
    const key = quarantineKeyOf(longId).key;
    expect(key).toBe(`sha256:${createHash('sha256').update(longId).digest('hex')}`);
    const rows = await quarantined(integrationId);
    expect([...rows.keys()].sort()).toEqual([key, 'year-zero'].sort());
    expect(rows.get(key)).toMatchObject({ reason_code: 'SYNC.ID_TOO_LONG', reason_class: 'limit' });
    expect(rows.get(key)?.record_text).toBe(texts[1]);
    // Never retried by id; released by the first complete full pass that no longer sees it.
    expect(await listQuarantinedIds(test.database, { integrationId, model: 'hris_employees' })).toEqual([
      'year-zero',
    ]);
    await write(integrationId, [JSON.stringify(employee('ok'))], { runId: 21, isFullPass: true });
    await reconcileDeletions(test.database, {
      integrationId,
      model: 'hris_employees',
      runId: 21,
      passStartedAt: FETCH_1,
    });
    expect([...(await quarantined(integrationId)).keys()]).toEqual(['year-zero']);
  });

  it('quarantines records Postgres refuses (huge numbers, bad timestamps), with a safe reason; the rest is stored', async () => {
    const integrationId = newIntegration();
    const texts = [
      JSON.stringify(employee('ok-1')),
      rawText(employee('huge-nested'), '"remote_data":{"n":1e1000000}'),
      rawText({ ...employee('huge-typed'), weekly_hours: 0 }, '"weekly_hours":1e400').replace(
        '"weekly_hours":0,',
        '',
      ),
      JSON.stringify(employee('year-zero', { date_of_birth: '0000-01-01T00:00:00Z' })),
      JSON.stringify(employee('bad-time', { date_of_birth: 'garbage' })),
      JSON.stringify(employee('bad-changed-at', { changed_at: '2025-02-30T00:00:00Z' })),
      JSON.stringify(employee('ok-2')),
    ];
    const result = await write(integrationId, texts, { runId: 3 });
    const bad = ['huge-nested', 'huge-typed', 'year-zero', 'bad-time', 'bad-changed-at'];
    expect(result).toMatchObject({ inserted: 2, quarantined: 5 });
    expect(new Set(result.quarantinedIds)).toEqual(new Set(bad));
    expect([...(await stored(integrationId)).keys()].sort()).toEqual(['ok-1', 'ok-2']);

    const rows = await quarantined(integrationId);
    const expected: Record<string, string> = {
      'huge-nested': '22003',
      'huge-typed': '22003',
      'year-zero': '22008',
      'bad-time': '22007',
      'bad-changed-at': '22008',
    };
    for (const [id, sqlstate] of Object.entries(expected)) {
      const row = rows.get(id);
      expect(row).toMatchObject({ reason_code: sqlstate, reason_class: 'data', attempts: 1 });
      expect(row?.reason).toContain(`SQLSTATE ${sqlstate}`);
      expect(row?.reason).toContain(id);
      expect(row?.reason.length).toBeLessThanOrEqual(MAX_ERROR_TEXT_LENGTH);
      for (const value of [
        SECRET,
        '1e400',
        '1e1000000',
        '10000000000',
        'garbage',
        '0000-01-01',
        'INSERT',
        '$1',
      ])
        expect(row?.reason).not.toContain(value);
      expect(row?.record_text).toBe(texts.find((text) => text.includes(`"${id}"`)));
    }
    expect(rows.get('bad-time')?.reason).toMatch(/invalid input syntax for type timestamp/);
  });

  it('quarantines rejected (schema-breaking) records with their reason; counts a record once per run', async () => {
    const integrationId = newIntegration();
    const rejected = [
      {
        id: 'zod-1',
        reason:
          'Kombo hris_employees: record "zod-1" breaks the schema at field weekly_hours: expected number',
        text: '{"id":"zod-1","weekly_hours":"forty"}',
      },
    ];
    const texts = [JSON.stringify(employee('fine'))];
    expect(await write(integrationId, texts, { rejected, runId: 5 })).toMatchObject({
      inserted: 1,
      quarantined: 1,
      quarantinedIds: ['zod-1'],
    });
    await write(integrationId, [], { rejected, runId: 5 });
    expect((await quarantined(integrationId)).get('zod-1')).toMatchObject({
      reason_code: 'CLIENT.SCHEMA_VIOLATION',
      reason_class: 'schema',
      reason: rejected[0]!.reason,
      record_text: rejected[0]!.text,
      attempts: 1,
    });
    await write(integrationId, [], { rejected, runId: 6 });
    expect((await quarantined(integrationId)).get('zod-1')?.attempts).toBe(2);
    // The record arrives clean in a later page: it is stored and leaves quarantine.
    const result = await write(integrationId, [JSON.stringify(employee('zod-1'))], { runId: 7 });
    expect(result).toMatchObject({ inserted: 1, quarantined: 0 });
    expect(await listQuarantinedIds(test.database, { integrationId, model: 'hris_employees' })).toEqual([]);
  });

  it('a quarantined record that stores later leaves quarantine, also when unchanged', async () => {
    const integrationId = newIntegration();
    await write(integrationId, [JSON.stringify(employee('a'))], { runId: 1 });
    await write(integrationId, [JSON.stringify(employee('a', { date_of_birth: 'garbage' }))], { runId: 2 });
    expect([...(await quarantined(integrationId)).keys()]).toEqual(['a']);
    // Kombo sends the same (stored) version again: unchanged, and no longer quarantined.
    const result = await write(integrationId, [JSON.stringify(employee('a'))], { runId: 3 });
    expect(result).toMatchObject({ unchanged: 1, quarantined: 0 });
    expect((await quarantined(integrationId)).size).toBe(0);
  });

  it('a full pass never marks a quarantined record deleted', async () => {
    const integrationId = newIntegration();
    await write(integrationId, [JSON.stringify(employee('kept')), JSON.stringify(employee('gone'))], {
      runId: 10,
    });
    // The full pass (run 11) sees "kept" only as a record Postgres refuses; "gone" is not sent at all.
    await write(integrationId, [JSON.stringify(employee('kept', { date_of_birth: 'garbage' }))], {
      runId: 11,
      komboFetchedAt: FETCH_1,
      isFullPass: true,
    });
    const result = await reconcileDeletions(test.database, {
      integrationId,
      model: 'hris_employees',
      runId: 11,
      passStartedAt: FETCH_1,
    });
    expect(result.deletedIds).toEqual(['gone']);
    const { rows } = await test.database.pool.query<{ id: string; remote_deleted_at: Date | null }>(
      `SELECT id, remote_deleted_at FROM hris_employees WHERE integration_id = $1 ORDER BY id`,
      [integrationId],
    );
    expect(rows.find((row) => row.id === 'kept')?.remote_deleted_at).toBeNull();
  });

  it('the fast path (shouldThrowOnPoison) writes a clean page alone and throws PoisonPageError for poison', async () => {
    const integrationId = newIntegration();
    expect(
      await write(integrationId, [JSON.stringify(employee('fast'))], { shouldThrowOnPoison: true }),
    ).toMatchObject({ inserted: 1, quarantined: 0 });
    const error = await write(
      integrationId,
      [JSON.stringify(employee('fine')), JSON.stringify(employee('bad', { date_of_birth: 'garbage' }))],
      { shouldThrowOnPoison: true },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoisonPageError);
    expect(error).toMatchObject({ code: '22007' });
    expect((error as Error).message).toContain('SQLSTATE 22007');
    expect((error as Error).message).not.toMatch(/garbage|Ada|INSERT/);
    // Nothing of the refused page was written; run again without the flag, it quarantines "bad" only.
    expect([...(await stored(integrationId)).keys()]).toEqual(['fast']);
    await write(integrationId, [
      JSON.stringify(employee('fine')),
      JSON.stringify(employee('bad', { date_of_birth: 'garbage' })),
    ]);
    expect([...(await stored(integrationId)).keys()].sort()).toEqual(['fast', 'fine']);
    expect([...(await quarantined(integrationId)).keys()]).toEqual(['bad']);
  });

  it('does not quarantine on errors that are not about the data: they propagate', async () => {
    const integrationId = newIntegration();
    await write(integrationId, [JSON.stringify(employee('locked'))]);
    const holder = new pg.Client({ connectionString: test.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM hris_employees WHERE integration_id = $1 FOR UPDATE`, [
        integrationId,
      ]);
      const error = await withTransaction(test.database, async (tx) => {
        await tx.execute(sql`SET LOCAL lock_timeout = '50ms'`);
        return writePage(tx, {
          integrationId,
          model: 'hris_employees',
          records: [employee('locked', { changed_at: '2026-06-01T00:00:00.000Z' })],
          komboFetchedAt: FETCH_1,
          runId: 2,
          pageIndex: 0,
          isFullPass: false,
          isInitialPass,
        });
      }).catch((caught: unknown) => caught);
      expect(toSafeStoreError(error).code).toBe('55P03');
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect((await quarantined(integrationId)).size).toBe(0);
  });
});

describe('toSafeStoreError on a real drizzle error', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await test.drop();
  });

  it('keeps the SQLSTATE and Postgres reason, drops SQL, parameters and values, and stays under 2 KB', async () => {
    const bigValue = `${SECRET}-${'x'.repeat(400_000)}`;
    const error = await test.database.db
      .execute(sql`SELECT ${bigValue}::timestamptz`)
      .catch((caught: unknown) => caught);
    expect(String((error as Error).message)).toContain('Failed query');
    const safe = toSafeStoreError(error, 'emp-42');
    expect(safe).toBeInstanceOf(SafeStoreError);
    expect(safe).toMatchObject({ code: '22007', sqlstate: '22007', recordId: 'emp-42' });
    expect(safe.message).toBe(
      'SQLSTATE 22007: invalid input syntax for type timestamp with time zone: "…" (record "emp-42")',
    );
    for (const text of [safe.message, safe.stack ?? '', JSON.stringify(safe)]) {
      expect(text.length).toBeLessThanOrEqual(MAX_ERROR_TEXT_LENGTH + 1_000);
      expect(text).not.toContain(SECRET);
      expect(text).not.toMatch(/Failed query|params:|select/i);
    }
    expect(toSafeStoreError(safe)).toBe(safe);
  });
});
