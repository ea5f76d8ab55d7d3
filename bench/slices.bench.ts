/**
 * A fair share of the bulk lane, measured on the real worker process: large integrations are created (their initial
 * syncs fill the bulk lane, every Kombo request slowed), then small integrations are created one trial at a time
 * and timed from their creation until their first row is in Postgres; meanwhile, how long each large initial sync
 * took from its creation, and the bulk throughput (records of the large syncs over the time until the last one
 * finished).
 *
 * `mode: 'sliced'` is the fleet as configured (`SYNC_BULK_SLICE_MS` from `workerEnv`, new integrations through the
 * onboarding lane, as `requestSync` routes them). `mode: 'unsliced'` is the baseline: slicing off
 * (`SYNC_BULK_SLICE_MS=0`) and every new integration's job put in the bulk lane at the initial-sync priority, as
 * before the onboarding lane; a small integration then waits for a bulk slot, so each round of large syncs yields
 * one trial and is created afresh for the next.
 */
import type { Database } from '@kombo-sync/db';
import {
  closeSyncQueues,
  createRedis,
  createSyncQueues,
  ensureSyncJob,
  recordIntent,
  requestSync,
  type Intent,
  type RedisConnection,
  type SyncQueues,
} from '@kombo-sync/queue';
import { newQueuePrefix, startWorker } from './fleet.js';
import { print, type SandboxProcess } from './services.js';

export interface SlicesOptions {
  sandbox: SandboxProcess;
  database: Database;
  databaseUrl: string;
  redisUrl: string;
  mode: 'sliced' | 'unsliced';
  /** Large integrations whose initial syncs hold the bulk lane (4). */
  bigIntegrations: number;
  /** Employees of each large integration (40,000). */
  bigEmployees: number;
  /** Trials: new small integrations timed to their first row, one after another. */
  trials: number;
  /** New integrations created at once per trial (1; more for the burst variant), all timed. */
  perTrial?: number;
  /** Employees of each new integration of a trial (10). */
  smallEmployees?: number;
  /** Latency the sandbox adds to every request, ms (50). */
  apiLatencyMs?: number;
  /**
   * Existing integrations (synced once before the large ones are created) that get a manual full resync together
   * with the large initial syncs: the variant where bulk work is not only new integrations. Default 0.
   */
  resyncs?: number;
  /** Extra worker environment (e.g. `SYNC_BULK_SLICE_MS`). */
  workerEnv?: Record<string, string>;
}

export interface SlicesResult {
  /** Milliseconds from each new integration's creation to its first row in Postgres, every trial. */
  firstRowMs: number[];
  /** Seconds from each large integration's creation to the end of its initial sync (first round). */
  bigSeconds: number[];
  /** Records of the large syncs (first round) per second, until the last of them finished. */
  bulkRecordsPerSecond: number;
  /** Trials taken while fewer large syncs than bulk slots were still running (their figure flatters). */
  trialsAfterBulkDrained: number;
  /** How the large syncs' runs used the bulk slots (first round). */
  slotUse: SlotUse;
}

/** How the large syncs' runs filled the bulk slots between the first creation and the last finish. */
export interface SlotUse {
  runs: number;
  /** Sum of the runs' durations over (bulk slots × the wall time): 1 when a run always held each slot. */
  busyFraction: number;
  /** Records the runs wrote per second of their own duration (the rate of one run). */
  recordsPerRunSecond: number;
}

const MODEL = 'hris_employees';
const BULK_SLOTS = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs: number, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(everyMs);
  }
}

