import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import type { Database } from './create-database.js';
import { upsertIntegration } from './integrations-store.js';
import { listIntegrationStatus } from './list-integration-status.js';
import { claimMaintenance, finishMaintenance } from './maintenance-store.js';
import { pruneHistory } from './prune-history.js';
import { quarantineRecords } from './quarantine-store.js';
import { startRun } from './sync-runs-store.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { fleetMember, seedRunHistory } from './testing/seed-fleet.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await createTestDatabase(TEST_DATABASE_URL, { namePrefix: 'prune_test' });
  db = testDb.database;
});

afterAll(async () => {
  await testDb.drop();
});

const count = async (query: ReturnType<typeof sql>) =>
  Number((await db.db.execute<{ n: string }>(query)).rows[0]?.n ?? 0);

async function addIntegrations(members: ReturnType<typeof fleetMember>[]) {
  for (const m of members) await upsertIntegration(db, { id: m.id, tool: m.tool, category: m.category });
}

describe('pruneHistory', () => {
  it('removes finished runs older than the retention, keeping each latest run and running runs', async () => {
    const members = [1, 2, 3, 4, 6].map(fleetMember);
    await addIntegrations(members);
    const [busy, idle] = members;
    // 60 days ago…30 days ago for everyone, then recent runs for all but `idle`, whose latest stays 31 days old.
    await seedRunHistory(db, { members, runsPerIntegration: 30, historyDays: 30, olderByDays: 31 });
    await seedRunHistory(db, {
      members: members.filter((m) => m !== idle),
      runsPerIntegration: 10,
      historyDays: 5,
    });
    // A run started 40 days ago that still runs (a long pass) stays.
    const old = await startRun(db, { integrationId: busy!.id, kind: 'full', trigger: 'manual' });
    await db.db.execute(sql`UPDATE sync_runs SET started_at = now() - interval '40 days' WHERE id = ${old}`);
    await db.db.execute(
      sql`UPDATE integrations SET last_run_id = (SELECT max(id) FROM sync_runs r WHERE r.integration_id = integrations.id AND r.id <> ${old})`,
    );
    const before = await count(sql`SELECT count(*) AS n FROM sync_runs`);

    const pruned = await pruneHistory(db, { retentionDays: 30, batchSize: 7 });

    expect(pruned.runs).toBe(before - 4 * 10 - 1 - 1);
    expect(
      await count(sql`SELECT count(*) AS n FROM sync_runs WHERE started_at < now() - interval '30 days'`),
    ).toBe(2);
    expect(await count(sql`SELECT count(*) AS n FROM sync_runs WHERE id = ${old}`)).toBe(1);
    const [idleRow] = (
      await listIntegrationStatus(db, { now: new Date(), lagThresholdMs: 3_600_000, search: idle!.id })
    ).integrations;
    expect(idleRow?.latestRun?.startedAt.getTime()).toBeLessThan(Date.now() - 30 * 86_400_000);
    expect(await pruneHistory(db, { retentionDays: 30 })).toMatchObject({ runs: 0 });
  });

  it('stops between batches when aborted; the next run goes on', async () => {
    const members = [8, 10].map(fleetMember);
    await addIntegrations(members);
    await seedRunHistory(db, { members, runsPerIntegration: 50, historyDays: 10, olderByDays: 40 });
    const controller = new AbortController();
    controller.abort();
    expect(
      await pruneHistory(db, { retentionDays: 30, batchSize: 10, signal: controller.signal }),
    ).toMatchObject({
      runs: 0,
    });
    expect((await pruneHistory(db, { retentionDays: 30, batchSize: 10 })).runs).toBe(2 * 49);
  });

  it('discards open passes untouched for the retention unless a live lease holds the integration', async () => {
    const [stale, leased, fresh] = [12, 14, 16].map(fleetMember);
    await addIntegrations([stale!, leased!, fresh!]);
    const runs: number[] = [];
    for (const m of [stale!, leased!, fresh!]) {
      const runId = await startRun(db, { integrationId: m.id, kind: 'full', trigger: 'manual' });
      await db.db.execute(
        sql`UPDATE sync_runs SET status = 'abandoned', finished_at = now() WHERE id = ${runId}`,
      );
      runs.push(runId);
      await db.db.execute(sql`
        INSERT INTO sync_passes (integration_id, model, pass_id, started_at, opened_at, checkpointed_at)
        VALUES (${m.id}, 'hris_employees', ${runId}, now(), now() - interval '40 days',
          now() - ${m === fresh ? 1 : 40} * interval '1 day')`);
      await db.db.execute(sql`
        INSERT INTO sync_seen_ids (run_id, model, id)
        SELECT ${runId}::bigint, 'hris_employees', 'e' || g FROM generate_series(0, 2500) g
        UNION ALL SELECT ${runId}::bigint, 'hris_employees', ''`);
    }
    await db.db.execute(
      sql`INSERT INTO sync_leases (integration_id, token, holder, expires_at) VALUES (${leased!.id}, 1, 'w/1', now() + interval '1 minute')`,
    );

    const pruned = await pruneHistory(db, { retentionDays: 30, batchSize: 500 });

    expect(pruned.passes).toBe(1);
    expect(pruned.seenIds).toBe(2502);
    const passes = await db.db.execute<{ integration_id: string }>(
      sql`SELECT integration_id FROM sync_passes ORDER BY integration_id`,
    );
    expect(passes.rows.map((row) => row.integration_id).sort()).toEqual([leased!.id, fresh!.id].sort());
    for (const [index, kept] of [false, true, true].entries())
      expect(await count(sql`SELECT count(*) AS n FROM sync_seen_ids WHERE run_id = ${runs[index]}`)).toBe(
        kept ? 2502 : 0,
      );
  });

  it("removes seen ids of runs that ended without clearing them, never a running run's", async () => {
    const m = fleetMember(18);
    await addIntegrations([m]);
    const ended = await startRun(db, { integrationId: m.id, kind: 'full', trigger: 'manual' });
    await db.db.execute(sql`UPDATE sync_runs SET status = 'failed', finished_at = now() WHERE id = ${ended}`);
    const live = await startRun(db, { integrationId: m.id, kind: 'full', trigger: 'manual' });
    for (const runId of [ended, live])
      await db.db.execute(sql`
        INSERT INTO sync_seen_ids (run_id, model, id)
        SELECT ${runId}, 'hris_skills', 's' || g FROM generate_series(1, 30) g`);
    const pruned = await pruneHistory(db, { retentionDays: 30, batchSize: 8 });
    expect(pruned.seenIds).toBe(30);
    expect(await count(sql`SELECT count(*) AS n FROM sync_seen_ids WHERE run_id = ${live}`)).toBe(30);
    expect(await count(sql`SELECT count(*) AS n FROM sync_seen_ids WHERE run_id = ${ended}`)).toBe(0);
  });

  it('removes the quarantine of integrations deleted longer ago than the retention', async () => {
    const [gone, recent, live] = [20, 22, 24].map(fleetMember);
    await addIntegrations([gone!, recent!, live!]);
    for (const m of [gone!, recent!, live!])
      await quarantineRecords(db, {
        integrationId: m.id,
        model: 'hris_employees',
        runId: 1,
        entries: [
          { recordId: 'x', reasonCode: '22P02', reasonClass: 'data', reason: 'bad', recordText: '{}' },
        ],
      });
    await db.db.execute(
      sql`UPDATE integrations SET deleted_at = now() - interval '31 days' WHERE id = ${gone!.id}`,
    );
    await db.db.execute(
      sql`UPDATE integrations SET deleted_at = now() - interval '2 days' WHERE id = ${recent!.id}`,
    );
    expect((await pruneHistory(db, { retentionDays: 30 })).quarantined).toBe(1);
    const left = await db.db.execute<{ integration_id: string }>(
      sql`SELECT integration_id FROM quarantined_records ORDER BY integration_id`,
    );
    expect(left.rows.map((row) => row.integration_id).sort()).toEqual([recent!.id, live!.id].sort());
  });

  it('removes failed connection flows older than their 30 days, also when no new one arrives', async () => {
    await db.db.execute(sql`
      INSERT INTO connection_flow_failures (event_id, tool, category, received_at)
      VALUES ('old', 'personio', 'HRIS', now() - interval '31 days'), ('new', 'personio', 'HRIS', now())`);
    expect((await pruneHistory(db, { retentionDays: 30 })).connectionFlows).toBe(1);
    const left = await db.db.execute<{ event_id: string }>(
      sql`SELECT event_id FROM connection_flow_failures`,
    );
    expect(left.rows.map((row) => row.event_id)).toEqual(['new']);
  });

  it('refuses a retention below one day', async () => {
    await expect(pruneHistory(db, { retentionDays: 0 })).rejects.toThrow(RangeError);
  });
});

describe('claimMaintenance', () => {
  it('lets one claim through per interval fleet-wide, by Postgres clock', async () => {
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => claimMaintenance(db, 'task-a', 3_600_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimMaintenance(db, 'task-a', 3_600_000)).toBe(false);
    expect(await claimMaintenance(db, 'task-b', 3_600_000)).toBe(true);
    await finishMaintenance(db, 'task-a', { runs: 3 });
    // An hour later (by Postgres's clock) the next claim goes through.
    await db.db.execute(
      sql`UPDATE maintenance_runs SET claimed_at = claimed_at - interval '61 minutes' WHERE task = 'task-a'`,
    );
    expect(await claimMaintenance(db, 'task-a', 3_600_000)).toBe(true);
    const row = await db.db.execute<{ finished_at: unknown; result: unknown }>(
      sql`SELECT finished_at, result FROM maintenance_runs WHERE task = 'task-a'`,
    );
    expect(row.rows[0]).toEqual({ finished_at: null, result: { runs: 3 } });
  });
});
