// A rolling deploy on real worker processes: two workers, a 40,000-employee initial sync with Kombo latency, SIGTERM
// to the worker holding it mid-pass. It exits 0 before its shutdown timeout, its run is `interrupted`, its lease is
// released at once (the lease and the job lock are far longer than the test: only the hand-back lets the peer in),
// the peer continues the pass at its checkpoint, the models that had finished are not synced again, at most one
// page is fetched twice, and `kombo-sync verify` finds the mirror exact.
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getOpenPasses, getRecentRuns } from '@kombo-sync/db';
import {
  API_KEY,
  createdIntent,
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  waitFor,
  type WorkerHarness,
} from '@kombo-sync/worker/testing';

const EMPLOYEES = 40_000;
const SHUTDOWN_TIMEOUT_MS = 20_000;
/** Far longer than the test waits for the peer: a peer that got in did so because the lease was released. */
const LEASE_TTL_MS = 120_000;
const CLI = fileURLToPath(new URL('../apps/cli/bin/kombo-sync.mjs', import.meta.url));

let h: WorkerHarness;
const children: ChildProcess[] = [];

beforeAll(async () => {
  h = await createHarness({ enabledModels: [...HRIS_TEST_MODELS] });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  h.sandbox.setFaults({});
  await h.close();
});

function startWorker(): ChildProcess {
  const child = spawnWorkerProcess(h, {
    env: {
      SYNC_PAGE_SIZE: '250',
      WORKER_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      SYNC_LEASE_TTL_MS: String(LEASE_TTL_MS),
      WORKER_LOCK_DURATION_MS: String(LEASE_TTL_MS),
      WORKER_STALLED_INTERVAL_MS: String(LEASE_TTL_MS),
      // No time slices: the one hand-over of the pass is the SIGTERM's.
      SYNC_BULK_SLICE_MS: '0',
    },
  });
  children.push(child);
  return child;
}

/** How long this test waits for the pass to reach a point. */
const PASS_WAIT_MS = 120_000;

/** `kombo-sync verify <id>` as an operator runs it; resolves with its exit code and output. */
function verify(id: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env['PATH'] ?? '',
    DATABASE_URL: h.testDb.url,
    REDIS_URL: h.redisUrl,
    QUEUE_PREFIX: h.prefix,
    KOMBO_API_URL: h.api.url,
    KOMBO_API_KEY: API_KEY,
  };
  return new Promise((resolve) => {
    const args = [CLI, 'verify', id, '--models', HRIS_TEST_MODELS.join(',')];
    execFile(process.execPath, args, { env, timeout: 300_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr: err && code === -1 ? `${err.message}\n${stderr}` : stderr });
    });
  });
}

describe('a rolling deploy replaces the worker holding a pass', () => {
  it('SIGTERM: the run is interrupted, the peer continues the pass at once, nothing is fetched twice', async () => {
    const { id } = h.sandbox.createIntegration({
      sizes: { employees: EMPLOYEES, hris_employments: 500, hris_groups: 20 },
    });
    h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 40 });
    const workers = [startWorker(), startWorker()];
    await h.trigger(id, createdIntent(id));
    // Mid-pass of hris_employees (160 pages), once the small models finished.
    const holderPid = await waitFor(
      'a third of the pass',
      async () => {
        const pass = (await getOpenPasses(h.database, id)).get('hris_employees');
        if (!pass || pass.pages < 50) return undefined;
        const { rows } = await h.database.pool.query<{ holder: string }>(
          `SELECT holder FROM sync_leases WHERE integration_id = $1`,
          [id],
        );
        return Number(/:(\d+)\//.exec(rows[0]?.holder ?? '')?.[1]);
      },
      PASS_WAIT_MS,
    );
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.counts['hris_employments']?.status).toBe('succeeded');
    expect(run?.counts['hris_groups']?.status).toBe('succeeded');
    const holder = workers.find((worker) => worker.pid === holderPid);
    if (!holder) throw new Error(`no worker process ${holderPid} holds the lease`);

    const stoppedAt = Date.now();
    holder.kill('SIGTERM');
    const [code] = (await once(holder, 'exit')) as [number | null];
    const exitedAfterMs = Date.now() - stoppedAt;
    expect(code).toBe(0);
    expect(exitedAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    const interrupted = (await getRecentRuns(h.database, id, 5)).find((r) => r.id === run?.id);
    expect(interrupted).toMatchObject({ status: 'interrupted', error: 'SYNC.INTERRUPTED: shutdown' });

    const continued = await waitFor(
      'the peer to continue the pass',
      async () => {
        const [latest] = await getRecentRuns(h.database, id, 1);
        return latest && latest.id !== run?.id ? latest : undefined;
      },
      PASS_WAIT_MS,
    );
    // Figures only (timings belong in bench/, see `deploy:` rows); the lease's TTL bounds what a stalled job would take.
    const resumedAfterS = (continued.startedAt.getTime() - stoppedAt) / 1000;
    process.stdout.write(
      `worker exited ${exitedAfterMs} ms after SIGTERM; peer resumed after ${resumedAfterS} s\n`,
    );
    expect(resumedAfterS * 1000).toBeLessThan(LEASE_TTL_MS);

    await h.waitForIdle(180_000);
    h.sandbox.setFaults({});
    const runs = await getRecentRuns(h.database, id, 5);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'interrupted']);
    // The peer synced only what was left: the pass of hris_employees, none of the models that had finished.
    expect(Object.keys(runs[0]?.counts ?? {})).toEqual(['hris_employees']);
    expect(h.sandbox.stats().byIntegration[id]?.repeatedPages).toBeLessThanOrEqual(1);
    const verified = await verify(id);
    expect(verified).toMatchObject({ code: 0 });
  }, 600_000);
});
