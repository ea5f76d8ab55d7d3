import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fetchOrder } from './fetch-order.js';
import { reconcileDeletions } from './reconcile-deletions.js';
import { withTransaction } from './with-transaction.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { writePage, type KomboRecord, type WritePageInput, type WritePageOptions } from './write-page.js';
import { FETCH_0, FETCH_1, newIntegration, T0, T1 } from './testing/write-page-fixtures.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

function employee(id: string, overrides: Partial<KomboRecord> = {}): KomboRecord {
  return {
    id,
    changed_at: T0,
    remote_deleted_at: null,
    remote_id: `r-${id}`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    work_email: `${id}@example.com`,
    weekly_hours: 37.5,
    date_of_birth: '1990-05-04T00:00:00.000Z',
    home_address: null,
    employments: [{ id: 'emp1', job_title: 'Engineer', pay_rate: 1000 }],
    custom_fields: { shoe_size: 44, nested: { deep: [1, 'two', null] } },
    remote_data: { '/employees': { raw_field: 'x', list: [1, 2, 3] } },
    some_future_kombo_field: { unknown: true },
    ...overrides,
  };
}

// Every behaviour holds for both statement shapes: the json one of later passes and the jsonb one of initial passes
// (a hint that only changes cost, so each test also covers the hint being wrong).
describe.each([false, true])('writePage (isInitialPass: %s)', (isInitialPass) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await test.drop();
  });

  const write = (
    integrationId: string,
    records: KomboRecord[],
    extra: Partial<WritePageInput & WritePageOptions> = {},
  ) =>
    writePage(test.database, {
      integrationId,
      model: 'hris_employees',
      records,
      komboFetchedAt: FETCH_0,
      runId: 1,
      pageIndex: 0,
      // Unordered unless a test orders its fetches: the row's fetch order stays 0.
      fetchOrder: 0,
      isFullPass: false,
      isInitialPass,
      ...extra,
    });

  async function row(integrationId: string, id: string) {
    const { rows } = await test.database.pool.query(
      `SELECT *, xmin::text AS xmin FROM hris_employees WHERE integration_id = $1 AND id = $2`,
      [integrationId, id],
    );
    return rows[0] as Record<string, unknown>;
  }

  it('round-trips the raw record intact and fills the typed columns', async () => {
    const integrationId = newIntegration();
    const record = employee('e1');
    const result = await write(integrationId, [record], { runId: 7 });
    expect(result).toEqual({
      inserted: 1,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      changedIds: ['e1'],
      deletedIds: [],
      quarantined: 0,
      quarantinedIds: [],
    });
    const stored = await row(integrationId, 'e1');
    expect(stored.raw).toEqual(record);
    expect(stored).toMatchObject({
      remote_id: 'r-e1',
      first_name: 'Ada',
      work_email: 'e1@example.com',
      weekly_hours: 37.5,
      date_of_birth: new Date('1990-05-04T00:00:00Z'),
      changed_at: new Date(T0),
      remote_deleted_at: null,
      kombo_fetched_at: FETCH_0,
      kombo_fetch_order: '0',
      employments: record.employments,
      custom_fields: record.custom_fields,
      home_address: null,
      manager: null,
      last_run_id: '7',
    });
    expect(stored.first_seen_at).toBeInstanceOf(Date);
    const { rows } = await test.database.pool.query(
      `SELECT home_address IS NULL AS is_sql_null FROM hris_employees WHERE integration_id = $1`,
      [integrationId],
    );
    expect(rows).toEqual([{ is_sql_null: true }]);
  });

  it('lets a newer changed_at win and never lets an older version overwrite', async () => {
    const integrationId = newIntegration();
    await write(integrationId, [employee('e1', { changed_at: T1, first_name: 'New' })], {
      komboFetchedAt: FETCH_0,
    });
    const older = await write(integrationId, [employee('e1', { changed_at: T0, first_name: 'Old' })], {
      komboFetchedAt: FETCH_1,
    });
    expect(older).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, changedIds: [] });
    expect((await row(integrationId, 'e1')).first_name).toBe('New');

    const newer = await write(integrationId, [
      employee('e1', { changed_at: '2026-01-03T00:00:00Z', first_name: 'Newer' }),
    ]);
    expect(newer).toMatchObject({ inserted: 0, updated: 1, unchanged: 0, changedIds: ['e1'] });
    expect((await row(integrationId, 'e1')).first_name).toBe('Newer');
  });

  it('applies a nested change with an equal changed_at fetched later, but not one fetched earlier', async () => {
    const integrationId = newIntegration();
    await write(integrationId, [employee('e1')], { komboFetchedAt: FETCH_0 });
    const firstSeenAt = (await row(integrationId, 'e1')).first_seen_at;
    const nested = employee('e1', { employments: [{ id: 'emp1', job_title: 'Staff Engineer' }] });
    const later = await write(integrationId, [nested], { komboFetchedAt: FETCH_1, runId: 2 });
    expect(later).toMatchObject({ updated: 1, unchanged: 0 });
    const stored = await row(integrationId, 'e1');
    expect(stored.employments).toEqual(nested.employments);
    expect(stored.first_seen_at).toEqual(firstSeenAt);
    expect(stored.last_run_id).toBe('2');

    // The version fetched before the nested change arrives late: it changes nothing.
    const stale = await write(integrationId, [employee('e1')], { komboFetchedAt: FETCH_0 });
    expect(stale).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await row(integrationId, 'e1')).employments).toEqual(nested.employments);
  });

  describe('within one Kombo second (the Date header has 1 s resolution), orders by fetchOrder', () => {
    const older = employee('e1', { employments: [{ id: 'emp1', job_title: 'Engineer' }] });
    const newer = employee('e1', { employments: [{ id: 'emp1', job_title: 'Staff Engineer' }] });

    it('a lower order written after a higher one changes nothing (the stale nested version loses)', async () => {
      const integrationId = newIntegration();
      // Pages n and n+1 of one pass written concurrently, n+1 committing first.
      await write(integrationId, [newer], { fetchOrder: fetchOrder(5, 1) });
      const stale = await write(integrationId, [older], { fetchOrder: fetchOrder(5, 0) });
      expect(stale).toMatchObject({ updated: 0, unchanged: 1, changedIds: [] });
      // A stalled earlier run writing late loses too.
      const staleRun = await write(integrationId, [older], { fetchOrder: fetchOrder(4, 9) });
      expect(staleRun).toMatchObject({ updated: 0, unchanged: 1 });
      const stored = await row(integrationId, 'e1');
      expect(stored.employments).toEqual(newer.employments);
      expect(stored.kombo_fetch_order).toBe(String(fetchOrder(5, 1)));
    });

    it('a higher order written after a lower one wins', async () => {
      const integrationId = newIntegration();
      await write(integrationId, [older], { fetchOrder: fetchOrder(5, 0) });
      const later = await write(integrationId, [newer], { fetchOrder: fetchOrder(5, 1) });
      expect(later).toMatchObject({ updated: 1, unchanged: 0, changedIds: ['e1'] });
      const laterRun = await write(integrationId, [older], { fetchOrder: fetchOrder(6, 0) });
      expect(laterRun).toMatchObject({ updated: 1 });
      const stored = await row(integrationId, 'e1');
      expect(stored.employments).toEqual(older.employments);
      expect(stored.kombo_fetch_order).toBe(String(fetchOrder(6, 0)));
    });

    it('a replay of the same page changes nothing', async () => {
      const integrationId = newIntegration();
      const page = [newer, employee('e2')];
      await write(integrationId, page, { fetchOrder: fetchOrder(5, 3) });
      const before = await row(integrationId, 'e1');
      const replay = await write(integrationId, page, { fetchOrder: fetchOrder(5, 3) });
      expect(replay).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, changedIds: [] });
      expect((await row(integrationId, 'e1')).xmin).toBe(before.xmin);
    });

    it('a later Kombo second wins whatever its order; an earlier one loses whatever its order', async () => {
      const integrationId = newIntegration();
      await write(integrationId, [older], { komboFetchedAt: FETCH_1, fetchOrder: fetchOrder(5, 0) });
      const earlier = await write(integrationId, [newer], { fetchOrder: fetchOrder(9, 0) });
      expect(earlier).toMatchObject({ updated: 0, unchanged: 1 });
      const later = await write(integrationId, [newer], {
        komboFetchedAt: new Date(FETCH_1.getTime() + 1000),
        fetchOrder: fetchOrder(1, 0),
      });
      expect(later).toMatchObject({ updated: 1 });
    });
  });

  it('counts equal data as unchanged and does not rewrite the row', async () => {
    const integrationId = newIntegration();
    await write(integrationId, [employee('e1'), employee('e2')]);
    const before = await row(integrationId, 'e1');
    const again = await write(integrationId, [employee('e1'), employee('e2')], { komboFetchedAt: FETCH_1 });
    expect(again).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 2,
      deleted: 0,
      changedIds: [],
      deletedIds: [],
      quarantined: 0,
      quarantinedIds: [],
    });
    const after = await row(integrationId, 'e1');
    expect(after.xmin).toBe(before.xmin);
    expect(after.kombo_fetched_at).toEqual(FETCH_0);
  });

  describe('detects unchanged rows by raw_hash', () => {
    it('updates a record that differs only deep inside nested data (same changed_at, later fetch)', async () => {
      const integrationId = newIntegration();
      await write(integrationId, [employee('e1')]);
      const before = await row(integrationId, 'e1');
      const deep = employee('e1', {
        remote_data: { '/employees': { raw_field: 'x', list: [1, 2, { deeper: [null, 'changed'] }] } },
      });
      const later = await write(integrationId, [deep], { komboFetchedAt: FETCH_1 });
      expect(later).toMatchObject({ inserted: 0, updated: 1, unchanged: 0, changedIds: ['e1'] });
      const after = await row(integrationId, 'e1');
      expect(after.raw).toEqual(deep);
      expect(after.raw_hash).not.toEqual(before.raw_hash);
      expect(after.kombo_fetched_at).toEqual(FETCH_1);
    });

    it('does not rewrite a row re-sent with identical data in another key order (jsonb keeps no order)', async () => {
      const integrationId = newIntegration();
      await write(integrationId, [employee('e1')]);
      const before = await row(integrationId, 'e1');
      const reordered = Object.fromEntries(Object.entries(employee('e1')).reverse()) as KomboRecord;
      const again = await write(integrationId, [reordered], {
        komboFetchedAt: FETCH_1,
        fetchOrder: 3,
        runId: 2,
      });
      expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, changedIds: [] });
      const after = await row(integrationId, 'e1');
      expect(after.xmin).toBe(before.xmin);
      expect(after.raw_hash).toEqual(before.raw_hash);
    });

    it('neither rewrites nor locks a row re-written with identical data', async () => {
      const integrationId = newIntegration();
      await write(integrationId, [employee('e1')]);
      const before = await row(integrationId, 'e1');
      const identical = employee('e1');
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let written: () => void = () => {};
      const isWritten = new Promise<void>((resolve) => (written = resolve));
      const transaction = withTransaction(test.database, async (tx) => {
        const again = await writePage(tx, {
          integrationId,
          model: 'hris_employees',
          records: [employee('e1'), identical],
          komboFetchedAt: FETCH_1,
          fetchOrder: 3,
          runId: 2,
          pageIndex: 0,
          isFullPass: false,
        });
        written();
        await held;
        return again;
      });
      await isWritten;
      // While the writing transaction is open, another one can lock the row at once: it was not touched.
      const other = await test.database.pool.connect();
      try {
        await other.query('BEGIN');
        const locked = await other.query(
          `SELECT id FROM hris_employees WHERE integration_id = $1 AND id = 'e1' FOR UPDATE NOWAIT`,
          [integrationId],
        );
        expect(locked.rowCount).toBe(1);
        await other.query('ROLLBACK');
      } finally {
        other.release();
        release();
      }
      expect(await transaction).toEqual({
        inserted: 0,
        updated: 0,
        unchanged: 1,
        deleted: 0,
        changedIds: [],
        deletedIds: [],
        quarantined: 0,
        quarantinedIds: [],
      });
      const after = await row(integrationId, 'e1');
      expect(after.xmin).toBe(before.xmin);
      expect(after).toMatchObject({ kombo_fetched_at: FETCH_0, kombo_fetch_order: '0', last_run_id: '1' });
    });

    it('rewrites a row without a hash (written before the column existed) once, then leaves it alone', async () => {
      const integrationId = newIntegration();
      await write(integrationId, [employee('e1')]);
      const hashed = await row(integrationId, 'e1');
      await test.database.pool.query(
        `UPDATE hris_employees SET raw_hash = NULL WHERE integration_id = $1 AND id = 'e1'`,
        [integrationId],
      );
      const healed = await write(integrationId, [employee('e1')], { komboFetchedAt: FETCH_1 });
      expect(healed).toMatchObject({ inserted: 0, updated: 1, unchanged: 0, changedIds: ['e1'] });
      const rewritten = await row(integrationId, 'e1');
      expect(rewritten.raw_hash).toEqual(hashed.raw_hash);
      expect(rewritten.kombo_fetched_at).toEqual(FETCH_1);

      const stable = await write(integrationId, [employee('e1')], { komboFetchedAt: FETCH_1, fetchOrder: 1 });
      expect(stable).toMatchObject({ updated: 0, unchanged: 1, changedIds: [] });
      expect((await row(integrationId, 'e1')).xmin).toBe(rewritten.xmin);
    });

    it('a stale writer blocked by a newer uncommitted write re-checks the guard and loses', async () => {
      const integrationId = newIntegration();
      await write(integrationId, [employee('e1')], { komboFetchedAt: FETCH_0 });
      const newest = employee('e1', { employments: [{ id: 'emp1', job_title: 'Principal' }] });
      const between = employee('e1', { employments: [{ id: 'emp1', job_title: 'Staff' }] });
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let written: () => void = () => {};
      const isWritten = new Promise<void>((resolve) => (written = resolve));
      const newer = withTransaction(test.database, async (tx) => {
        const result = await writePage(tx, {
          integrationId,
          model: 'hris_employees',
          records: [newest],
          komboFetchedAt: FETCH_1,
          runId: 3,
          pageIndex: 0,
          isFullPass: false,
        });
        written();
        await held;
        return result;
      });
      await isWritten;
      // Fetched between the stored version and the uncommitted one: new against the snapshot it reads, so it
      // passes the probe and waits for the row lock.
      const stale = write(integrationId, [between], {
        komboFetchedAt: new Date(FETCH_0.getTime() + 1000),
        runId: 4,
      });
      const deadline = Date.now() + 5_000;
      for (;;) {
        const { rows } = await test.database.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (rows.length > 0) break;
        if (Date.now() > deadline) throw new Error('the stale writer never waited for the row lock');
        await new Promise((resolve) => setImmediate(resolve));
      }
      release();
      expect(await newer).toMatchObject({ updated: 1 });
      expect(await stale).toMatchObject({ updated: 0, unchanged: 1, changedIds: [] });
      const stored = await row(integrationId, 'e1');
      expect(stored.employments).toEqual(newest.employments);
      expect(stored.kombo_fetched_at).toEqual(FETCH_1);
    });
  });

  it('deduplicates ids within a page, keeping the latest changed_at', async () => {
    const integrationId = newIntegration();
    const result = await write(integrationId, [
      employee('e1', { changed_at: T1, first_name: 'Latest' }),
      employee('e2'),
      employee('e1', { changed_at: T0, first_name: 'Earlier' }),
    ]);
    expect(result).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
    expect([...result.changedIds].sort()).toEqual(['e1', 'e2']);
    expect((await row(integrationId, 'e1')).first_name).toBe('Latest');
  });

  it('stores deletions as soft deletes and counts them', async () => {
    const integrationId = newIntegration();
    await write(integrationId, [employee('e1'), employee('e2')]);
    const result = await write(integrationId, [
      employee('e1', { changed_at: T1, remote_deleted_at: T1 }),
      employee('e2'),
    ]);
    expect(result).toEqual({
      inserted: 0,
      updated: 1,
      unchanged: 1,
      deleted: 1,
      changedIds: ['e1'],
      deletedIds: ['e1'],
      quarantined: 0,
      quarantinedIds: [],
    });
    expect((await row(integrationId, 'e1')).remote_deleted_at).toEqual(new Date(T1));
  });

  it('stores a record whose strings contain NUL characters, which jsonb rejects, with U+FFFD instead', async () => {
    const integrationId = newIntegration();
    const result = await write(integrationId, [
      employee('e1', { first_name: 'A\u0000da', remote_data: { x: '\u0000' } }),
    ]);
    expect(result.inserted).toBe(1);
    const stored = await row(integrationId, 'e1');
    expect(stored.first_name).toBe('A\uFFFDda');
    expect((stored.raw as { remote_data: unknown }).remote_data).toEqual({ x: '\uFFFD' });
  });

  it('reconciles a complete full pass: marks every row it did not see, whatever its fetch time', async () => {
    const integrationId = newIntegration();
    const runId = 42;
    await write(integrationId, [
      employee('seen'),
      employee('gone'),
      employee('already-deleted', { remote_deleted_at: T0 }),
    ]);
    // Fetched "after" the pass started by the clock it carries (a Kombo clock that ran ahead): the pass ran under
    // one fence, so no other run wrote it meanwhile, and it is gone from Kombo all the same.
    await write(integrationId, [employee('late')], { komboFetchedAt: FETCH_1 });
    const other = newIntegration();
    await write(other, [employee('gone')]);

    const passStartedAt = new Date('2026-02-01T12:00:00Z');
    const page = await write(integrationId, [employee('seen')], {
      runId,
      isFullPass: true,
      komboFetchedAt: FETCH_1,
    });
    expect(page.unchanged).toBe(1);
    const result = await reconcileDeletions(test.database, {
      integrationId,
      model: 'hris_employees',
      runId,
      passStartedAt,
    });
    expect(result.deleted).toBe(2);
    expect([...result.deletedIds].sort()).toEqual(['gone', 'late']);
    expect((await row(integrationId, 'gone')).remote_deleted_at).toEqual(passStartedAt);
    expect((await row(integrationId, 'seen')).remote_deleted_at).toBeNull();
    expect((await row(integrationId, 'late')).remote_deleted_at).toEqual(passStartedAt);
    expect((await row(integrationId, 'already-deleted')).remote_deleted_at).toEqual(new Date(T0));
    expect((await row(other, 'gone')).remote_deleted_at).toBeNull();

    const { rows } = await test.database.pool.query(
      'SELECT count(*)::int AS n FROM sync_seen_ids WHERE run_id = $1',
      [runId],
    );
    expect(rows).toEqual([{ n: 0 }]);

    // A row reconciled away that is fetched again (same changed_at, later fetch) comes back.
    const back = await write(integrationId, [employee('gone')], { komboFetchedAt: FETCH_1 });
    expect(back).toMatchObject({ updated: 1, deleted: 0 });
    expect((await row(integrationId, 'gone')).remote_deleted_at).toBeNull();
  });

  it('a full pass records seen ids only for rows it did not rewrite; reconciliation still spares every row it saw', async () => {
    const integrationId = newIntegration();
    const runId = 60;
    await write(integrationId, [employee('unchanged'), employee('gone')], { runId: 59 });
    // The pass rewrites 'fresh' (new) and sees 'unchanged' as is; fetchOrder omitted, as some callers do.
    const page = await write(integrationId, [employee('unchanged'), employee('fresh')], {
      runId,
      isFullPass: true,
    });
    expect(page).toMatchObject({ inserted: 1, unchanged: 1 });
    const { rows: seen } = await test.database.pool.query(
      'SELECT id FROM sync_seen_ids WHERE run_id = $1 ORDER BY id',
      [runId],
    );
    expect(seen).toEqual([{ id: 'unchanged' }]);
    const result = await reconcileDeletions(test.database, {
      integrationId,
      model: 'hris_employees',
      runId,
      passStartedAt: FETCH_1,
    });
    expect(result).toEqual({ deleted: 1, deletedIds: ['gone'] });
    expect((await row(integrationId, 'fresh')).remote_deleted_at).toBeNull();
    expect((await row(integrationId, 'unchanged')).remote_deleted_at).toBeNull();
  });

  it('a full pass repairs rows written under a Kombo clock that ran ahead; a delta keeps the stale guard', async () => {
    const integrationId = newIntegration();
    const ahead = new Date(FETCH_1.getTime() + 90_000);
    // Written while Kombo's clock ran 90 s ahead: "future" changed_at and fetch time; one wrongly marked deleted.
    await write(
      integrationId,
      [employee('edited', { changed_at: T1 }), employee('revived', { changed_at: T1 })],
      {
        komboFetchedAt: ahead,
        runId: 70,
      },
    );
    await write(integrationId, [employee('revived', { changed_at: T1, remote_deleted_at: T1 })], {
      komboFetchedAt: ahead,
      runId: 71,
    });
    // The clock stepped back: Kombo now serves newer versions that carry older times.
    const edited = employee('edited', { first_name: 'Grace', remote_deleted_at: T0 });
    const revived = employee('revived', { last_name: 'Hopper' });
    const delta = await write(integrationId, [edited, revived], { komboFetchedAt: FETCH_1, runId: 72 });
    expect(delta).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });

    const full = await write(integrationId, [edited, revived], {
      komboFetchedAt: FETCH_1,
      fetchOrder: fetchOrder(73, 0),
      runId: 73,
      isFullPass: true,
    });
    expect(full).toMatchObject({ updated: 2, deleted: 1, deletedIds: ['edited'] });
    expect((await row(integrationId, 'edited')).raw).toEqual(edited);
    expect(await row(integrationId, 'revived')).toMatchObject({
      raw: revived,
      remote_deleted_at: null,
      changed_at: new Date(T0),
      last_name: 'Hopper',
    });
    // A full pass that meets a record on two pages keeps the later page's version, whichever commits last.
    const page2 = employee('edited', { first_name: 'Later' });
    await write(integrationId, [page2], {
      komboFetchedAt: FETCH_1,
      fetchOrder: fetchOrder(74, 1),
      runId: 74,
      isFullPass: true,
    });
    const page1 = await write(integrationId, [edited], {
      komboFetchedAt: FETCH_1,
      fetchOrder: fetchOrder(74, 0),
      runId: 74,
      isFullPass: true,
    });
    expect(page1).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await row(integrationId, 'edited')).raw).toEqual(page2);
    // Reconciliation counts the kept record as seen.
    const reconciled = await reconcileDeletions(test.database, {
      integrationId,
      model: 'hris_employees',
      runId: 74,
      passStartedAt: FETCH_1,
    });
    expect(reconciled.deletedIds).toEqual(['revived']);
  });

  it('orders a reconciled deletion after the pass and before later runs, in the same Kombo second too', async () => {
    const integrationId = newIntegration();
    const passStartedAt = FETCH_1;
    const runId = 50;
    // Fetched in the pass's first Kombo second by an earlier run: before the pass, so it is reconciled.
    await write(integrationId, [employee('gone')], {
      komboFetchedAt: passStartedAt,
      fetchOrder: fetchOrder(49, 3),
    });
    await write(integrationId, [employee('seen')], {
      komboFetchedAt: passStartedAt,
      fetchOrder: fetchOrder(runId, 0),
      runId,
      isFullPass: true,
    });
    const result = await reconcileDeletions(test.database, {
      integrationId,
      model: 'hris_employees',
      runId,
      passStartedAt,
    });
    expect(result.deletedIds).toEqual(['gone']);
    const gone = await row(integrationId, 'gone');
    expect(gone).toMatchObject({ remote_deleted_at: passStartedAt, kombo_fetched_at: passStartedAt });

    // A page the earlier run fetched before the pass, written late, does not revive it (same second or before).
    const stale = await write(integrationId, [employee('gone')], {
      komboFetchedAt: passStartedAt,
      fetchOrder: fetchOrder(49, 7),
    });
    expect(stale).toMatchObject({ updated: 0, unchanged: 1 });
    const staler = await write(integrationId, [employee('gone')], { komboFetchedAt: FETCH_0 });
    expect(staler).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await row(integrationId, 'gone')).remote_deleted_at).toEqual(passStartedAt);

    // A later run's fetch in the same second sees the record: it wins over the reconciled deletion.
    const back = await write(integrationId, [employee('gone')], {
      komboFetchedAt: passStartedAt,
      fetchOrder: fetchOrder(51, 2),
    });
    expect(back).toMatchObject({ updated: 1, deleted: 0 });
    expect((await row(integrationId, 'gone')).remote_deleted_at).toBeNull();
  });
});
