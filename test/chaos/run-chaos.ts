// The end-to-end convergence run under chaos: the real fleet as separate processes (sandbox, ingress, workers), an
// own Redis with AOF (restarted mid-run) and an own Postgres database; mutations, webhook chaos, Kombo faults, worker
// SIGKILLs and clock skew; then quiet, a final webhook per integration, drain, and a row-by-row comparison of the
// mirror with the sandbox's truth. Used by chaos.int.test.ts (small) and `npm run test:chaos` (longer, by env).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ALL_MODEL_NAMES, getModel } from '@kombo-sync/catalog';
import {
  closeSyncQueues,
  createRedis,
  createSyncQueues,
  DEFAULT_QUEUE_PREFIX,
  intentKeys,
  laneQueues,
  removeSchedules,
  requestSync,
  requestSyncDeps,
  SCHEDULED_SYNC_JOB_NAME,
  type SyncQueues,
} from '@kombo-sync/queue';
import pg from 'pg';
import { freePort, startRedis, type LocalRedis } from '../../scripts/local-services.mjs';
import { Fleet, isProcessAlive, ROOT, waitForHttp, type FleetProcess } from '../support/fleet.js';
import { createRng, komboErrorsOf, runToCompletion, sleep } from './chaos-support.js';
import { compareMirror, type Integration, type TruthSource } from './compare-mirror.js';
import type { RedisConnection } from '@kombo-sync/queue';

export interface ChaosOptions {
  /** Seeds the sandbox data and every random choice of the run (printed for replay). */
  seed: number;
  /** Seconds of chaos (mutations, faults, kills). */
  durationS: number;
  /** Integrations (every third one ATS, every fifth LMS, the others HRIS). At least 20 in the shipped configurations. */
  integrations: number;
  /** Largest employee (candidate, LMS user) count of an integration; each gets between half of it and all of it. */
  employees: number;
  /** Worker processes. Default 3. */
  workers?: number;
  /** Worker SIGKILLs over the run. Default max(10, durationS / 6). */
  kills?: number;
  /**
   * The workers' bulk time slice (`SYNC_BULK_SLICE_MS`), ms: short, so full and initial passes are cut at page
   * boundaries and handed from run to run (and worker to worker) many times. Default 500.
   */
  sliceMs?: number;
  /** Postgres server URL on which the run's own database is created (and dropped). */
  databaseUrl: string;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

export interface ChaosResult {
  seed: number;
  /** The one summary line. */
  summary: string;
  counts: {
    integrations: number;
    mutations: number;
    webhooks: number;
    kills: number;
    redisRestarts: number;
    faults: number;
    rows: number;
    missing: number;
    stale: number;
    phantom: number;
  };
  /** The first differing rows, and anything else that did not converge (drain timeout, failed jobs). */
  problems: string[];
  /** Extra figures for the report (durations, failed jobs, deliveries). */
  details: Record<string, number | string>;
}

const API_KEY = 'chaos-sandbox-key';
const WEBHOOK_SECRET = 'chaos-webhook-secret';
const PREFIX = DEFAULT_QUEUE_PREFIX;
/** Kombo faults at about 7.5% of requests in total (the run's fault mix; `latency` exceeds the client timeout). */
const FAULT_PROBABILITY = {
  rate_limit_key: 0.008,
  rate_limit_integration: 0.008,
  concurrency_limit: 0.005,
  server_error: 0.01,
  bad_gateway: 0.005,
  unavailable: 0.005,
  latency: 0.006,
  hang: 0.006,
  malformed_json: 0.008,
  truncated_body: 0.005,
  schema_break: 0.005,
  repeat_cursor: 0.004,
};
const KOMBO_TIMEOUT_MS = 2_000;
const SAFETY_NET_INTERVAL_MS = 10_000;
const DRAIN_STABLE_MS = 3_000;
const DRAIN_TIMEOUT_MS = 180_000;

/**
 * One chaos run. `run()` sets everything up, runs the chaos and the comparison; `close()` (always call it, e.g. in
 * afterAll) kills every process, stops Redis, drops the database and returns the process groups still alive
 * (must be empty).
 */
export function createChaosRun(options: ChaosOptions): {
  run(): Promise<ChaosResult>;
  close(): Promise<number[]>;
  fleet: Fleet;
} {
  const log = options.log ?? (() => undefined);
  const rng = createRng(options.seed);
  const fleet = new Fleet();
  const workerCount = options.workers ?? 3;
  const killCount = options.kills ?? Math.max(10, Math.ceil(options.durationS / 6));
  const sliceMs = options.sliceMs ?? 500;
  let redisServer: LocalRedis | undefined;
  let redis: RedisConnection | undefined;
  let queues: SyncQueues | undefined;
  let adminPool: pg.Pool | undefined;
  let pool: pg.Pool | undefined;
  let databaseName: string | undefined;
  /** Last scraped Kombo error count per worker process (pid): the faults the fleet met. */
  const komboErrors = new Map<number, number>();

  const counts = {
    integrations: 0,
    mutations: 0,
    webhooks: 0,
    kills: 0,
    redisRestarts: 0,
    faults: 0,
    rows: 0,
    missing: 0,
    stale: 0,
    phantom: 0,
  };
  const details: Record<string, number | string> = {};
  const problems: string[] = [];

  let sandboxUrl = '';
  const admin = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sandboxUrl}/sandbox${route}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${route}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  let workerEnv: Record<string, string> = {};
  async function startWorker(index: number): Promise<FleetProcess> {
    const metricsPort = await freePort();
    const proc = fleet.start({
      name: `worker-${index}`,
      entry: 'apps/worker/src/main.ts',
      env: { ...workerEnv, WORKER_METRICS_PORT: String(metricsPort) },
    });
    await waitForHttp(`http://127.0.0.1:${metricsPort}/metrics`, { proc, timeoutMs: 60_000 });
    return proc;
  }
  const metricsUrlOf = (proc: FleetProcess): string =>
    `http://127.0.0.1:${proc.options.env['WORKER_METRICS_PORT']}/metrics`;

