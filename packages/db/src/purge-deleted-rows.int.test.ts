import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import type { Database } from './create-database.js';
import { purgeDeletedRows } from './integration-data.js';
import { reconcileDeletions } from './reconcile-deletions.js';
import { startRun } from './sync-runs-store.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { writePage, type KomboRecord } from './write-page.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await createTestDatabase(TEST_DATABASE_URL, { namePrefix: 'purge_test' });
  db = testDb.database;
});

afterAll(async () => {
  await testDb.drop();
});

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const employee = (
  id: string,
  changedAt: string,
  deletedAt: string | null,
): Record<string, unknown> & KomboRecord => ({
  id,
  changed_at: changedAt,
  remote_deleted_at: deletedAt,
  first_name: id,
});

async function write(integrationId: string, records: KomboRecord[], isFullPass = false) {
  const runId = await startRun(db, { integrationId, kind: isFullPass ? 'full' : 'delta', trigger: 'test' });
  const result = await writePage(db, {
    integrationId,
    model: 'hris_employees',
    records,
    komboFetchedAt: new Date(),
    runId,
    pageIndex: 0,
    isFullPass,
  });
  return { runId, result };
}

const rows = async (integrationId: string) =>
  (
    await db.db.execute<{ id: string; deleted: boolean }>(
      sql`SELECT id, remote_deleted_at IS NOT NULL AS deleted FROM hris_employees WHERE integration_id = ${integrationId} ORDER BY id`,
    )
  ).rows.map((row) => `${row.id}${row.deleted ? ' (deleted)' : ''}`);

const tombstones = async (integrationId: string) =>
  (
    await db.db.execute<{ record_id: string }>(
      sql`SELECT record_id FROM purged_records WHERE integration_id = ${integrationId} ORDER BY record_id`,
    )
  ).rows.map((row) => row.record_id);

describe('the deleted-rows retention', () => {
  const A = 'personio:purge-a';
  const old = employee('old', daysAgo(45), daysAgo(40));
  const recent = employee('recent', daysAgo(15), daysAgo(10));
  const live = employee('live', daysAgo(50), null);

  it('removes rows deleted before the retention and leaves a tombstone for each', async () => {
    await write(A, [old, recent, live]);
    expect(await purgeDeletedRows(db, { retentionDays: 30, batchSize: 1 })).toBe(1);
    expect(await rows(A)).toEqual(['live', 'recent (deleted)']);
    expect(await tombstones(A)).toEqual(['old']);
  });

  it('a full sync that Kombo still serves the purged record in does not store it again', async () => {
    const { runId, result } = await write(A, [old, recent, live], true);
    expect(result).toMatchObject({ inserted: 0, updated: 0 });
    await reconcileDeletions(db, {
      integrationId: A,
      model: 'hris_employees',
      runId,
      passStartedAt: new Date(),
    });
    expect(await rows(A)).toEqual(['live', 'recent (deleted)']);
    // Seen by the complete pass: Kombo still serves it, so the tombstone stays.
    expect(await tombstones(A)).toEqual(['old']);
    expect((await write(A, [old])).result).toMatchObject({ inserted: 0 });
  });

  it('the record comes back when Kombo changes it again, deleted or not', async () => {
    const B = 'personio:purge-b';
    const [x, y] = [employee('x', daysAgo(45), daysAgo(40)), employee('y', daysAgo(45), daysAgo(40))];
    await write(B, [x, y]);
    await purgeDeletedRows(db, { retentionDays: 30 });
    expect(await tombstones(B)).toEqual(['x', 'y']);
    // x: anonymised by Kombo (a new changed_at, still deleted); y: restored (no longer deleted, same changed_at).
    const anonymised = { ...x, changed_at: daysAgo(1), first_name: null };
    const restored = { ...y, remote_deleted_at: null };
    expect((await write(B, [anonymised, restored])).result).toMatchObject({ inserted: 2 });
    expect(await rows(B)).toEqual(['x (deleted)', 'y']);
    // A complete pass that sees them back drops their tombstones.
    const { runId } = await write(B, [anonymised, restored], true);
    await reconcileDeletions(db, {
      integrationId: B,
      model: 'hris_employees',
      runId,
      passStartedAt: new Date(),
    });
    expect(await tombstones(B)).toEqual([]);
  });

  it('a complete full pass that no longer sees a purged record drops its tombstone', async () => {
    const C = 'personio:purge-c';
    await write(C, [employee('gone', daysAgo(45), daysAgo(40)), employee('kept', daysAgo(45), null)]);
    await purgeDeletedRows(db, { retentionDays: 30 });
    expect(await tombstones(C)).toEqual(['gone']);
    const { runId } = await write(C, [employee('kept', daysAgo(45), null)], true);
    await reconcileDeletions(db, {
      integrationId: C,
      model: 'hris_employees',
      runId,
      passStartedAt: new Date(),
    });
    expect(await tombstones(C)).toEqual([]);
    expect(await rows(C)).toEqual(['kept']);
  });

  it('accepts 0..36500 days; 36500 runs without overflowing timestamps', async () => {
    expect(await purgeDeletedRows(db, { retentionDays: 36_500 })).toBe(0);
    await expect(purgeDeletedRows(db, { retentionDays: 36_501 })).rejects.toThrow(RangeError);
    await expect(purgeDeletedRows(db, { retentionDays: 2 ** 53 - 1 })).rejects.toThrow(RangeError);
    await expect(purgeDeletedRows(db, { retentionDays: -1 })).rejects.toThrow(RangeError);
  });
});
