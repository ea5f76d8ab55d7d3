// Resumable passes through crashes: a worker process SIGKILLed mid initial sync leaves its pass to the process that
// recovers the job, which fetches only the rest; a Postgres crash (UNLOGGED seen ids gone) restarts the pass instead
// of marking live rows deleted.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from '@jest/globals';
import { getOpenPasses, getRecentRuns } from '@kombo-sync/db';
import { startPostgres } from '../../../scripts/local-services.mjs';
import { createdIntent, createHarness, spawnWorkerProcess, waitFor } from './testing/worker-harness.js';

const MODEL = 'hris_employees' as const;
const PAGES = 20;
/** custom-fields and integration-fields, each one request at this size. */
const FIELD_DEFINITION_LISTINGS = 2;
/** Pages fetched or being written when the run stopped (see worker-resume.int.test.ts). */
const SLACK = 6;

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('a worker process SIGKILLed mid-pass', () => {
  it('the process that recovers the job resumes the pass at its checkpoint', async () => {
    const h = await createHarness({ enabledModels: [MODEL] });
    const start = () => {
      const child = spawnWorkerProcess(h, {
        env: {
          SYNC_ENABLED_MODELS: MODEL,
          SYNC_PAGE_SIZE: '20',
          SYNC_JOB_ATTEMPTS: '3',
          WORKER_LOCK_DURATION_MS: '5000',
          WORKER_STALLED_INTERVAL_MS: '1000',
          SYNC_LEASE_TTL_MS: '3000',
        },
      });
      children.push(child);
      return child;
    };
    try {
      const { id } = h.sandbox.createIntegration({ sizes: { employees: PAGES * 20 } });
      h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 40 });
      const requests = () => h.sandbox.stats().byIntegration[id]?.requests ?? 0;
      const first = start();
      await h.trigger(id, createdIntent(id));
      await waitFor('70 % of the pass', async () => (requests() >= 14 ? true : undefined), 60_000);
      first.kill('SIGKILL');
      await once(first, 'exit');
      const pass = (await getOpenPasses(h.database, id)).get(MODEL);
      expect(pass?.pages).toBeGreaterThanOrEqual(14 - SLACK);
      const before = requests();
      start();
      await h.waitForIdle(60_000);
      h.sandbox.setFaults({});

      // Besides the pages after the checkpoint, at most GET /integrations/{id} of the recovered run and the two
      // field-definition listings read once the initial sync succeeded.
      const others = 1 + FIELD_DEFINITION_LISTINGS;
      expect(requests() - before).toBeLessThanOrEqual(PAGES - (pass?.pages ?? 0) + others);
      expect(requests()).toBeLessThanOrEqual(PAGES + SLACK + others);
      await h.expectExact(id, [MODEL]);
      const runs = await getRecentRuns(h.database, id);
      expect(runs.map((run) => run.status)).toEqual(['succeeded', 'abandoned']);
    } finally {
      await h.close();
    }
  }, 120_000);
});

describe('Postgres crashes mid-pass', () => {
  it('the pass whose seen ids are gone starts over; nothing live is marked deleted', async () => {
    const postgres = await startPostgres();
    const h = await createHarness(
      { enabledModels: [MODEL], jobBackoffMs: 1_500 },
      { databaseServerUrl: postgres.url },
    );
    try {
      let pages = 0;
      let onPage: ((page: number) => void) | undefined = undefined;
      h.startWorker({
        kombo: {
          onRequest: (event) => {
            if (event.model !== MODEL || event.status !== 200) return;
            pages += 1;
            onPage?.(pages);
          },
        },
      });
      const { id } = h.sandbox.createIntegration({ sizes: { employees: PAGES * 20 } });
      await h.trigger(id, createdIntent(id));
      await h.waitForIdle();

      pages = 0;
      onPage = (page) => {
        if (page === 8) h.sandbox.injectFault({ fault: 'server_error', integrationId: id, model: MODEL });
      };
      await h.trigger(id, { full: true, models: 'all', triggers: ['manual'] });
      const pass = await waitFor('the interrupted pass', async () => {
        const [run] = await getRecentRuns(h.database, id, 1);
        return run?.kind === 'full' && run.status === 'failed'
          ? (await getOpenPasses(h.database, id)).get(MODEL)
          : undefined;
      });
      expect(pass.pages).toBeGreaterThan(0);
      // Crash recovery empties the UNLOGGED sync_seen_ids: the ids the pass saw unchanged are gone.
      await postgres.restart({ mode: 'immediate' });
      const pagesBefore = pages;
      await h.waitForIdle(60_000);

      expect(pages - pagesBefore).toBe(PAGES);
      const [run] = await getRecentRuns(h.database, id, 1);
      expect(run).toMatchObject({ status: 'succeeded', kind: 'full' });
      const deleted = await h.database.pool.query(
        `SELECT count(*) AS n FROM hris_employees WHERE integration_id = $1 AND remote_deleted_at IS NOT NULL`,
        [id],
      );
      expect(Number(deleted.rows[0]?.n)).toBe(0);
      await h.expectExact(id, [MODEL]);
    } finally {
      await h.close();
      await postgres.stop();
    }
  }, 120_000);
});
