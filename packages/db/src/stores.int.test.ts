import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ALL_MODEL_NAMES } from '@kombo-sync/catalog';
import { countRows, deleteIntegrationData, purgeDeletedRows } from './integration-data.js';
import {
  getIntegration,
  listIntegrations,
  markIntegrationDeleted,
  setIntegrationState,
  upsertIntegration,
} from './integrations-store.js';
import { finishRun, getRecentRuns, startRun } from './sync-runs-store.js';
import {
  commitModelSuccess,
  getSyncStates,
  recordModelFailure,
  recordModelSkipped,
} from './sync-state-store.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { withTransaction } from './with-transaction.js';
import { writePage, type KomboRecord } from './write-page.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

/** The engine's counts, and what sync_runs.counts stores of them. */
const counts = { pages: 2, records: 13, inserted: 6, updated: 4, unchanged: 3, deleted: 1, quarantined: 0 };
const runCounts = { pages: 2, upserted: 10, unchanged: 3, deleted: 1, quarantined: 0 };

function record(id: string, extra: Record<string, unknown> = {}): KomboRecord {
  return { id, changed_at: '2026-01-01T00:00:00Z', remote_deleted_at: null, ...extra };
}

describe('stores', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await test.drop();
  });

  it('upserts, updates, lists and marks integrations deleted', async () => {
    const db = test.database;
    const created = await upsertIntegration(db, {
      id: 'personio:abc',
      tool: 'personio',
      category: 'HRIS',
      originId: 'customer-1',
      organizationName: 'Acme',
      state: 'ACTIVE',
    });
    expect(created).toMatchObject({
      id: 'personio:abc',
      isPaused: false,
      deletedAt: null,
      originId: 'customer-1',
    });
    await upsertIntegration(db, { id: 'personio:abc', tool: 'personio', category: 'HRIS', state: 'INVALID' });
    expect(await getIntegration(db, 'personio:abc')).toMatchObject({
      state: 'INVALID',
      originId: 'customer-1',
    });

    expect(await setIntegrationState(db, 'personio:abc', { isPaused: true, setupStatus: 'COMPLETED' })).toBe(
      true,
    );
    expect(await getIntegration(db, 'personio:abc')).toMatchObject({
      state: 'INVALID',
      isPaused: true,
      setupStatus: 'COMPLETED',
    });
    expect(await setIntegrationState(db, 'nope:1', { state: 'ACTIVE' })).toBe(false);

    await upsertIntegration(db, { id: 'greenhouse:xyz', tool: 'greenhouse', category: 'ATS' });
    expect(await markIntegrationDeleted(db, 'greenhouse:xyz')).toBe(true);
    expect((await listIntegrations(db)).map((row) => row.id)).toEqual(['personio:abc']);
    const all = await listIntegrations(db, { includeDeleted: true });
    expect(all.map((row) => row.id)).toEqual(['greenhouse:xyz', 'personio:abc']);
    expect(all[0]?.deletedAt).toBeInstanceOf(Date);
    expect(await getIntegration(db, 'nope:1')).toBeUndefined();
  });

  it('records runs and per-model outcomes; a delta never moves the watermark backwards, a full pass sets it', async () => {
    const db = test.database;
    const integrationId = 'personio:runs';
    const runId = await startRun(db, {
      integrationId,
      kind: 'delta',
      trigger: 'data-changed',
      requestIds: ['req-1'],
    });
    const later = new Date('2026-03-02T00:00:00Z');
    const earlier = new Date('2026-03-01T00:00:00Z');
    await withTransaction(db, (tx) =>
      commitModelSuccess(tx, {
        integrationId,
        model: 'hris_employees',
        runId,
        watermark: later,
        isFullPass: false,
        counts,
      }),
    );
    await commitModelSuccess(db, {
      integrationId,
      model: 'hris_employees',
      runId,
      watermark: earlier,
      isFullPass: false,
      counts,
    });
    expect((await getSyncStates(db, integrationId)).get('hris_employees')?.watermark).toEqual(later);
    // A full pass saw everything as of its start: its watermark stands even when Kombo's clock stepped back.
    await commitModelSuccess(db, {
      integrationId,
      model: 'hris_employees',
      runId,
      watermark: earlier,
      isFullPass: true,
      counts,
    });
    await recordModelFailure(db, {
      integrationId,
      model: 'hris_absences',
      runId,
      error: {
        kind: 'fail-model',
        code: 'REMOTE.RATE_LIMIT_EXCEEDED',
        message: 'slow down',
        logUrl: 'https://app.kombo.dev/logs/1',
        cause: null,
      },
      counts,
    });
    await recordModelFailure(db, {
      integrationId,
      model: 'hris_absences',
      runId,
      error: { kind: 'fail-model', code: 'X', message: 'again', cause: null },
      counts,
    });
    await recordModelSkipped(db, {
      integrationId,
      model: 'hris_groups',
      runId,
      code: 'INTEGRATION.MODEL_NOT_AVAILABLE',
      reason: 'Kombo lists the model with read_models[].is_available=false',
    });
    await finishRun(db, runId, { status: 'partial', error: '1 model failed' });

    const states = await getSyncStates(db, integrationId);
    expect(states.get('hris_employees')).toMatchObject({
      watermark: earlier,
      consecutiveFailures: 0,
      skippedReason: null,
    });
    expect(states.get('hris_employees')?.lastDeltaSyncAt).toBeInstanceOf(Date);
    expect(states.get('hris_employees')?.lastFullSyncAt).toBeInstanceOf(Date);
    expect(states.get('hris_absences')).toMatchObject({
      watermark: null,
      consecutiveFailures: 2,
      lastErrorCode: 'X',
      lastErrorMessage: 'again',
      lastErrorLogUrl: null,
    });
    expect(states.get('hris_groups')?.skippedReason).toBe(
      'INTEGRATION.MODEL_NOT_AVAILABLE: Kombo lists the model with read_models[].is_available=false',
    );

    // A success after failures resets the count and keeps the watermark monotonic.
    await commitModelSuccess(db, {
      integrationId,
      model: 'hris_absences',
      runId,
      watermark: earlier,
      isFullPass: false,
      counts,
    });
    expect((await getSyncStates(db, integrationId)).get('hris_absences')).toMatchObject({
      watermark: earlier,
      consecutiveFailures: 0,
    });

    const [run] = await getRecentRuns(db, integrationId, 5);
    expect(run).toMatchObject({
      id: runId,
      kind: 'delta',
      trigger: 'data-changed',
      requestIds: ['req-1'],
      status: 'partial',
      error: '1 model failed',
    });
    expect(run?.finishedAt).toBeInstanceOf(Date);
    expect(run?.counts).toEqual({
      hris_employees: { ...runCounts, status: 'succeeded' },
      hris_absences: { ...runCounts, status: 'succeeded' },
      hris_groups: {
        pages: 0,
        upserted: 0,
        unchanged: 0,
        deleted: 0,
        status: 'skipped',
        error: 'INTEGRATION.MODEL_NOT_AVAILABLE: Kombo lists the model with read_models[].is_available=false',
      },
    });
  });

  it('rolls back a failed transaction', async () => {
    const db = test.database;
    const integrationId = 'personio:rollback';
    const runId = await startRun(db, { integrationId, kind: 'full', trigger: 'manual' });
    const failing = withTransaction(db, async (tx) => {
      await writePage(tx, {
        integrationId,
        model: 'hris_groups',
        records: [record('g1')],
        komboFetchedAt: new Date(),
        runId,
        pageIndex: 0,
        isFullPass: true,
      });
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect((await countRows(db, integrationId)).hris_groups).toEqual({ total: 0, deleted: 0 });
  });

  it('counts rows per model and deletes an integration’s data but keeps its runs', async () => {
    const db = test.database;
    const integrationId = 'personio:data';
    const runId = await startRun(db, { integrationId, kind: 'full', trigger: 'schedule' });
    const write = (model: 'hris_groups' | 'ats_tags', records: KomboRecord[]) =>
      writePage(db, {
        integrationId,
        model,
        records,
        komboFetchedAt: new Date(),
        runId,
        pageIndex: 0,
        isFullPass: false,
      });
    await write('hris_groups', [record('g1'), record('g2', { remote_deleted_at: '2026-01-01T00:00:00Z' })]);
    await write('ats_tags', [record('t1')]);
    await writePage(db, {
      integrationId: 'personio:other',
      model: 'ats_tags',
      records: [record('t1')],
      komboFetchedAt: new Date(),
      runId,
      pageIndex: 0,
      isFullPass: false,
    });
    await commitModelSuccess(db, {
      integrationId,
      model: 'ats_tags',
      runId,
      watermark: new Date(),
      isFullPass: true,
      counts,
    });

    const before = await countRows(db, integrationId);
    expect(before.hris_groups).toEqual({ total: 2, deleted: 1 });
    expect(before.ats_tags).toEqual({ total: 1, deleted: 0 });
    expect(before.hris_employees).toEqual({ total: 0, deleted: 0 });
    expect(Object.keys(before).sort()).toEqual([...ALL_MODEL_NAMES].sort());

    expect(await withTransaction(db, (tx) => deleteIntegrationData(tx, integrationId))).toBe(3);
    const after = await countRows(db, integrationId);
    expect(Object.values(after).every((count) => count.total === 0)).toBe(true);
    expect((await getSyncStates(db, integrationId)).size).toBe(0);
    expect(await getRecentRuns(db, integrationId)).toHaveLength(1);
    expect((await countRows(db, 'personio:other')).ats_tags).toEqual({ total: 1, deleted: 0 });
  });

  it('purges rows deleted in Kombo longer ago than the retention, never live or recently deleted ones', async () => {
    const db = test.database;
    const runId = await startRun(db, { integrationId: 'personio:keep', kind: 'full', trigger: 'test' });
    const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000).toISOString();
    for (const integrationId of ['personio:keep', 'personio:keep2']) {
      await writePage(db, {
        integrationId,
        model: 'hris_groups',
        records: [
          record('live'),
          record('old', { remote_deleted_at: daysAgo(40) }),
          record('recent', { remote_deleted_at: daysAgo(10) }),
        ],
        komboFetchedAt: new Date(),
        runId,
        pageIndex: 0,
        isFullPass: false,
      });
    }
    const purged = await purgeDeletedRows(db, { retentionDays: 30, batchSize: 1 });
    expect(purged).toBe(2);
    for (const integrationId of ['personio:keep', 'personio:keep2']) {
      expect((await countRows(db, integrationId)).hris_groups).toEqual({ total: 2, deleted: 1 });
    }
    expect(await purgeDeletedRows(db, { retentionDays: 30 })).toBe(0);
  });
});
