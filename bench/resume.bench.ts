/**
 * Pages Kombo serves again after a worker process is SIGKILLed at ~90 % of a large full sync (hris_employees only,
 * built worker): the recovered job resumes the pass at its checkpoint. Baseline, in the same run: the same kill with
 * the checkpoint removed before recovery, i.e. a pass that restarts from page 1, as every killed pass did before
 * checkpoints.
 */
import {
  createTrigger,
  isAlive,
  lastRunId,
  newQueuePrefix,
  startWorker,
  type WorkerBenchOptions,
} from './fleet.js';
import { k, type SectionContext } from './report.js';
import { print } from './services.js';

const PAGE_SIZE = 250;

export interface ResumeVariant {
  /** Pages of one whole pass. */
  passPages: number;
  /** Pages (requests) served when the worker was killed. */
  pagesAtKill: number;
  /** Pages of the listing the pass had checkpointed when it was killed. */
  checkpointed: number;
  /** Pages served in all, both runs, beyond one whole pass. */
  refetched: number;
  /** Seconds from the kill until the recovered run succeeded. */
  recoverySeconds: number;
}

export interface ResumeResult {
  records: number;
  resumed: ResumeVariant;
  restarted: ResumeVariant;
}

interface StatsBody {
  byIntegration: Record<string, { requests: number } | undefined>;
}

async function runOnce(opts: WorkerBenchOptions, shouldKeepCheckpoint: boolean): Promise<ResumeVariant> {
  const { sandbox, database, records } = opts;
  const { id } = await sandbox.admin<{ id: string }>('POST', '/integrations', {
    tool: 'hibob',
    sizes: { employees: records },
  });
  const queuePrefix = newQueuePrefix();
  // A killed worker's job is recovered once its BullMQ lock and its lease expire: keep both short. One run until
  // the kill, no time slices: each slice's run and catch-up would count among the requests besides the pages.
  const env = {
    WORKER_LOCK_DURATION_MS: '5000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    SYNC_LEASE_TTL_MS: '3000',
    SYNC_BULK_SLICE_MS: '0',
  };
  const common = { sandbox, databaseUrl: opts.databaseUrl, redisUrl: opts.redisUrl, queuePrefix, env };
  const requests = async (): Promise<number> =>
    (await sandbox.admin<StatsBody>('GET', '/stats')).byIntegration[id]?.requests ?? 0;
  const passPages = Math.ceil(records / PAGE_SIZE);
  const trigger = createTrigger(opts.redisUrl, queuePrefix);
  const first = await startWorker(common);
  let second: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    const before = await lastRunId(database);
    await trigger.sync(id, true);
    // Every run of a full intent also reads GET /integrations/{id} once: one request besides the pages.
    const killAt = Math.round(passPages * 0.9) + 1;
    while ((await requests()) < killAt) await new Promise((resolve) => setTimeout(resolve, 10));
    process.kill(first.pid, 'SIGKILL');
    while (isAlive(first.pid)) await new Promise((resolve) => setTimeout(resolve, 10));
    const killedAt = Date.now();
    const pagesAtKill = (await requests()) - 1;
    const { rows } = await database.pool.query<{ pages: number }>(
      `SELECT pages FROM sync_passes WHERE integration_id = $1`,
      [id],
    );
    const checkpointed = rows[0]?.pages ?? 0;
    if (!shouldKeepCheckpoint)
      await database.pool.query(`DELETE FROM sync_passes WHERE integration_id = $1`, [id]);
    second = await startWorker(common);
    const deadline = Date.now() + Math.max(600_000, records * 5);
    for (;;) {
      const { rows: done } = await database.pool.query<{ id: string }>(
        `SELECT id FROM sync_runs WHERE integration_id = $1 AND id > $2 AND status = 'succeeded' LIMIT 1`,
        [id, before],
      );
      if (done.length > 0) break;
      if (Date.now() > deadline) throw new Error(`the recovered sync of ${id} did not succeed in time`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    const { rows: runs } = await database.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM sync_runs WHERE integration_id = $1 AND id > $2`,
      [id, before],
    );
    const pages = (await requests()) - Number(runs[0]?.n ?? 0);
    return { passPages, pagesAtKill, checkpointed, refetched: pages - passPages, recoverySeconds };
  } finally {
    await trigger.close();
    if (isAlive(first.pid)) await first.stop();
    await second?.stop();
  }
}

export async function benchResume(opts: WorkerBenchOptions): Promise<ResumeResult> {
  const describe = (label: string, v: ResumeVariant): string =>
    `${label}: killed after ${v.pagesAtKill} of ${v.passPages} pages (checkpoint at ${v.checkpointed}), ` +
    `${v.refetched} pages fetched again (${((v.refetched / v.passPages) * 100).toFixed(1)} %), ` +
    `recovered run done ${v.recoverySeconds.toFixed(1)} s after the kill`;
  const resumed = await runOnce(opts, true);
  print(describe('resume from the checkpoint', resumed));
  const restarted = await runOnce(opts, false);
  print(describe('restart from page 1 (no checkpoint)', restarted));
  return { records: opts.records, resumed, restarted };
}

/**
 * The resume section: a worker process SIGKILLed at ~90 % of a full sync; the recovered job resumes at the
 * checkpoint. Baseline: the same kill with the checkpoint removed (the pass restarts from page 1, as before
 * checkpoints).
 */
export async function resumeSection({ fleet, sizes, row }: SectionContext): Promise<void> {
  const r = await benchResume({
    ...fleet,
    records: sizes.resumeRecords,
  });
  const pct = (v: { refetched: number; passPages: number }) =>
    +((v.refetched / v.passPages) * 100).toFixed(1);
  row({
    name: `resume: pages fetched again after a SIGKILL at 90 % of a ${k(r.records)}-record full sync`,
    value: pct(r.resumed),
    unit: '% of the pass',
    baseline: { name: 'restart from page 1, % of the pass', value: pct(r.restarted) },
    ratio: r.resumed.refetched / Math.max(1, r.restarted.refetched),
    target: '≤ 15 %',
    isMet: pct(r.resumed) <= 15,
  });
}