export async function benchBulkSlices(opts: SlicesOptions): Promise<SlicesResult> {
  const { sandbox, database, mode } = opts;
  const perTrial = opts.perTrial ?? 1;
  const queuePrefix = newQueuePrefix();
  const worker = await startWorker({
    sandbox,
    databaseUrl: opts.databaseUrl,
    redisUrl: opts.redisUrl,
    queuePrefix,
    env: {
      WORKER_BULK_CONCURRENCY: String(BULK_SLOTS),
      ...opts.workerEnv,
      ...(mode === 'unsliced' ? { SYNC_BULK_SLICE_MS: '0' } : {}),
    },
  });
  const redis: RedisConnection = createRedis(opts.redisUrl, { role: 'client' });
  const queues = createSyncQueues(redis, { prefix: queuePrefix });
  const create = (employees: number) =>
    createIntegration({ sandbox, redis, queues, prefix: queuePrefix, mode }, employees);
  try {
    const existing: string[] = [];
    for (let n = 0; n < (opts.resyncs ?? 0); n++) existing.push(await create(opts.bigEmployees));
    await until(() => allSynced(database, existing), 'existing integrations synced', 1_800_000, 500);
    if (opts.apiLatencyMs ?? 50)
      await sandbox.admin('PUT', '/faults', {
        probability: { latency: 1 },
        latencyMs: opts.apiLatencyMs ?? 50,
      });

    const firstRowMs: number[] = [];
    let firstRound: { bigSeconds: number[]; bulkRecordsPerSecond: number; slotUse: SlotUse } | undefined;
    let trialsAfterBulkDrained = 0;
    while (firstRowMs.length < opts.trials * perTrial) {
      const startedAt = performance.now();
      const bigs: string[] = [];
      for (const id of existing) await resync({ redis, queues, prefix: queuePrefix }, id);
      for (let n = 0; n < opts.bigIntegrations; n++) bigs.push(await create(opts.bigEmployees));
      // The bulk lane is held: every large sync has begun (committed rows) and the bulk slots are all taken. Or
      // the large syncs were too small to hold it (BENCH_QUICK on a fast machine): fewer than the slots are left,
      // and the trials that follow count as taken after the bulk lane drained.
      const isRoundOpen = () => unfinished(database, bigs).then((n) => n >= BULK_SLOTS);
      await until(
        async () =>
          !(await isRoundOpen()) ||
          ((await queues.bulk.getActiveCount()) >= BULK_SLOTS &&
            (mode === 'unsliced' || (await allHaveRows(database, bigs)))),
        'the large initial syncs hold the bulk lane',
        600_000,
        100,
      );
      do {
        if (!(await isRoundOpen())) trialsAfterBulkDrained += 1;
        const created = performance.now();
        const smalls = await Promise.all(
          Array.from({ length: perTrial }, () => create(opts.smallEmployees ?? 10)),
        );
        const times = await Promise.all(
          smalls.map(async (id) => {
            await until(() => hasRows(database, id), `first rows of ${id}`, 1_800_000, 20);
            return performance.now() - created;
          }),
        );
        firstRowMs.push(...times);
        print(
          `slices (${mode}): ${perTrial} new integration(s) of ${opts.smallEmployees ?? 10} employees, first rows ` +
            `after ${times.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`,
        );
        await until(() => allSynced(database, smalls), 'new integrations synced', 1_800_000, 100);
      } while (mode === 'sliced' && firstRowMs.length < opts.trials * perTrial);
      await until(() => allSynced(database, bigs), 'the large initial syncs finished', 3_600_000, 500);
      if (!firstRound) {
        const finished = await finishedAt(database, bigs);
        const endMs = Math.max(...finished.map((at) => at.getTime()));
        const beganMs = Date.now() - (performance.now() - startedAt);
        const bigSeconds = finished.map((at) => (at.getTime() - beganMs) / 1000);
        firstRound = {
          bigSeconds,
          bulkRecordsPerSecond: (bigs.length * opts.bigEmployees) / ((endMs - beganMs) / 1000),
          slotUse: await slotUse(database, bigs, (endMs - beganMs) / 1000, opts.bigEmployees),
        };
        if (process.env['BENCH_SLICES_TIMELINE'] === '1') await printTimeline(database, bigs, beganMs);
        print(
          `slices (${mode}): ${bigs.length} initial syncs of ${opts.bigEmployees} employees done after ` +
            `${bigSeconds.map((s) => s.toFixed(1)).join(', ')} s (${firstRound.bulkRecordsPerSecond.toFixed(0)} ` +
            `records/s); ${firstRound.slotUse.runs} runs kept the bulk slots busy ` +
            `${(firstRound.slotUse.busyFraction * 100).toFixed(0)} % of the time at ` +
            `${firstRound.slotUse.recordsPerRunSecond.toFixed(0)} records per run-second`,
        );
      }
    }
    return { firstRowMs, ...(firstRound as NonNullable<typeof firstRound>), trialsAfterBulkDrained };
  } finally {
    await sandbox.admin('PUT', '/faults', {}).catch(() => undefined);
    await worker.stop();
    await closeSyncQueues(queues);
    const keys = await redis.keys(`${queuePrefix}*`);
    for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
    await redis.quit();
  }
}

interface Fleet {
  redis: RedisConnection;
  queues: SyncQueues;
  prefix: string;
}

/**
 * A new sandbox integration and its `integration-created` work: through `requestSync` (sliced), or recorded and
 * put in the bulk lane at the initial-sync priority (unsliced: the routing before the onboarding lane).
 */
