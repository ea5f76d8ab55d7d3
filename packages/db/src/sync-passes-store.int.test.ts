import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PassLostError, reconcileDeletions } from './reconcile-deletions.js';
import { checkpointPass, discardPass, getOpenPasses, openPass } from './sync-passes-store.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { writePage, type KomboRecord } from './write-page.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const model = 'hris_employees' as const;
const startedAt = new Date('2026-03-01T10:00:00.000Z');

function record(id: string, changedAt = '2026-01-01T00:00:00.000Z'): KomboRecord {
  return { id, changed_at: changedAt, remote_deleted_at: null, first_name: id };
}

describe('resumable passes', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await test.drop();
  });

  const write = (
    integrationId: string,
    runId: number,
    ids: string[],
    options: { isFullPass: boolean; seenPassId?: number; changedAt?: string },
  ) =>
    writePage(test.database, {
      integrationId,
      model,
      records: ids.map((id) => record(id, options.changedAt)),
      komboFetchedAt: new Date(startedAt.getTime() + runId * 1000),
      fetchOrder: runId * 2 ** 21,
      runId,
      pageIndex: 0,
      isFullPass: options.isFullPass,
      ...(options.seenPassId === undefined ? {} : { passId: options.seenPassId }),
    });

  const liveIds = async (integrationId: string) => {
    const { rows } = await test.database.pool.query<{ id: string }>(
      `SELECT id FROM hris_employees WHERE integration_id = $1 AND remote_deleted_at IS NULL ORDER BY id`,
      [integrationId],
    );
    return rows.map((row) => row.id);
  };

  it('checkpoints only forward, and a pass spanning runs and a delta reconciles exactly', async () => {
    const id = 'personio:pass-1';
    // The mirror before the full pass: a..f, of which Kombo no longer serves f.
    await write(id, 1, ['a', 'b', 'c', 'd', 'e', 'f'], { isFullPass: false });

    await openPass(test.database, { integrationId: id, model, passId: 10, startedAt });
    // Run 10 sees a, b unchanged (seen ids), then stops after page 1.
    await write(id, 10, ['a', 'b'], { isFullPass: true, seenPassId: 10 });
    await checkpointPass(test.database, { integrationId: id, model, passId: 10, pages: 1, cursor: 'c1' });
    await checkpointPass(test.database, { integrationId: id, model, passId: 10, pages: 2, cursor: 'c2' });
    // A late page's transaction never moves the checkpoint back.
    await checkpointPass(test.database, { integrationId: id, model, passId: 10, pages: 1, cursor: 'c1' });
    const open = (await getOpenPasses(test.database, id)).get(model);
    expect(open).toMatchObject({ passId: 10, cursor: 'c2', pages: 2, isIntact: true, startedAt });
    expect(open?.cursorAgeMs).toBeGreaterThanOrEqual(0);

    // A delta (run 11) while the pass is open: c changed (written), d unchanged (seen for the open pass).
    await write(id, 11, ['c'], { isFullPass: false, seenPassId: 10, changedAt: '2026-02-01T00:00:00.000Z' });
    await write(id, 11, ['d'], { isFullPass: false, seenPassId: 10 });
    // Run 12 resumes the pass: e changed (written by run 12); the pass never meets c or d again.
    await write(id, 12, ['e'], { isFullPass: true, seenPassId: 10, changedAt: '2026-02-02T00:00:00.000Z' });
    await checkpointPass(test.database, { integrationId: id, model, passId: 10, pages: 3, cursor: null });

    const result = await reconcileDeletions(test.database, {
      integrationId: id,
      model,
      runId: 12,
      passStartedAt: startedAt,
      passId: 10,
    });
    expect(result.deletedIds).toEqual(['f']);
    expect(await liveIds(id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    // The pass is closed and its seen ids are gone.
    expect((await getOpenPasses(test.database, id)).size).toBe(0);
    const { rows } = await test.database.pool.query(`SELECT 1 FROM sync_seen_ids WHERE run_id = 10`);
    expect(rows).toEqual([]);
  });

  it('a pass whose seen ids were lost (Postgres crashed) marks nothing and reports itself lost', async () => {
    const id = 'personio:pass-2';
    await write(id, 1, ['a', 'b', 'c'], { isFullPass: false });
    await openPass(test.database, { integrationId: id, model, passId: 20, startedAt });
    await write(id, 20, ['a', 'b', 'c'], { isFullPass: true, seenPassId: 20 });
    // What crash recovery does to an UNLOGGED table.
    await test.database.pool.query(`DELETE FROM sync_seen_ids WHERE run_id = 20`);
    expect((await getOpenPasses(test.database, id)).get(model)?.isIntact).toBe(false);
    await expect(
      reconcileDeletions(test.database, {
        integrationId: id,
        model,
        runId: 21,
        passStartedAt: startedAt,
        passId: 20,
      }),
    ).rejects.toThrow(PassLostError);
    expect(await liveIds(id)).toEqual(['a', 'b', 'c']);
  });

  it('opening or discarding a pass forgets the previous one with its seen ids', async () => {
    const id = 'personio:pass-3';
    await openPass(test.database, { integrationId: id, model, passId: 30, startedAt });
    await write(id, 30, ['a'], { isFullPass: true, seenPassId: 30 });
    await write(id, 30, ['a'], { isFullPass: true, seenPassId: 30 });
    await openPass(test.database, { integrationId: id, model, passId: 31, startedAt });
    const seen = await test.database.pool.query(`SELECT run_id FROM sync_seen_ids WHERE run_id IN (30, 31)`);
    expect(seen.rows.map((row) => Number(row.run_id))).toEqual([31]);
    expect((await getOpenPasses(test.database, id)).get(model)).toMatchObject({ passId: 31, pages: 0 });
    await discardPass(test.database, { integrationId: id, model });
    expect((await getOpenPasses(test.database, id)).size).toBe(0);
    const after = await test.database.pool.query(`SELECT 1 FROM sync_seen_ids WHERE run_id = 31`);
    expect(after.rows).toEqual([]);
  });
});
