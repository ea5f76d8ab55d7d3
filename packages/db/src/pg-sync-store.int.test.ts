// The engine's store over Postgres: what each page's transaction holds (handler, change outbox, pending embedded
// refresh, checkpoint), the poison retry, the engine's inputs stored as sync_state/sync_runs, and safe errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KomboRecord } from '@kombo-sync/catalog';
import type { ModelCounts, SyncHandlerContext, WritePageInput } from '@kombo-sync/sync';
import { sql } from 'drizzle-orm';
import type { Executor } from './create-database.js';
import { createPgSyncStore } from './pg-sync-store.js';
import { SafeStoreError } from './safe-error.js';
import { acquireLease, releaseLease, type Fence, FenceLostError } from './sync-leases-store.js';
import { getRecentRuns, startRun } from './sync-runs-store.js';
import { getSyncStates } from './sync-state-store.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { FETCH_0, FETCH_1, newIntegration, T0, T1 } from './testing/write-page-fixtures.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const WATERMARK = new Date(T0);
const COUNTS: ModelCounts = {
  pages: 1,
  records: 2,
  inserted: 2,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  quarantined: 0,
};

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase(TEST_DATABASE_URL);
});
afterAll(async () => {
  await test.drop();
});

function tag(id: string, extra: Record<string, unknown> = {}): KomboRecord {
  return { id, changed_at: T0, remote_deleted_at: null, name: `tag ${id}`, ...extra };
}

async function lease(integrationId: string): Promise<Fence> {
  const result = await acquireLease(test.database, { integrationId, holder: 'test', ttlMs: 60_000 });
  if (!result.isAcquired) throw new Error('lease held');
  return result.fence;
}

async function run(integrationId: string): Promise<number> {
  return startRun(test.database, { integrationId, kind: 'full', trigger: 'test' });
}

function page(integrationId: string, runId: number, records: KomboRecord[]): WritePageInput {
  return {
    integrationId,
    model: 'ats_tags',
    records,
    komboFetchedAt: FETCH_0,
    runId,
    pageIndex: 0,
    isFullPass: true,
  };
}

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return (await test.database.db.execute(query)).rows as T[];
}

