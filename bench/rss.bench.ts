/**
 * Peak RSS of the real worker process (`apps/worker/src/main.ts`) during a full sync of one large integration
 * (hris_employees only), read from /proc/<pid>/status VmHWM once the run finished.
 */
import type { Database } from '@kombo-sync/db';
import { createTrigger, lastRunId, memoryOf, newQueuePrefix, startWorker, waitForRun } from './fleet.js';
import { k, type SectionContext } from './report.js';
import { print, timed, type SandboxProcess } from './services.js';

export interface RssResult {
  records: number;
  peakMiB: number;
  idleMiB: number;
  seconds: number;
  status: string;
}

export async function benchWorkerRss(opts: {
  sandbox: SandboxProcess;
  database: Database;
  databaseUrl: string;
  redisUrl: string;
  records: number;
}): Promise<RssResult> {
  const { sandbox, database, records } = opts;
  const queuePrefix = newQueuePrefix();
  const { id: integrationId } = await sandbox.admin<{ id: string }>('POST', '/integrations', {
    tool: 'hibob',
    sizes: { employees: records },
  });
  const worker = await startWorker({
    sandbox,
    databaseUrl: opts.databaseUrl,
    redisUrl: opts.redisUrl,
    queuePrefix,
  });
  const trigger = createTrigger(opts.redisUrl, queuePrefix);
  try {
    const idleMiB = memoryOf(worker.pid).rssMiB;
    const before = await lastRunId(database);
    let samplePeak = 0;
    const sampler = setInterval(() => {
      samplePeak = Math.max(samplePeak, memoryOf(worker.pid).rssMiB);
    }, 250);
    const { value: run, seconds } = await timed(async () => {
      await trigger.sync(integrationId, true);
      return waitForRun(database, integrationId, before, Math.max(600_000, records * 2));
    }).finally(() => clearInterval(sampler));
    const { peakMiB } = memoryOf(worker.pid);
    print(
      `worker RSS during a ${records}-record full sync: peak ${peakMiB.toFixed(0)} MiB (VmHWM; sampled max ` +
        `${samplePeak.toFixed(0)} MiB; ${idleMiB.toFixed(0)} MiB at start), run ${run.status} in ${seconds.toFixed(1)} s ` +
        `= ${Math.round(records / seconds)} records/s`,
    );
    return { records, peakMiB, idleMiB, seconds, status: run.status };
  } finally {
    await trigger.close();
    await worker.stop();
  }
}

/** The rss section: the worker's peak RSS over a large full sync. */
export async function rssSection({ fleet, sizes, row }: SectionContext): Promise<void> {
  const { rssRecords } = sizes;
  const r = await benchWorkerRss({
    ...fleet,
    records: rssRecords,
  });
  const peakMB = (r.peakMiB * 2 ** 20) / 1e6;
  row({
    name: `worker peak RSS, ${k(rssRecords)}-record full sync (${Math.round(r.records / r.seconds)} records/s, run ${r.status})`,
    value: peakMB,
    unit: 'MB',
    target: '< 300 MB',
    isMet: peakMB < 300 && r.status === 'succeeded',
  });
}