  async function scrapeFaults(proc: FleetProcess): Promise<void> {
    try {
      const response = await fetch(metricsUrlOf(proc), { signal: AbortSignal.timeout(1_500) });
      if (response.ok) komboErrors.set(proc.pid, komboErrorsOf(await response.text()));
    } catch {
      /* starting, or busy: the next scrape catches up */
    }
  }

  async function scanCount(pattern: string): Promise<number> {
    let cursor = '0';
    let total = 0;
    do {
      const [next, keys] = await redis!.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      total += keys.length;
    } while (cursor !== '0');
    return total;
  }

  /** Sync jobs waiting/active/delayed/prioritized, dirty integrations, pending and in-flight intents. */
  async function busyness(): Promise<{ jobs: number; dirty: number; pending: number; inFlight: number }> {
    // Delayed `scheduled-sync` jobs are the schedulers' next iterations, not work.
    let jobs = 0;
    for (const lane of laneQueues(queues!)) {
      const jobCounts = await lane.getJobCounts('waiting', 'active', 'prioritized');
      const delayed = await lane.getJobs(['delayed']);
      jobs +=
        Object.values(jobCounts).reduce((sum, n) => sum + n, 0) +
        delayed.filter((job) => job && job.name !== SCHEDULED_SYNC_JOB_NAME).length;
    }
    return {
      jobs,
      dirty: await redis!.scard(intentKeys.dirty(PREFIX)),
      pending: await scanCount(intentKeys.pending(PREFIX, '*')),
      inFlight: await scanCount(intentKeys.inFlight(PREFIX, '*')),
    };
  }

