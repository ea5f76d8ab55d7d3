// Retention run by the workers themselves: history older than SYNC_RUN_RETENTION_DAYS is pruned by one worker of
// the fleet per interval, soon after start, beside running syncs, keeping what the status views need; rows Kombo
// deleted are purged after SYNC_DELETED_RETENTION_DAYS and stay purged through full syncs until Kombo changes them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns, listIntegrationStatus } from '@kombo-sync/db';
import { fleetMember, seedRunHistory } from '@kombo-sync/db/testing';
import { sql } from 'drizzle-orm';
import type { SyncWorker } from './create-sync-worker.js';
import { createHarness, HRIS_TEST_MODELS, type WorkerHarness, waitFor } from './testing/worker-harness.js';

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });
/** Each worker checks the maintenance tasks at once and every 100 ms; a task runs at most hourly fleet-wide. */
const MAINTENANCE = {
  maintenanceFirstCheckMs: 0,
  maintenanceCheckMs: 100,
  maintenanceTaskIntervalMs: 3_600_000,
};

let h: WorkerHarness;
const workers: SyncWorker[] = [];
beforeAll(async () => {
  h = await createHarness({ runRetentionDays: 30, ...MAINTENANCE });
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close(5_000)));
  await h.close();
});

const maintenanceRow = (task: string) =>
  h.database.db
    .execute<{ claimed_at: string; finished_at: string | null; result: Record<string, number> | null }>(
      sql`SELECT claimed_at::text, finished_at::text, result FROM maintenance_runs WHERE task = ${task}`,
    )
    .then((result) => result.rows[0]);

describe('history retention in the workers', () => {
  it('one of several workers prunes old history once per interval while syncs run; the latest runs stay', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    await h.trigger(id, { created: created(id), full: true });
    // Two months of old history for this integration and about 300 others (not synced since).
    const members = Array.from({ length: 300 }, (_, index) => fleetMember(index + 1)).filter(
      (member) => !member.isNeverSynced,
    );
    await h.database.db.execute(sql`
      INSERT INTO integrations (id, tool, category)
      SELECT m->>'id', m->>'tool', m->>'category' FROM json_array_elements(${JSON.stringify(members)}::json) m`);
    await seedRunHistory(h.database, {
      members: [...members, { ...fleetMember(1), id }],
      runsPerIntegration: 60,
      historyDays: 60,
      olderByDays: 31,
    });
    const oldRuns = await h.database.db.execute<{ n: string }>(
      sql`SELECT count(*) AS n FROM sync_runs WHERE started_at < now() - interval '30 days'`,
    );
    expect(Number(oldRuns.rows[0]?.n)).toBe((members.length + 1) * 60);

    workers.push(h.startWorker(), h.startWorker());
    const done = await waitFor('the pruning', async () => {
      const row = await maintenanceRow('prune-history');
      return row?.finished_at ? row : undefined;
    });
    // 60 old runs each, the newest of which stays for the integrations without a newer one.
    expect(done.result).toMatchObject({ runs: members.length * 59 + 60, passes: 0 });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    const runs = await getRecentRuns(h.database, id, 100);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((run) => run.startedAt.getTime() > Date.now() - 86_400_000)).toBe(true);
    const page = await listIntegrationStatus(h.database, {
      now: new Date(),
      lagThresholdMs: 3_600_000,
      search: members[0]!.id,
    });
    expect(page.integrations[0]?.latestRun?.startedAt.getTime()).toBeLessThan(Date.now() - 30 * 86_400_000);

    // Both workers keep checking; neither claims the task again within the interval.
    const claimedAt = done.claimed_at;
    await h.trigger(id, { models: 'all', triggers: ['data-changed'] });
    await h.waitForIdle();
    expect((await maintenanceRow('prune-history'))?.claimed_at).toBe(claimedAt);
  }, 90_000);
});

describe('deleted-rows retention in the workers', () => {
  it('purges soon after a worker starts, also when workers restart more often than the interval', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    await h.trigger(id, { created: created(id), full: true });
    let worker = h.startWorker({ config: { deletedRetentionDays: 0 } });
    await h.waitForIdle();
    h.sandbox.mutate(id, { deletes: 3, models: ['hris_employees'] });
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    const deletedIds = async () =>
      [...(await h.mirror(id, 'hris_employees')).values()]
        .filter((row) => row.remoteDeletedAt)
        .map((row) => row.id);
    // The first claim may have run before the deletes: run the task again as a restarted worker would, once its
    // interval (by Postgres's clock) has passed.
    await worker.close(5_000);
    await h.database.db.execute(
      sql`UPDATE maintenance_runs SET claimed_at = claimed_at - interval '61 minutes' WHERE task = 'purge-deleted-rows'`,
    );
    const purgedIds = await deletedIds();
    expect(purgedIds).toHaveLength(3);
    worker = h.startWorker({ config: { deletedRetentionDays: 0 } });
    await waitFor('the purge', async () => ((await deletedIds()).length === 0 ? true : undefined));
    const tombstones = await h.database.db.execute<{ record_id: string }>(
      sql`SELECT record_id FROM purged_records WHERE integration_id = ${id} AND model = 'hris_employees'`,
    );
    expect(tombstones.rows.map((row) => row.record_id).sort()).toEqual(purgedIds.sort());

    // A full sync reads the deleted records again (include_deleted=true): they stay purged.
    await h.trigger(id, { full: true, models: ['hris_employees'], triggers: ['manual'] });
    await h.waitForIdle();
    const mirror = await h.mirror(id, 'hris_employees');
    for (const purged of purgedIds) expect(mirror.has(purged)).toBe(false);
    expect(mirror.size).toBe(30 - 3);

    // Kombo changes one of them again (a later changed_at, still deleted): the next sync stores it.
    const [changed] = purgedIds;
    const truth = h.sandbox.truth(id, 'hris_employees').find((record) => record['id'] === changed)!;
    const laterChange = { ...truth, changed_at: new Date().toISOString(), first_name: null };
    h.sandbox.poisonRecord({
      integrationId: id,
      model: 'hris_employees',
      recordId: changed!,
      text: JSON.stringify(laterChange),
    });
    await h.trigger(id, { full: true, models: ['hris_employees'], triggers: ['manual'] });
    await h.waitForIdle();
    const after = await h.mirror(id, 'hris_employees');
    expect(after.get(changed!)?.changedAt.toISOString()).toBe(laterChange.changed_at);
    expect(after.get(changed!)?.remoteDeletedAt).not.toBeNull();
    for (const purged of purgedIds.slice(1)) expect(after.has(purged)).toBe(false);
    await worker.close(5_000);
  }, 90_000);
});