async function createIntegration(
  fleet: Fleet & { sandbox: SandboxProcess; mode: SlicesOptions['mode'] },
  employees: number,
): Promise<string> {
  const { id } = await fleet.sandbox.admin<{ id: string }>('POST', '/integrations', {
    tool: 'personio',
    sizes: { employees },
  });
  const intent: Partial<Intent> = {
    created: { id, tool: 'personio', category: 'HRIS' },
    full: true,
    triggers: ['integration-created'],
  };
  if (fleet.mode === 'sliced') {
    await requestSync(fleet, { integrationId: id, intent });
  } else {
    await recordIntent(fleet.redis, fleet.prefix, { integrationId: id, replayTtlSeconds: 1, intent });
    await ensureSyncJob(fleet.queues.bulk, id, { priority: 1 });
  }
  return id;
}

/** A manual full resync of an existing integration, as the CLI asks for it. */
async function resync(fleet: Fleet, integrationId: string): Promise<void> {
  await requestSync(fleet, { integrationId, intent: { models: 'all', full: true, triggers: ['manual'] } });
}

async function hasRows(database: Database, integrationId: string): Promise<boolean> {
  const { rowCount } = await database.pool.query(`SELECT 1 FROM ${MODEL} WHERE integration_id = $1 LIMIT 1`, [
    integrationId,
  ]);
  return (rowCount ?? 0) > 0;
}

async function allHaveRows(database: Database, ids: readonly string[]): Promise<boolean> {
  const { rows } = await database.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM integrations i
     WHERE i.id = ANY($1::text[]) AND EXISTS (SELECT 1 FROM ${MODEL} e WHERE e.integration_id = i.id)`,
    [ids],
  );
  return Number(rows[0]?.n ?? 0) === ids.length;
}

/** Of `ids`, how many have no succeeded run since the latest request (a run started after the newest one). */
async function unfinished(database: Database, ids: readonly string[]): Promise<number> {
  return ids.length - (await finishedAt(database, ids)).length;
}

async function allSynced(database: Database, ids: readonly string[]): Promise<boolean> {
  return (await unfinished(database, ids)) === 0;
}

/**
 * When each of `ids` last finished a run that succeeded and left no full pass open, i.e. its latest pass is done;
 * integrations with a later unfinished run count as not finished.
 */
async function finishedAt(database: Database, ids: readonly string[]): Promise<Date[]> {
  if (ids.length === 0) return [];
  const { rows } = await database.pool.query<{ at: Date }>(
    `SELECT r.finished_at AS at FROM (
       SELECT DISTINCT ON (integration_id) integration_id, status, finished_at FROM sync_runs
       WHERE integration_id = ANY($1::text[]) ORDER BY integration_id, id DESC
     ) r
     WHERE r.status = 'succeeded'
       AND NOT EXISTS (SELECT 1 FROM sync_passes p WHERE p.integration_id = r.integration_id)`,
    [ids],
  );
  return rows.map((row) => row.at);
}

/** How the runs of `ids` used the bulk slots over `wallSeconds`, each integration `records` large. */
async function slotUse(
  database: Database,
  ids: readonly string[],
  wallSeconds: number,
  records: number,
): Promise<SlotUse> {
  const { rows } = await database.pool.query<{ runs: string; seconds: number }>(
    `SELECT count(*) AS runs, coalesce(sum(extract(epoch FROM finished_at - started_at)), 0)::float8 AS seconds
     FROM sync_runs WHERE integration_id = ANY($1::text[]) AND finished_at IS NOT NULL`,
    [ids],
  );
  const seconds = rows[0]?.seconds ?? 0;
  return {
    runs: Number(rows[0]?.runs ?? 0),
    busyFraction: seconds / (BULK_SLOTS * wallSeconds),
    recordsPerRunSecond: (ids.length * records) / seconds,
  };
}

/** Every run of `ids`, from `beganMs`: when it started and ended, and the records it wrote (BENCH_SLICES_TIMELINE=1). */
async function printTimeline(database: Database, ids: readonly string[], beganMs: number): Promise<void> {
  const { rows } = await database.pool.query<{ integration_id: string; s: number; f: number; n: number }>(
    `SELECT integration_id, extract(epoch FROM started_at)::float8 * 1000 AS s,
            extract(epoch FROM finished_at)::float8 * 1000 AS f,
            coalesce((counts->'${MODEL}'->>'upserted')::int, 0) AS n
     FROM sync_runs WHERE integration_id = ANY($1::text[]) ORDER BY started_at`,
    [ids],
  );
  for (const row of rows)
    print(
      `  big ${ids.indexOf(row.integration_id)}: ${((row.s - beganMs) / 1000).toFixed(2)}–` +
        `${((row.f - beganMs) / 1000).toFixed(2)} s, ${row.n} records`,
    );
}
