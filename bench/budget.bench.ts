/**
 * The fleet-wide request budget: the real worker processes against the sandbox with plenty of work (full syncs of
 * big integrations, small pages), the request rate counted at the sandbox over a window. Measured twice with the
 * same processes and work: without a budget (the unbounded rate, the baseline) and with
 * KOMBO_MAX_REQUESTS_PER_SECOND.
 */
import { createTrigger, newQueuePrefix, startWorker, type FleetProcess } from './fleet.js';
import type { SectionContext } from './report.js';
import { print, type SandboxProcess } from './services.js';

export interface FleetRate {
  requests: number;
  seconds: number;
  perSecond: number;
}

export interface BudgetResult {
  workers: number;
  budgetPerSecond: number;
  unbounded: FleetRate;
  budgeted: FleetRate;
}

/** Sizes of the fleet and its work: 8 integrations of 200k employees at 10 per page never run out in a window. */
const INTEGRATIONS = 8;
const EMPLOYEES = 200_000;
const PAGE_SIZE = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measureFleet(
  opts: { sandbox: SandboxProcess; databaseUrl: string; redisUrl: string; workers: number },
  {
    env,
    warmupS,
    windowS,
    label,
  }: { env: Record<string, string>; warmupS: number; windowS: number; label: string },
): Promise<FleetRate> {
  const { sandbox } = opts;
  const queuePrefix = newQueuePrefix();
  const integrationIds: string[] = [];
  for (let i = 0; i < INTEGRATIONS; i++) {
    const { id } = await sandbox.admin<{ id: string }>('POST', '/integrations', {
      tool: 'hibob',
      sizes: { employees: EMPLOYEES },
    });
    integrationIds.push(id);
  }
  const workers: FleetProcess[] = [];
  const trigger = createTrigger(opts.redisUrl, queuePrefix);
  try {
    for (let i = 0; i < opts.workers; i++) {
      workers.push(
        await startWorker({
          sandbox,
          databaseUrl: opts.databaseUrl,
          redisUrl: opts.redisUrl,
          queuePrefix,
          env: {
            WORKER_CONCURRENCY: '4',
            SYNC_CONCURRENCY_PER_INTEGRATION: '2',
            SYNC_PAGE_SIZE: String(PAGE_SIZE),
            ...env,
          },
        }),
      );
    }
    for (const id of integrationIds) await trigger.sync(id, true);
    await sleep(warmupS * 1000);
    await sandbox.admin('POST', '/stats/reset');
    const startedAt = performance.now();
    await sleep(windowS * 1000);
    const { requests } = await sandbox.admin<{ requests: number }>('GET', '/stats');
    const seconds = (performance.now() - startedAt) / 1000;
    const rate = { requests, seconds, perSecond: requests / seconds };
    print(
      `${label}: ${requests} requests at the sandbox in ${seconds.toFixed(1)} s = ${rate.perSecond.toFixed(2)} req/s ` +
        `(${opts.workers} workers)`,
    );
    return rate;
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await trigger.close();
  }
}

export async function benchRequestBudget(opts: {
  sandbox: SandboxProcess;
  databaseUrl: string;
  redisUrl: string;
  workers: number;
  budgetPerSecond: number;
  windowS: number;
  baselineWindowS: number;
  warmupS: number;
}): Promise<BudgetResult> {
  const unbounded = await measureFleet(opts, {
    env: {},
    warmupS: opts.warmupS,
    windowS: opts.baselineWindowS,
    label: 'no budget',
  });
  const budgeted = await measureFleet(opts, {
    env: { KOMBO_MAX_REQUESTS_PER_SECOND: String(opts.budgetPerSecond) },
    warmupS: opts.warmupS,
    windowS: opts.windowS,
    label: `budget ${opts.budgetPerSecond} req/s`,
  });
  return { workers: opts.workers, budgetPerSecond: opts.budgetPerSecond, unbounded, budgeted };
}

/** The budget section: the fleet's request rate with the request budget, and without it as the baseline. */
export async function budgetSection({
  sandbox,
  bench,
  redisUrl,
  sizes,
  row,
  compared,
}: SectionContext): Promise<void> {
  const budgetPerSecond = 20;
  const r = await benchRequestBudget({
    sandbox,
    databaseUrl: bench.url,
    redisUrl,
    workers: 3,
    budgetPerSecond,
    windowS: sizes.budgetWindowS,
    baselineWindowS: Math.max(3, Math.round(sizes.budgetWindowS / 3)),
    warmupS: 5,
  });
  const ratio = r.budgeted.perSecond / budgetPerSecond;
  row({
    name: `fleet: request rate vs budget (${r.workers} workers, ${budgetPerSecond} req/s, ${Math.round(r.budgeted.seconds)} s at the sandbox)`,
    value: r.budgeted.perSecond,
    unit: 'req/s',
    baseline: { name: 'budget', value: budgetPerSecond },
    ratio,
    target: '0.95–1.05× (±5 %, ≥ 90 % used)',
    isMet: ratio >= 0.95 && ratio <= 1.05,
  });
  compared(
    `fleet: request rate without a budget (same ${r.workers} workers and work)`,
    r.unbounded.perSecond,
    'req/s',
    { name: 'budget', value: budgetPerSecond },
    '≥ 1.5× (the budget binds)',
    (x) => x >= 1.5,
  );
}
