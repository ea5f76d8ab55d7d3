/**
 * A rolling deploy replaces the worker holding a large full sync (hris_employees only, built worker, production
 * timeouts and the sandbox slowed down like Kombo): two worker processes; when half the pass is checkpointed the one
 * holding the integration's lease gets SIGTERM (it yields at the page boundary, closes its run interrupted, releases
 * the lease and hands the work back), and the peer continues. Figures: pages the sandbox served again (list requests
 * whose exact URL it had served before for the integration), and the seconds from the signal until a run of the
 * peer started on the pass. Baseline, in the same run: the same worker SIGKILLed instead, recovered as a stalled job
 * once its BullMQ lock and its lease expire (what a worker that cannot hand its work back costs).
 */
import {
  createTrigger,
  isAlive,
  lastRunId,
  newQueuePrefix,
  startWorker,
  type FleetProcess,
  type WorkerBenchOptions,
} from './fleet.js';
import { k, type SectionContext } from './report.js';
import { print } from './services.js';

export interface DeployVariant {
  /** Pages of one whole pass. */
  passPages: number;
  /** Pages of the pass checkpointed when the worker was stopped. */
  checkpointed: number;
  /** List pages the sandbox served more than once. */
  pagesAgain: number;
  /** Seconds from the signal until the peer's run of the pass started. */
  continuedAfterS: number;
  /** Seconds from the signal until the stopped worker's process was gone. */
  exitedAfterS: number;
}

export interface DeployResult {
  records: number;
  sigterm: DeployVariant;
  sigkill: DeployVariant;
}

interface StatsBody {
  byIntegration: Record<string, { requests: number; repeatedPages?: number } | undefined>;
}

const PAGE_SIZE = 250;
const LATENCY_MS = 50;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runOnce(opts: WorkerBenchOptions, signal: 'SIGTERM' | 'SIGKILL'): Promise<DeployVariant> {
  const { sandbox, database, records } = opts;
  const { id } = await sandbox.admin<{ id: string }>('POST', '/integrations', {
    tool: 'hibob',
    sizes: { employees: records },
  });
  await sandbox.admin('PUT', '/faults', {
    probability: { latency: 1 },
    integrationIds: [id],
    latencyMs: LATENCY_MS,
  });
  const queuePrefix = newQueuePrefix();
  // Production defaults for the lock, the stalled check, the lease and the shutdown timeout; no time slices, so the
  // run that continues the pass is the peer taking over, not the next slice.
  const env = { SYNC_BULK_SLICE_MS: '0' };
  const common = { sandbox, databaseUrl: opts.databaseUrl, redisUrl: opts.redisUrl, queuePrefix, env };
  const passPages = Math.ceil(records / PAGE_SIZE);
  const trigger = createTrigger(opts.redisUrl, queuePrefix);
  const workers: FleetProcess[] = [await startWorker(common), await startWorker(common)];
  try {
    const before = await lastRunId(database);
    await trigger.sync(id, true);
    let checkpointed = 0;
    let holderPid = 0;
    while (checkpointed < passPages / 2 || holderPid === 0) {
      await pause(50);
      const { rows } = await database.pool.query<{ pages: number | null; holder: string | null }>(
        `SELECT (SELECT pages FROM sync_passes WHERE integration_id = $1) AS pages,
           (SELECT holder FROM sync_leases WHERE integration_id = $1) AS holder`,
        [id],
      );
      checkpointed = rows[0]?.pages ?? 0;
      holderPid = Number(/:(\d+)\//.exec(rows[0]?.holder ?? '')?.[1] ?? 0);
    }
    const { rows: running } = await database.pool.query<{ id: string }>(
      `SELECT id FROM sync_runs WHERE integration_id = $1 AND id > $2 ORDER BY id DESC LIMIT 1`,
      [id, before],
    );
    const stoppedRunId = Number(running[0]?.id);
    const stoppedAt = Date.now();
    process.kill(holderPid, signal);
    let exitedAfterS = 0;
    let continuedAfterS = 0;
    for (;;) {
      if (exitedAfterS === 0 && !isAlive(holderPid)) exitedAfterS = (Date.now() - stoppedAt) / 1000;
      if (continuedAfterS === 0) {
        const { rows } = await database.pool.query<{ id: string }>(
          `SELECT id FROM sync_runs WHERE integration_id = $1 AND id > $2 LIMIT 1`,
          [id, stoppedRunId],
        );
        if (rows.length > 0) continuedAfterS = (Date.now() - stoppedAt) / 1000;
      }
      const { rows: done } = await database.pool.query<{ id: string }>(
        `SELECT id FROM sync_runs WHERE integration_id = $1 AND id > $2 AND status = 'succeeded' LIMIT 1`,
        [id, stoppedRunId],
      );
      if (done.length > 0 && exitedAfterS > 0) break;
      if (Date.now() - stoppedAt > Math.max(600_000, records * 10))
        throw new Error(`the pass of ${id} did not finish after the ${signal}`);
      await pause(50);
    }
    const stats = await sandbox.admin<StatsBody>('GET', '/stats');
    return {
      passPages,
      checkpointed,
      pagesAgain: stats.byIntegration[id]?.repeatedPages ?? 0,
      continuedAfterS,
      exitedAfterS,
    };
  } finally {
    await sandbox.admin('PUT', '/faults', {});
    await trigger.close();
    for (const worker of workers) if (isAlive(worker.pid)) await worker.stop();
  }
}

export async function benchDeploy(opts: WorkerBenchOptions): Promise<DeployResult> {
  const describe = (label: string, v: DeployVariant): string =>
    `${label}: stopped with ${v.checkpointed} of ${v.passPages} pages checkpointed; gone after ` +
    `${v.exitedAfterS.toFixed(1)} s; the peer continued after ${v.continuedAfterS.toFixed(1)} s; ` +
    `${v.pagesAgain} pages fetched again`;
  const sigterm = await runOnce(opts, 'SIGTERM');
  print(describe('SIGTERM (yield, hand back)', sigterm));
  const sigkill = await runOnce(opts, 'SIGKILL');
  print(describe('SIGKILL (stalled-job recovery)', sigkill));
  return { records: opts.records, sigterm, sigkill };
}

/**
 * The deploy section, a rolling deploy: the worker holding a full sync gets SIGTERM at half the pass and a peer
 * continues it. Baseline: the same worker SIGKILLed, recovered as a stalled job (production lock, stall check and
 * lease).
 */
export async function deploySection({ fleet, sizes, row }: SectionContext): Promise<void> {
  const r = await benchDeploy({
    ...fleet,
    records: sizes.deployRecords,
  });
  row({
    name: `deploy: pages fetched again when the worker holding a ${k(r.records)}-record pass is replaced (SIGTERM)`,
    value: r.sigterm.pagesAgain,
    unit: 'pages',
    baseline: { name: 'SIGKILL and stalled-job recovery', value: r.sigkill.pagesAgain },
    ratio: r.sigterm.pagesAgain / Math.max(1, r.sigkill.pagesAgain),
    target: '≤ 1 page',
    isMet: r.sigterm.pagesAgain <= 1,
  });
  row({
    name: 'deploy: seconds from SIGTERM to the pass continuing on a peer',
    value: r.sigterm.continuedAfterS,
    unit: 's',
    baseline: { name: 'SIGKILL and stalled-job recovery', value: r.sigkill.continuedAfterS },
    ratio: r.sigterm.continuedAfterS / r.sigkill.continuedAfterS,
    target: '≤ 5 s',
    isMet: r.sigterm.continuedAfterS <= 5,
  });
}