  /** Waits until nothing is queued or intended for `stableMs` in a row; false on timeout. */
  async function drain(
    stableMs: number,
    timeoutMs: number,
    extra?: () => Promise<boolean>,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let idleSince: number | undefined;
    let last = '';
    let lastReport = Date.now();
    while (Date.now() < deadline) {
      const state = await busyness();
      const isIdle =
        state.jobs + state.dirty + state.pending + state.inFlight === 0 && (!extra || (await extra()));
      last = JSON.stringify(state);
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        const delayed = (await Promise.all(laneQueues(queues!).map((lane) => lane.getJobs(['delayed']))))
          .flat()
          .filter((job) => job && job.name !== SCHEDULED_SYNC_JOB_NAME);
        log(
          `chaos: draining ${last} delayed: ${delayed
            .slice(0, 3)
            .map((job) => `${job.id} (attempts made ${job.attemptsMade})`)
            .join(' ')}`,
        );
      }
      if (isIdle) {
        idleSince ??= Date.now();
        if (Date.now() - idleSince >= stableMs) return true;
      } else idleSince = undefined;
      await sleep(200);
    }
    problems.push(`queue did not drain within ${timeoutMs} ms: last ${last}`);
    return false;
  }

  const truthSource = (): TruthSource => ({ sandboxUrl, apiKey: API_KEY, pool: pool!, admin });

  async function run(): Promise<ChaosResult> {
    const startedAt = Date.now();
    const { seed } = options;
    log(`chaos: seed=${seed} (replay with CHAOS_SEED=${seed})`);

    // Own Redis (AOF on) and own database.
    redisServer = await startRedis({ appendonly: true });
    redis = createRedis(redisServer.url, { role: 'worker' });
    redis.on('error', () => undefined);
    queues = createSyncQueues(redis, { prefix: PREFIX });
    for (const lane of laneQueues(queues)) lane.on('error', () => undefined);
    adminPool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
    databaseName = `chaos_${seed}_${randomBytes(3).toString('hex')}`;
    await adminPool.query(`CREATE DATABASE "${databaseName}"`);
    const databaseUrl = new URL(options.databaseUrl);
    databaseUrl.pathname = `/${databaseName}`;
    await runToCompletion(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      ['packages/db/src/migrate-cli.ts'],
      {
        DATABASE_URL: databaseUrl.toString(),
        LOG_LEVEL: 'warn',
      },
    );
    pool = new pg.Pool({ connectionString: databaseUrl.toString(), max: 2 });

    // The fleet. The sandbox's clock is skewed ±2 minutes against the workers.
    const [sandboxPort, ingressPort] = [await freePort(), await freePort()];
    const clockSkewMs = (rng.next() < 0.5 ? -1 : 1) * 120_000;
    sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const ingressUrl = `http://127.0.0.1:${ingressPort}`;
    const common = { LOG_LEVEL: 'warn', LOG_FORMAT: 'json', NODE_ENV: 'test' };
    const ingress = fleet.start({
      name: 'ingress',
      entry: 'apps/ingress/src/main.ts',
      env: {
        ...common,
        REDIS_URL: redisServer.url,
        QUEUE_PREFIX: PREFIX,
        KOMBO_WEBHOOK_SECRETS: WEBHOOK_SECRET,
        INGRESS_PORT: String(ingressPort),
        // Attempts are fixed when a job is added: the ingress adds most jobs, so it must agree with the workers.
        SYNC_JOB_ATTEMPTS: '2',
      },
    });
    const sandbox = fleet.start({
      name: 'sandbox',
      entry: 'apps/sandbox/src/main.ts',
      env: {
        ...common,
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_HOST: '127.0.0.1',
        SANDBOX_SEED: String(seed),
        SANDBOX_API_KEY: API_KEY,
        SANDBOX_CLOCK_SKEW_MS: String(clockSkewMs),
      },
    });
    workerEnv = {
      ...common,
      DATABASE_URL: databaseUrl.toString(),
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: redisServer.url,
      QUEUE_PREFIX: PREFIX,
      KOMBO_API_URL: `${sandboxUrl}/v1`,
      KOMBO_API_KEY: API_KEY,
      KOMBO_TIMEOUT_MS: String(KOMBO_TIMEOUT_MS),
      KOMBO_MAX_RETRIES: '0',
      KOMBO_MAX_RETRY_WAIT_MS: '2000',
      WORKER_CONCURRENCY: '4',
      SYNC_CONCURRENCY_PER_INTEGRATION: '2',
      SYNC_PAGE_SIZE: '10',
      SYNC_SAFETY_NET_INTERVAL_MS: String(SAFETY_NET_INTERVAL_MS),
      SYNC_FULL_INTERVAL_MS: '60000',
      SYNC_JOB_ATTEMPTS: '2',
      WORKER_LOCK_DURATION_MS: '5000',
      WORKER_STALLED_INTERVAL_MS: '2000',
      WORKER_SHUTDOWN_TIMEOUT_MS: '5000',
      SYNC_BULK_SLICE_MS: String(sliceMs),
      SYNC_BULK_SLICE_MIN_PAGES: '1',
    };
    await Promise.all([
      waitForHttp(`${ingressUrl}/healthz`, { proc: ingress, timeoutMs: 60_000 }),
      waitForHttp(`${sandboxUrl}/sandbox/stats`, {
        proc: sandbox,
        headers: { authorization: `Bearer ${API_KEY}` },
        timeoutMs: 60_000,
      }),
    ]);
    const workers: FleetProcess[] = [];
    for (let index = 0; index < workerCount; index++) workers.push(await startWorker(index));
    details['setupMs'] = Date.now() - startedAt;
    details['sliceMs'] = sliceMs;
    log(`chaos: fleet up in ${details['setupMs']} ms (skew ${clockSkewMs} ms, bulk slices of ${sliceMs} ms)`);

    // Integrations, created with clean webhooks so every integration-created arrives; then the first full syncs.
    const webhookUrl = `${ingressUrl}/webhooks/kombo`;
    await admin('PUT', '/webhooks', { url: webhookUrl, secret: WEBHOOK_SECRET });
    const integrations: Integration[] = [];
    for (let index = 0; index < options.integrations; index++) {
      const category = index % 3 === 2 ? 'ATS' : index % 5 === 4 ? 'LMS' : 'HRIS';
      const size = rng.int(Math.max(3, Math.floor(options.employees / 2)), Math.max(3, options.employees));
      const shorthand = { HRIS: 'employees', ATS: 'candidates', LMS: 'users' }[category];
      const { id } = await admin<{ id: string }>('POST', '/integrations', {
        category,
        sizes: { [shorthand]: size },
      });
      const models = ALL_MODEL_NAMES.filter((model) => getModel(model).category === category);
      integrations.push({ id, category, models });
    }
    counts.integrations = integrations.length;
    const allKnown = async (): Promise<boolean> =>
      Number((await pool!.query('SELECT count(*) AS n FROM integrations')).rows[0].n) >= integrations.length;
    if (!(await drain(1_000, 120_000, allKnown)))
      throw new Error(`initial syncs did not finish\n${fleet.tails()}`);
    details['initialSyncMs'] = Date.now() - startedAt - Number(details['setupMs']);
    log(`chaos: ${integrations.length} integrations created and synced; chaos for ${options.durationS} s`);

    // Chaos.
    await admin('PUT', '/webhooks', {
      url: webhookUrl,
      secret: WEBHOOK_SECRET,
      duplicateRate: 0.1,
      reorderRate: 0.1,
      dropRate: 0.1,
    });
    await admin('PUT', '/faults', { probability: FAULT_PROBABILITY, latencyMs: KOMBO_TIMEOUT_MS + 1_000 });
    const chaosStartedAt = Date.now();
    const chaosEndsAt = chaosStartedAt + options.durationS * 1000;
    const isChaos = (): boolean => Date.now() < chaosEndsAt;

    const mutationTask = (async () => {
      const kinds = ['updates', 'nestedUpdates', 'creates', 'deletes'] as const;
      const weights = [0.5, 0.25, 0.15, 0.1];
      while (isChaos()) {
        const integration = integrations[rng.int(0, integrations.length - 1)]!;
        const roll = rng.next();
        let acc = 0;
        const kind = kinds[weights.findIndex((weight) => (acc += weight) > roll)] ?? 'updates';
        // Mostly the default models (employees; candidates + applications), sometimes any model of the category.
        const models =
          rng.next() < 0.3 ? [integration.models[rng.int(0, integration.models.length - 1)]!] : undefined;
        const count = rng.int(1, 3);
        try {
          await admin('POST', `/integrations/${encodeURIComponent(integration.id)}/mutate`, {
            [kind]: count,
            ...(models ? { models } : {}),
          });
          counts.mutations += count;
        } catch (err) {
          problems.push(`mutation failed: ${(err as Error).message}`);
        }
        await sleep(rng.int(20, 120));
      }
    })();

    const killTimes = Array.from({ length: killCount }, () => 0.05 + rng.next() * 0.85)
      .sort((a, b) => a - b)
      .map((fraction) => chaosStartedAt + fraction * options.durationS * 1000);
    const killTask = (async () => {
      for (const at of killTimes) {
        if (at > Date.now()) await sleep(at - Date.now());
        const index = rng.int(0, workers.length - 1);
        const victim = workers[index]!;
        await scrapeFaults(victim);
        await victim.kill('SIGKILL');
        counts.kills += 1;
        workers[index] = await startWorker(index);
      }
    })();

    const redisTask = (async () => {
      await sleep(options.durationS * 1000 * (0.4 + rng.next() * 0.2));
      const { port, dir } = redisServer!;
      const stoppedAt = Date.now();
      await redisServer!.stop({ keepDir: true });
      await sleep(500);
      redisServer = await startRedis({ port, dir, appendonly: true });
      counts.redisRestarts += 1;
      details['redisDowntimeMs'] = Date.now() - stoppedAt;
    })();

    const scrapeTask = (async () => {
      while (isChaos()) {
        await Promise.all(workers.filter((proc) => proc.isRunning()).map(scrapeFaults));
        await sleep(1_000);
      }
    })();

    // allSettled: a failing task must not leave the others running (e.g. a Redis start) after close().
    const settled = await Promise.allSettled([mutationTask, killTask, redisTask, scrapeTask]);
    const failure = settled.find((outcome) => outcome.status === 'rejected');
    if (failure) throw new Error(`chaos task failed: ${String(failure.reason)}\n${fleet.tails()}`);
    await Promise.all(workers.map(scrapeFaults));
    details['chaosMs'] = Date.now() - chaosStartedAt;

    // Quiet: no mutations, no faults, clean webhooks; then one final sync-finished per integration.
    await admin('PUT', '/faults', {});
    await admin('PUT', '/webhooks', { url: webhookUrl, secret: WEBHOOK_SECRET });
    for (const proc of workers) {
      if (!proc.isRunning()) problems.push(`${proc.name} died on its own:\n${proc.tail()}`);
    }
    // The schedules stop so that the drain below is well defined: from here on only the final webhooks (and the
    // retries of jobs they or the chaos left) move the mirror.
    for (const integration of integrations) await removeSchedules(queues.delta, integration.id);
    const finalEventIds: string[] = [];
    for (const integration of integrations) {
      const { id } = await admin<{ id: string }>('POST', '/webhooks/send', {
        integrationId: integration.id,
        type: 'sync-finished',
      });
      finalEventIds.push(id);
    }
    const finalWebhooksArrived = async (): Promise<boolean> => {
      const seen = await redis!.exists(...finalEventIds.map((id) => intentKeys.seenEvent(PREFIX, id)));
      return seen === finalEventIds.length;
    };
    const drainStartedAt = Date.now();
    const isDrained = await drain(DRAIN_STABLE_MS, DRAIN_TIMEOUT_MS, finalWebhooksArrived);
    details['drainMs'] = Date.now() - drainStartedAt;
    const failed = (await Promise.all(laneQueues(queues).map((lane) => lane.getJobs(['failed'])))).flat();
    details['failedJobs'] = failed.length;
    if (!isDrained) {
      for (const job of failed.slice(0, 5)) problems.push(`failed job ${job.id}: ${job.failedReason}`);
    }

    const deltaTally = await compareMirror(truthSource(), integrations, 'delta');
    details['unreported'] = deltaTally.unreported;

    // A full pass per integration (the documented way to see what deltas cannot), then everything must be equal.
    for (const integration of integrations) {
      await requestSync(requestSyncDeps(redis, queues, { queuePrefix: PREFIX, jobAttempts: 4 }), {
        integrationId: integration.id,
        intent: { models: 'all', full: true, triggers: ['manual'] },
      });
    }
    const fullStartedAt = Date.now();
    if (!(await drain(DRAIN_STABLE_MS, DRAIN_TIMEOUT_MS))) problems.push('full passes did not drain');
    details['fullPassMs'] = Date.now() - fullStartedAt;
    const fullTally = await compareMirror(truthSource(), integrations, 'full');

    counts.rows = deltaTally.rows;
    counts.missing = deltaTally.missing + fullTally.missing;
    counts.stale = deltaTally.stale + fullTally.stale;
    counts.phantom = deltaTally.phantom + fullTally.phantom;
    const differing = [
      ...deltaTally.differing.map((line) => `after final webhooks: ${line}`),
      ...fullTally.differing.map((line) => `after full pass: ${line}`),
    ];
    problems.push(...differing.slice(0, 20));
    if (differing.length > 20) problems.push(`… and ${differing.length - 20} more differing rows`);
    counts.webhooks = await scanCount(intentKeys.seenEvent(PREFIX, '*'));
    counts.faults = [...komboErrors.values()].reduce((sum, n) => sum + n, 0);
    details['sandboxRequests'] = (await admin<{ requests: number }>('GET', '/stats')).requests;
    // Runs that ended a time slice: each handed its pass on to a later run, maybe another worker's.
    details['sliceEnds'] = Number(
      (await pool!.query(`SELECT count(*) AS n FROM sync_runs WHERE error = 'SYNC.INTERRUPTED: slice'`))
        .rows[0].n,
    );
    details['totalMs'] = Date.now() - startedAt;
    const summary =
      `chaos: seed=${seed} integrations=${counts.integrations} mutations=${counts.mutations} ` +
      `webhooks=${counts.webhooks} kills=${counts.kills} redisRestarts=${counts.redisRestarts} ` +
      `faults=${counts.faults} rows=${counts.rows} missing=${counts.missing} stale=${counts.stale} ` +
      `phantom=${counts.phantom} unreported=${deltaTally.unreported}`;
    if (problems.length > 0 && !isDrained) problems.push(`fleet output:\n${fleet.tails()}`);
    return { seed, summary, counts, problems, details };
  }

  async function close(): Promise<number[]> {
    await fleet.stopAll().catch(() => undefined);
    const leftovers = fleet.leftovers();
    if (queues) await closeSyncQueues(queues).catch(() => undefined);
    redis?.disconnect();
    await redisServer?.stop().catch(() => undefined);
    if (redisServer && isProcessAlive(redisServer.pid)) leftovers.push(redisServer.pid);
    await pool?.end().catch(() => undefined);
    if (adminPool && databaseName) {
      await adminPool.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).catch(() => undefined);
    }
    await adminPool?.end().catch(() => undefined);
    return leftovers;
  }

  return { run, close, fleet };
}