describe('createPgSyncStore', () => {
  it('commits a page with its handler call, change-outbox row and pending embedded refresh, or none of them', async () => {
    const integrationId = newIntegration();
    const fence = await lease(integrationId);
    const runId = await run(integrationId);
    const calls: Omit<SyncHandlerContext<Executor>, 'tx'>[] = [];
    let shouldFail = true;
    const store = createPgSyncStore({
      database: test.database,
      fence,
      shouldWriteChangeOutbox: true,
      handlers: {
        ats_tags: async ({ tx, ...context }) => {
          await tx.execute(sql`SELECT 1`);
          if (shouldFail) throw new Error('handler refused');
          calls.push(context);
        },
      },
    });
    const records = [
      tag('a'),
      tag('b', { remote_deleted_at: T1 }),
      tag('a', { changed_at: T1, name: 'newer' }),
    ];
    await expect(store.writePage(page(integrationId, runId, records))).rejects.toBeInstanceOf(SafeStoreError);
    const none = sql`SELECT id FROM ats_tags WHERE integration_id = ${integrationId}`;
    expect(await rows(none)).toEqual([]);

    shouldFail = false;
    const result = await store.writePage(page(integrationId, runId, records));
    expect(result).toMatchObject({ inserted: 2, deleted: 1, quarantined: 0 });
    expect(calls).toEqual([
      {
        integrationId,
        model: 'ats_tags',
        runId,
        changed: [expect.objectContaining({ id: 'a', name: 'newer' })],
        deleted: [expect.objectContaining({ id: 'b' })],
      },
    ]);
    const outbox = await rows<{ changed_ids: string[]; deleted_ids: string[] }>(
      sql`SELECT changed_ids, deleted_ids FROM change_outbox WHERE integration_id = ${integrationId}`,
    );
    expect(outbox).toEqual([{ changed_ids: ['a'], deleted_ids: ['b'] }]);
    // ats_tags are embedded untracked in candidates: their parents wait for a refetch.
    const pending = await store.listPendingEmbedded!({ integrationId, models: ['ats_tags'], limit: 10 });
    expect(pending.map((child) => child.childId).sort()).toEqual(['a', 'b']);
  });

  it('quarantines what Postgres refuses on the retry of a poisoned page and keeps the rest', async () => {
    const integrationId = newIntegration();
    const runId = await run(integrationId);
    const store = createPgSyncStore({ database: test.database, fence: await lease(integrationId) });
    const texts = [JSON.stringify(tag('ok')), `${JSON.stringify(tag('huge')).slice(0, -1)},"n":1e1000000}`];
    const result = await store.writePage({
      ...page(
        integrationId,
        runId,
        texts.map((text) => JSON.parse(text) as KomboRecord),
      ),
      rawRecords: texts,
    });
    expect(result).toMatchObject({ inserted: 1, quarantined: 1, quarantinedIds: ['huge'] });
    expect(await store.listQuarantinedIds!({ integrationId, model: 'ats_tags' })).toEqual(['huge']);
  });

  it("stores the engine's outcomes: full-pass watermark, failure with Kombo's log link, skip since the clock", async () => {
    const integrationId = newIntegration();
    const runId = await run(integrationId);
    const unavailableAt = new Date('2026-03-01T00:00:00Z');
    const store = createPgSyncStore({
      database: test.database,
      fence: await lease(integrationId),
      now: () => unavailableAt.getTime(),
    });
    const key = { integrationId, runId };
    await store.commitModelSuccess({
      ...key,
      model: 'ats_tags',
      watermark: WATERMARK,
      isFullPass: true,
      counts: COUNTS,
    });
    await store.recordModelFailure({
      ...key,
      model: 'ats_jobs',
      error: {
        kind: 'fail-model',
        code: 'REMOTE.UPSTREAM_ERROR',
        message: 'upstream failed',
        logUrl: 'https://app.kombo.dev/logs/1',
        cause: null,
      },
      counts: { ...COUNTS, inserted: 1 },
    });
    await store.recordModelSkipped({
      ...key,
      model: 'ats_users',
      code: 'INTEGRATION.MODEL_DISABLED',
      reason: 'off',
    });

    const states = await getSyncStates(test.database, integrationId);
    expect(states.get('ats_tags')).toMatchObject({ watermark: WATERMARK, lastDeltaSyncAt: null });
    expect(states.get('ats_tags')?.lastFullSyncAt).toBeInstanceOf(Date);
    expect(states.get('ats_jobs')).toMatchObject({
      lastErrorCode: 'REMOTE.UPSTREAM_ERROR',
      lastErrorMessage: 'upstream failed',
      lastErrorLogUrl: 'https://app.kombo.dev/logs/1',
      consecutiveFailures: 1,
    });
    expect(states.get('ats_users')).toMatchObject({
      skippedReason: 'INTEGRATION.MODEL_DISABLED: off',
      unavailableSince: unavailableAt,
    });
    const [stored] = await getRecentRuns(test.database, integrationId, 1);
    expect(stored?.counts).toMatchObject({
      ats_tags: { status: 'succeeded', upserted: 2 },
      ats_jobs: { status: 'failed', upserted: 1, error: 'REMOTE.UPSTREAM_ERROR: upstream failed' },
      ats_users: { status: 'skipped', error: 'INTEGRATION.MODEL_DISABLED: off' },
    });
  });

  it('reconciles a full pass with the handler reading the marked rows, and reports watermark and open pass', async () => {
    const integrationId = newIntegration();
    const runId = await run(integrationId);
    const deleted: KomboRecord[] = [];
    const store = createPgSyncStore({
      database: test.database,
      fence: await lease(integrationId),
      handlers: {
        ats_tags: async (context) => {
          deleted.push(...context.deleted);
        },
      },
    });
    await store.writePage({ ...page(integrationId, runId, [tag('gone'), tag('kept')]), isFullPass: false });
    deleted.length = 0;
    const nextRun = await run(integrationId);
    await store.openPass!({ integrationId, model: 'ats_tags', passId: nextRun, startedAt: FETCH_1 });
    await store.writePage({
      ...page(integrationId, nextRun, [tag('kept')]),
      komboFetchedAt: FETCH_1,
      passId: nextRun,
      checkpoint: () => ({ passId: nextRun, pages: 1, cursor: 'next' }),
    });
    const states = await store.getModelStates(integrationId);
    expect(states.get('ats_tags')).toMatchObject({
      watermark: null,
      openPass: { passId: nextRun, startedAt: FETCH_1, cursor: 'next', pages: 1, isIntact: true },
    });

    const result = await store.reconcileDeletions({
      integrationId,
      model: 'ats_tags',
      runId: nextRun,
      passStartedAt: FETCH_1,
      passId: nextRun,
    });
    expect(result).toEqual({ deleted: 1, deletedIds: ['gone'] });
    expect(deleted).toEqual([
      expect.objectContaining({ id: 'gone', remote_deleted_at: FETCH_1.toISOString() }),
    ]);
    expect((await store.getModelStates(integrationId)).get('ats_tags')?.openPass ?? null).toBeNull();
  });

  it("keeps a lost fence itself and makes every other error safe: no SQL, no record's data", async () => {
    const integrationId = newIntegration();
    const runId = await run(integrationId);
    const fence = await lease(integrationId);
    const store = createPgSyncStore({
      database: test.database,
      fence,
      handlers: {
        ats_tags: async ({ tx }) => {
          await tx.execute(sql`SELECT ${'Secret-Value'}::int`);
        },
      },
    });
    const error = await store.writePage(page(integrationId, runId, [tag('x')])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafeStoreError);
    expect(String((error as Error).message)).not.toMatch(/Secret-Value|SELECT/);

    await releaseLease(test.database, fence);
    await lease(integrationId);
    await expect(store.writePage(page(integrationId, runId, [tag('x')]))).rejects.toBeInstanceOf(
      FenceLostError,
    );
  });
});
