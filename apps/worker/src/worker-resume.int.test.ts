// Resumable passes end to end (in-process workers, real Postgres, Redis and sandbox): a full pass stopped by a Kombo
// fault or a lost lease resumes at its checkpoint and fetches only the rest, its deletion reconciliation stays exact,
// and a checkpointed cursor Kombo refuses restarts the pass from page 1.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getOpenPasses, getRecentRuns, getSyncStates } from '@kombo-sync/db';
import type { OpenPassState } from '@kombo-sync/sync';
import {
  addGhostEmployees,
  createdIntent,
  createHarness,
  type WorkerHarness,
  waitFor,
} from './testing/worker-harness.js';

const MODEL = 'hris_employees' as const;
/** 400 employees in pages of 20. */
const EMPLOYEES = 400;
const PAGES = 20;
/**
 * Pages a resumed pass may fetch again: those fetched or being written when the run stopped (two written at once,
 * one prefetched, the next being fetched) and one whose earlier neighbour had not committed when it did.
 */
const SLACK = 6;

let h: WorkerHarness;
/** Employee pages Kombo answered since the test reset it. */
let pages = 0;
let onPage: ((page: number) => void) | undefined;

beforeAll(async () => {
  // A long backoff leaves time to act between the interrupted run and its retry.
  h = await createHarness({ enabledModels: [MODEL], jobBackoffMs: 1_500 });
  h.startWorker({
    kombo: {
      onRequest: (event) => {
        if (event.model !== MODEL || event.status !== 200) return;
        pages += 1;
        onPage?.(pages);
      },
    },
  });
});
afterAll(async () => {
  h.sandbox.setFaults({});
  await h.close();
});

/** Synced in full once, so the next full pass sees most rows unchanged (seen ids, not writes). */
async function syncedIntegration(): Promise<string> {
  const { id } = h.sandbox.createIntegration({ sizes: { employees: EMPLOYEES } });
  await h.trigger(id, createdIntent(id));
  await h.waitForIdle();
  return id;
}

async function liveGhosts(integrationId: string): Promise<number> {
  const { rows } = await h.database.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM hris_employees
     WHERE integration_id = $1 AND id LIKE 'ghost-%' AND remote_deleted_at IS NULL`,
    [integrationId],
  );
  return Number(rows[0]?.n);
}

/** Runs a manual full sync whose pass `interrupt` stops after `atPage` pages; returns the pass as it was left. */
async function interruptedFullSync(
  integrationId: string,
  atPage: number,
  interrupt: () => void,
): Promise<OpenPassState> {
  pages = 0;
  onPage = (page) => {
    if (page === atPage) interrupt();
  };
  const [before] = await getRecentRuns(h.database, integrationId, 1);
  await h.trigger(integrationId, { full: true, models: 'all', triggers: ['manual'] });
  return waitFor('the interrupted run and its open pass', async () => {
    const [run] = await getRecentRuns(h.database, integrationId, 1);
    if (!run || run.id === before?.id || run.status === 'running') return undefined;
    return (await getOpenPasses(h.database, integrationId)).get(MODEL);
  });
}

/** The rows Kombo deleted meanwhile are caught by the next delta; then the mirror equals Kombo's data. */
async function expectExactAfterDelta(integrationId: string, ghosts: readonly string[]): Promise<void> {
  await h.database.pool.query(`DELETE FROM hris_employees WHERE id = ANY($1::text[])`, [ghosts]);
  onPage = undefined;
  await h.trigger(integrationId, { models: [MODEL], triggers: ['data-changed'] });
  await h.waitForIdle();
  await h.expectExact(integrationId, [MODEL]);
}

describe('resumable passes', () => {
  it.each([
    [
      'a Kombo 5xx fails the run',
      (id: string) => {
        h.sandbox.injectFault({ fault: 'server_error', integrationId: id, model: MODEL });
      },
    ],
    [
      'another run takes the lease over',
      (id: string) => {
        // As after the holder's lease expired: the holder's next page transaction finds its token gone.
        void h.database.pool.query(
          `UPDATE sync_leases SET token = token + 1, holder = 'other-worker', expires_at = now() + interval '1 second'
           WHERE integration_id = $1`,
          [id],
        );
      },
    ],
  ])(
    'when %s mid-pass, the retried job resumes at the checkpoint; reconciliation is exact',
    async (_, interrupt) => {
      const id = await syncedIntegration();
      const ghosts = await addGhostEmployees(h.database, id, 3);
      const pass = await interruptedFullSync(id, 8, () => {
        interrupt(id);
        // Kombo changes during the interruption: before and after the checkpoint.
        h.sandbox.mutate(id, { updates: 6, deletes: 6, models: [MODEL] });
      });
      expect(pass.pages).toBeGreaterThanOrEqual(8 - 4);
      expect(pass.cursor).not.toBeNull();
      expect(pass.isIntact).toBe(true);
      const pagesBefore = pages;
      await h.waitForIdle();

      // The retry fetched only the pages after the checkpoint, plus one catch-up request for what changed since the
      // pass started (nothing here: one empty page).
      expect(pages - pagesBefore).toBe(PAGES - pass.pages + 1);
      expect(pages).toBeLessThanOrEqual(PAGES + SLACK);
      const [run] = await getRecentRuns(h.database, id, 1);
      expect(run).toMatchObject({ status: 'succeeded', kind: 'full' });
      expect((await getOpenPasses(h.database, id)).size).toBe(0);
      // The watermark is the start of the whole pass, not of the run that finished it.
      expect((await getSyncStates(h.database, id)).get(MODEL)?.watermark).toEqual(pass.startedAt);
      expect(await liveGhosts(id)).toBe(0);
      await expectExactAfterDelta(id, ghosts);
    },
    90_000,
  );

  it('a checkpointed cursor Kombo refuses restarts the pass from page 1, cleanly', async () => {
    const id = await syncedIntegration();
    const ghosts = await addGhostEmployees(h.database, id, 2);
    const pass = await interruptedFullSync(id, 8, () => {
      h.sandbox.injectFault({ fault: 'server_error', integrationId: id, model: MODEL });
    });
    expect(pass.pages).toBeGreaterThan(0);
    // A cursor Kombo no longer accepts (the sandbox answers 400 PLATFORM.INPUT_INVALID, as Kombo does).
    await h.database.pool.query(
      `UPDATE sync_passes SET cursor = 'expired-cursor' WHERE integration_id = $1`,
      [id],
    );
    const pagesBefore = pages;
    await h.waitForIdle();

    expect(pages - pagesBefore).toBe(PAGES);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run).toMatchObject({ status: 'succeeded', kind: 'full' });
    expect(run?.startedAt.getTime()).toBeGreaterThan(pass.startedAt.getTime());
    expect((await getOpenPasses(h.database, id)).size).toBe(0);
    // The restarted pass is the one that committed: its own start is the watermark.
    const watermark = (await getSyncStates(h.database, id)).get(MODEL)?.watermark;
    expect(watermark?.getTime()).toBeGreaterThan(pass.startedAt.getTime());
    expect(await liveGhosts(id)).toBe(0);
    await expectExactAfterDelta(id, ghosts);
  }, 90_000);
});
