// Retention run by the workers themselves: history older than SYNC_RUN_RETENTION_DAYS is pruned by one worker of
// the fleet per interval, soon after start, beside running syncs, keeping what the status views need.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns, listIntegrationStatus } from '@kombo-sync/db';
import { fleetMember, seedRunHistory } from '@kombo-sync/db/testing';
import { sql } from 'drizzle-orm';
import type { SyncWorker } from './create-sync-worker.js';
import { createHarness, HRIS_TEST_MODELS, type Harness } from './testing/worker-harness.js';

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });
/** Each worker checks the maintenance tasks at once and every 100 ms; a task runs at most hourly fleet-wide. */
const MAINTENANCE = { firstCheckMs: 0, checkMs: 100, taskIntervalMs: 3_600_000 };

let h: Harness;
const workers: SyncWorker[] = [];
beforeAll(async () => {
  h = await createHarness({ runRetentionDays: 30, maintenance: MAINTENANCE });
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close(5_000)));
  await h.close();
});

async function waitFor<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
