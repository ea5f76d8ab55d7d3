// The stale-overwrite guard end to end: a page fetched before a change, written after the sync that stored the
// change (a slow or retried writer), changes nothing, whatever Kombo time it claims.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { modelsForChangedNames, type ModelName } from '@kombo-sync/catalog';
import { acquireLease, createPgSyncStore, releaseLease, startRun, type Fence } from '@kombo-sync/db';
import { createKomboClient, type KomboClient, type KomboPage } from '@kombo-sync/kombo';
import { API_KEY, createHarness, HRIS_TEST_MODELS, type WorkerHarness } from './testing/worker-harness.js';

let h: WorkerHarness;
let client: KomboClient;
beforeAll(async () => {
  h = await createHarness();
  h.startWorker();
  client = createKomboClient({ baseUrl: h.api.url, apiKey: API_KEY, maxRetries: 0 });
});
afterAll(async () => {
  h.sandbox.setClockSkew(0);
  client.close();
  await h.close();
});

/** The integration's lease, as a run holds it while it writes (the worker is idle here, so it is free). */
async function takeLease(integrationId: string): Promise<Fence> {
  const lease = await acquireLease(h.database, { integrationId, holder: 'test', ttlMs: 60_000 });
  if (!lease.isAcquired) throw new Error(`lease of ${integrationId} is held by ${lease.holder}`);
  return lease.fence;
}

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

async function firstPage(integrationId: string): Promise<KomboPage> {
  const pages = client.pages('hris_employees', { integrationId, pageSize: 250 });
  const { value } = await pages.next();
  await pages.return?.();
  return value as KomboPage;
}

describe('stale-overwrite guard', () => {
  it('an old page written after a newer sync changes nothing; own changes win even against a later claimed time', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();

    const oldPage = await firstPage(id);
    expect(oldPage.results).toHaveLength(30);
    // Kombo's Date header has 1 s resolution: move Kombo's clock so the sync below is fetched in a later Kombo
    // second than the old page. (Within one second, fetches are ordered by run id, and the old page is written
    // below under a run started after the sync: it would count as the later fetch. The next test covers that.)
    h.sandbox.setClockSkew(1_000);
    const { changedModels } = h.sandbox.mutate(id, {
      updates: 5,
      nestedUpdates: 2,
      deletes: 2,
      models: ['hris_employees'],
    });
    await h.trigger(id, { models: changedModels as ModelName[], triggers: ['data-changed'] });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    const synced = await h.mirror(id, 'hris_employees');

    const fence = await takeLease(id);
    const store = createPgSyncStore({ database: h.database, fence });
    const runId = await startRun(h.database, { integrationId: id, kind: 'delta', trigger: 'test' });
    const write = (records: KomboPage['results'], komboFetchedAt: Date) =>
      store.writePage({
        integrationId: id,
        model: 'hris_employees',
        records,
        komboFetchedAt,
        runId,
        pageIndex: 0,
        isFullPass: false,
      });
    const nothing = { inserted: 0, updated: 0, deleted: 0, changedIds: [], deletedIds: [] };

    // The whole old page, with the Kombo time it was fetched at: every row keeps its newer version.
    expect(await write(oldPage.results, oldPage.komboTime)).toMatchObject(nothing);
    await h.expectExact(id, HRIS_TEST_MODELS);

    // Records whose own changed_at moved since: older versions lose even when they claim a later Kombo time.
    // (Nested-only changes do not move changed_at: for those the fetch time is all there is to order by.)
    const ownChanged = oldPage.results.filter(
      (record) => synced.get(record.id)?.changedAt.getTime() !== Date.parse(record.changed_at),
    );
    expect(ownChanged.length).toBeGreaterThanOrEqual(5);
    expect(await write(ownChanged, new Date(Date.now() + 60_000))).toMatchObject(nothing);
    await h.expectExact(id, HRIS_TEST_MODELS);
    await releaseLease(h.database, fence);
  });

  it('a stale worker writing a page fetched in the same Kombo second as the newer version changes nothing', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();

    // A job's worker stalls after fetching its first page; BullMQ hands the job to another worker whose run
    // (a later run id) stores nested-only changes, which do not move changed_at.
    const staleRunId = await startRun(h.database, { integrationId: id, kind: 'delta', trigger: 'test' });
    const stalePage = await firstPage(id);
    const { changedModels } = h.sandbox.mutate(id, { nestedUpdates: 3, models: ['hris_employees'] });
    const { models } = modelsForChangedNames(changedModels);
    await h.trigger(id, { models, triggers: ['data-changed'] });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    const synced = await h.mirror(id, 'hris_employees');
    const nested = stalePage.results.filter(
      (record) =>
        synced.get(record.id)?.changedAt.getTime() === Date.parse(record.changed_at) &&
        JSON.stringify(synced.get(record.id)?.raw) !== JSON.stringify(record),
    );
    expect(nested.length).toBeGreaterThanOrEqual(1);

    // Kombo's Date header has 1 s resolution, so both fetches can carry the same Kombo second; pin that tie
    // (instead of hoping the sync lands in the same second) by giving the stale page the newer rows' fetch time.
    const { rows } = await h.database.pool.query<{ kombo_fetched_at: Date }>(
      'SELECT max(kombo_fetched_at) AS kombo_fetched_at FROM hris_employees WHERE integration_id = $1',
      [id],
    );
    const sameSecond = rows[0]!.kombo_fetched_at;
    const fence = await takeLease(id);
    const store = createPgSyncStore({ database: h.database, fence });
    const result = await store.writePage({
      integrationId: id,
      model: 'hris_employees',
      records: stalePage.results,
      komboFetchedAt: sameSecond,
      runId: staleRunId,
      pageIndex: 0,
      isFullPass: false,
    });
    expect(result).toMatchObject({ inserted: 0, updated: 0, deleted: 0, changedIds: [], deletedIds: [] });
    await h.expectExact(id, HRIS_TEST_MODELS);
    await releaseLease(h.database, fence);
  });
});
