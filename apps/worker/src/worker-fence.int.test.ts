// The fence end to end: one writer per integration whatever BullMQ does, a run that loses its lease stops before
// its next write, and a full sync repairs what a Kombo clock that stepped back left behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns } from '@kombo-sync/db';
import { SYNC_JOB_NAME } from '@kombo-sync/queue';
import {
  createdIntent,
  createHarness,
  HRIS_TEST_MODELS,
  type WorkerHarness,
  waitFor,
} from './testing/worker-harness.js';

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness();
  h.startWorker();
  h.startWorker();
});
afterAll(async () => {
  h.sandbox.setClockSkew(0);
  h.sandbox.setFaults({});
  await h.close();
});

/** Slows every Kombo request of the integration, so its sync lasts long enough to interfere with. */
const slowDown = (id: string, latencyMs: number) =>
  h.sandbox.setFaults({ probability: { latency: 1 }, latencyMs, integrationIds: [id] });

async function rowsOfRun(runId: number): Promise<number> {
  const { rows } = await h.database.pool.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM hris_employees WHERE last_run_id = $1)
          + (SELECT count(*) FROM hris_employments WHERE last_run_id = $1)
          + (SELECT count(*) FROM hris_groups WHERE last_run_id = $1) AS n`,
    [runId],
  );
  return Number(rows[0]?.n);
}

describe('one writer per integration', () => {
  it('a job BullMQ hands out twice waits for the running one: runs never overlap, nothing is falsely deleted', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 400 } });
    slowDown(id, 15);
    await h.trigger(id, createdIntent(id));
    await waitFor('the first run', async () => (await getRecentRuns(h.database, id, 1))[0]);
    // What a Redis restart does to a long run: a second copy of the job, taken by the other worker.
    await h.queue.add(SYNC_JOB_NAME, { integrationId: id }, { attempts: 3 });
    await h.trigger(id, { full: true, models: 'all' });
    await h.waitForIdle(60_000);
    h.sandbox.setFaults({});

    const runs = (await getRecentRuns(h.database, id, 10)).reverse();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.map((run) => run.status)).toEqual(runs.map(() => 'succeeded'));
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!.getTime());
    }
    await h.expectExact(id, HRIS_TEST_MODELS);
  }, 90_000);

  it('a run whose lease is taken over stops before its next write; its job retries and converges', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 400 } });
    slowDown(id, 15);
    await h.trigger(id, createdIntent(id));
    const run = await waitFor('rows of the first run', async () => {
      const [latest] = await getRecentRuns(h.database, id, 1);
      return latest && (await rowsOfRun(latest.id)) > 20 ? latest : undefined;
    });
    // Another run takes the lease over (as after the holder's lease expired); it lets it lapse 2 s later. The
    // UPDATE waits for the holder's open page transactions: after it, the holder may write nothing more.
    await h.database.pool.query(
      `UPDATE sync_leases SET token = token + 1, holder = 'other-worker', expires_at = now() + interval '2 seconds'
       WHERE integration_id = $1`,
      [id],
    );
    const writtenBeforeTakeover = await rowsOfRun(run.id);
    await waitFor('the first run to stop', async () => {
      const [first] = (await getRecentRuns(h.database, id, 10)).filter((r) => r.id === run.id);
      return first?.status === 'running' ? undefined : first;
    });
    expect(await rowsOfRun(run.id)).toBe(writtenBeforeTakeover);
    h.sandbox.setFaults({});
    await h.waitForIdle(60_000);

    const runs = await getRecentRuns(h.database, id, 10);
    const first = runs.find((r) => r.id === run.id);
    expect(first).toMatchObject({ status: 'failed' });
    expect(first?.error).toContain('SYNC.FENCE_LOST');
    expect(runs[0]).toMatchObject({ status: 'succeeded', kind: 'full' });
    await h.expectExact(id, HRIS_TEST_MODELS);
  }, 90_000);
});

describe('a full sync repairs everything', () => {
  it('after Kombo’s clock stepped back 90 s, a full sync leaves the mirror equal to what Kombo serves', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 60 } });
    h.sandbox.setClockSkew(90_000);
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    h.sandbox.setClockSkew(0);
    // Changes made under the corrected clock carry older times than the rows written under the skew.
    const { changedModels } = h.sandbox.mutate(id, {
      updates: 8,
      nestedUpdates: 3,
      deletes: 3,
      models: ['hris_employees', 'hris_employments'],
    });
    await h.trigger(id, {
      models: changedModels.filter((m) => m !== 'hris_teams') as never,
      triggers: ['data-changed'],
    });
    await h.waitForIdle();

    await h.trigger(id, { full: true, models: 'all', triggers: ['manual'] });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    const [full] = await getRecentRuns(h.database, id, 1);
    expect(full).toMatchObject({ kind: 'full', status: 'succeeded' });
    const employees = full?.counts['hris_employees'];
    expect((employees?.upserted ?? 0) + (employees?.deleted ?? 0)).toBeGreaterThan(0);
  }, 60_000);
});
