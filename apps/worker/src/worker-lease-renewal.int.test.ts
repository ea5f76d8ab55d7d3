// A pass much longer than its lease keeps the lease: a real worker process with a 1.5 s lease TTL runs an initial
// pass whose page transactions overlap without a break, while webhooks for the same integration keep arriving.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns } from '@kombo-sync/db';
import {
  createdIntent,
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from './testing/worker-harness.js';

const LEASE_TTL_MS = 1_500;

let h: WorkerHarness;
let worker: ChildProcess | undefined;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  if (worker?.exitCode === null) worker.kill('SIGKILL');
  await h.close();
});

interface Observed {
  statuses: Map<number, Set<string>>;
  /** The least time left on the lease while a run was attached to it, ms. */
  minLeftMs: number;
}

/** What the runs and the lease of `integrationId` looked like, read every 50 ms until `isDone` resolves. */
async function observe(integrationId: string, isDone: Promise<unknown>): Promise<Observed> {
  const observed: Observed = { statuses: new Map(), minLeftMs: Infinity };
  let isFinished = false;
  void isDone.finally(() => (isFinished = true));
  while (!isFinished) {
    const { rows } = await h.database.pool.query<{ id: string; status: string; left_ms: number | null }>(
      `SELECT r.id, r.status,
         CASE WHEN l.run_id = r.id AND r.status = 'running'
           THEN extract(epoch FROM l.expires_at - now()) * 1000 END AS left_ms
       FROM sync_runs r LEFT JOIN sync_leases l ON l.integration_id = r.integration_id
       WHERE r.integration_id = $1`,
      [integrationId],
    );
    for (const row of rows) {
      const statuses = observed.statuses.get(Number(row.id)) ?? new Set<string>();
      statuses.add(row.status);
      observed.statuses.set(Number(row.id), statuses);
      if (row.left_ms !== null) observed.minLeftMs = Math.min(observed.minLeftMs, Number(row.left_ms));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return observed;
}

describe('the sync lease during a long pass', () => {
  it('is renewed however the pass’s page transactions overlap: one run, never abandoned, never fenced out', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 800 } });
    worker = spawnWorkerProcess(h, {
      env: {
        SYNC_LEASE_TTL_MS: String(LEASE_TTL_MS),
        SYNC_PAGE_SIZE: '20',
        SYNC_CONCURRENCY_PER_INTEGRATION: '1',
        SYNC_HANDLERS_MODULE: './apps/worker/src/testing/slow-page-handlers.ts',
        DATABASE_POOL_SIZE: '3',
        // One pass in one run: time slices would end the run every SYNC_BULK_SLICE_MS and hand the lease over.
        SYNC_BULK_SLICE_MS: '0',
      },
    });
    await h.trigger(id, createdIntent(id));
    // Webhooks keep coming for the integration: each follow-up job asks for the lease while the pass holds it.
    let isPassing = true;
    const webhooks = (async () => {
      let sent = 0;
      while (isPassing) {
        await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
        sent += 1;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return sent;
    })();
    const idle = h.waitForIdle(120_000).finally(() => (isPassing = false));
    const observed = await observe(id, idle);
    await idle;
    expect(await webhooks).toBeGreaterThan(10);

    const runs = (await getRecentRuns(h.database, id, 100)).reverse();
    const full = runs.filter((run) => run.kind === 'full');
    // The whole initial pass was one run, which kept its lease throughout.
    expect(full).toHaveLength(1);
    const [pass] = full;
    expect(pass).toMatchObject({ status: 'succeeded', error: null });
    expect(pass!.finishedAt!.getTime() - pass!.startedAt.getTime()).toBeGreaterThan(10 * LEASE_TTL_MS);
    expect([...(observed.statuses.get(pass!.id) ?? [])]).toEqual(['running', 'succeeded']);
    expect(observed.minLeftMs).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.status).toBe('succeeded');
      expect([...(observed.statuses.get(run.id) ?? [])]).not.toContain('abandoned');
    }
    await h.expectExact(id, HRIS_TEST_MODELS);
  }, 150_000);
});
