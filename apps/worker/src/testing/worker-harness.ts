// Test support for the worker suites (not production code): sandbox on port 0, own Postgres database, own Redis
// prefix, in-process workers, and mirror-vs-truth comparison.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createSandbox, type RunningSandbox, type Sandbox } from '@kombo-sync/sandbox/testing';
import { createSyncWorker, type SyncWorker, type SyncWorkerDeps } from '../create-sync-worker.js';
import { workerConfig, type WorkerConfig, type WorkerConfigOverrides } from '../worker-config.js';
import { testServices } from '@kombo-sync/config/testing';
import { createTestDatabase, type TestDatabase } from '@kombo-sync/db/testing';
import { ALL_MODEL_NAMES, type ModelName } from '@kombo-sync/catalog';
import {
  controlsOf,
  createLeaseDatabase,
  modelTables,
  setIntegrationControls,
  type Database,
  type IntegrationControlsInput,
} from '@kombo-sync/db';
import { createKomboClient, type KomboClient, type KomboClientOptions } from '@kombo-sync/kombo';
import { createLogger } from '@kombo-sync/logger';
import {
  applyControlChange,
  closeSyncQueues,
  createRedis,
  createSyncQueues,
  intentKeys,
  laneQueues,
  requestSync,
  requestSyncDeps,
  type ControlChangeResult,
  type Intent,
  type RequestSyncDeps,
  type SyncLane,
  type SyncQueues,
} from '@kombo-sync/queue';
import type { Job, Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import type { RedisConnection } from '@kombo-sync/queue';

export const API_KEY = 'test-key';
export const logger = createLogger({ name: 'worker-test', level: testServices().logLevel });

export interface WorkerHarness {
  sandbox: Sandbox;
  /** The Redis the harness and its worker processes use. */
  redisUrl: string;
  api: RunningSandbox;
  testDb: TestDatabase;
  database: Database;
  redis: RedisConnection;
  queues: SyncQueues;
  /** The delta lane (`queues.delta`), where changes and the schedulers' jobs wait. */
  queue: Queue;
  prefix: string;
  config: WorkerConfig;
  /** How the harness asks for syncs (`requestSync`), with its prefix and the config's job options. */
  request: RequestSyncDeps;
  startWorker(options?: {
    config?: Partial<WorkerConfigOverrides>;
    kombo?: Partial<KomboClientOptions>;
    /** Wraps the harness's Kombo client (e.g. routes named environments' keys to their own clients). */
    wrapKombo?: (client: KomboClient) => KomboClient;
    handlers?: SyncWorkerDeps['handlers'];
    /** Default: the suite's silent logger. */
    logger?: SyncWorkerDeps['logger'];
    metrics?: SyncWorkerDeps['metrics'];
    /** The lifecycle decisions' clock (NOT_FOUND grace); default Date.now. */
    now?: SyncWorkerDeps['now'];
  }): SyncWorker;
  /** The job a {@link WorkerHarness.trigger} returned (job ids count per lane, so the handle names the lane too). */
  getJob(handle: string): Promise<Job | undefined>;
  /** Jobs of every lane in the given state. */
  countJobs(state: 'active' | 'failed'): Promise<number>;
  /**
   * Records the intent and ensures the job; returns a handle (`<lane>/<job id>`) of the job that will run it, or ''
   * when a job already waited for the integration's intent (that job takes this work too).
   */
  trigger(integrationId: string, intent: Partial<Intent>): Promise<string>;
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** What the CLI and the dashboard do to change an integration's controls: the row in Postgres, then Redis. */
  control(integrationId: string, input: IntegrationControlsInput): Promise<ControlChangeResult>;
  mirror(integrationId: string, model: ModelName): Promise<Map<string, MirrorRow>>;
  /**
   * Throws unless the mirror's rows of `integrationId` equal the sandbox's truth of each model. `truth`: another
   * sandbox and the Kombo id it knows the integration by (a named environment's key `us/<id>` against its own
   * sandbox); default the harness's sandbox, same id.
   */
  expectExact(
    integrationId: string,
    models: readonly ModelName[],
    truth?: { sandbox: Sandbox; komboId: string },
  ): Promise<void>;
  close(): Promise<void>;
}

export interface MirrorRow {
  id: string;
  changedAt: Date;
  remoteDeletedAt: Date | null;
  raw: Record<string, unknown>;
}

/** Servers the harness uses: by default the test run's (`testServices()`), or a test's own (to restart them). */
export interface HarnessServers {
  /** A Postgres URL whose server gets the harness's throwaway database. */
  databaseServerUrl?: string;
  redisUrl?: string;
  /** The Redis key prefix; default a fresh `{kw-<random>}`. */
  prefix?: string;
}

export async function createHarness(
  overrides: Partial<WorkerConfigOverrides> = {},
  {
    databaseServerUrl = testServices().databaseUrl,
    redisUrl = testServices().redisUrl,
    prefix = `{kw-${randomBytes(4).toString('hex')}}`,
  }: HarnessServers = {},
): Promise<WorkerHarness> {
  const sandbox = createSandbox({ apiKey: API_KEY, seed: 7 });
  const api = await sandbox.listen(0);
  const testDb = await createTestDatabase(databaseServerUrl);
  const database = testDb.database;
  const redis = createRedis(redisUrl, { role: 'worker' });
  // Tests that restart Redis expect connection errors; ioredis reconnects by itself.
  redis.on('error', () => undefined);
  const queues = createSyncQueues(redis, { prefix });
  const queue = queues.delta;
  const config = workerConfig({
    databaseUrl: testDb.url,
    redisUrl,
    queuePrefix: prefix,
    komboApiUrl: api.url,
    komboApiKey: API_KEY,
    workerConcurrency: 4,
    bulkConcurrency: 2,
    onboardingConcurrency: 1,
    bulkSliceMs: 0,
    // Tests' passes are a few pages: a slice may end at any page.
    bulkSliceMinPages: 1,
    lockDurationMs: 10_000,
    stalledIntervalMs: 5_000,
    leaseTtlMs: 5_000,
    jobAttempts: 3,
    jobBackoffMs: 50,
    concurrencyPerIntegration: 2,
    overlapMs: 60_000,
    pageSize: 20,
    enabledModels: ['hris_employees', 'hris_employments', 'hris_groups'],
    fullIntervalMs: 3_600_000,
    safetyNetIntervalMs: 3_600_000,
    rateLimitFallbackMs: 500,
    integrationDelayFallbackMs: 300,
    outboxIntervalMs: 200,
    // Webhook tests drive a dispatcher of their own (with their own clock); the others have no endpoint.
    isDispatchingWebhooks: false,
    ...overrides,
  });
  const leaseDatabase = await createLeaseDatabase({ url: testDb.url, ttlMs: config.leaseTtlMs });
  const workers: SyncWorker[] = [];
  const clients: { close(): void }[] = [];

  const harness: WorkerHarness = {
    sandbox,
    redisUrl,
    api,
    testDb,
    database,
    redis,
    queues,
    queue,
    prefix,
    config,
    request: requestSyncDeps(redis, queues, config),
    startWorker(options = {}) {
      const kombo = createKomboClient({
        baseUrl: api.url,
        apiKey: API_KEY,
        timeoutMs: 5_000,
        maxRetries: 0,
        maxRetryWaitMs: 100,
        ...options.kombo,
      });
      const client = options.wrapKombo ? options.wrapKombo(kombo) : kombo;
      clients.push(client);
      const worker = createSyncWorker({
        redis,
        queues,
        database,
        leaseDatabase,
        kombo: client,
        logger: options.logger ?? logger,
        config: workerConfig({ ...config, ...options.config }),
        ...(options.handlers ? { handlers: options.handlers } : {}),
        ...(options.metrics ? { metrics: options.metrics } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
      workers.push(worker);
      return worker;
    },
    async getJob(handle) {
      const [lane, jobId] = handle.split('/') as [SyncLane | '', string | undefined];
      return lane === '' || jobId === undefined ? undefined : queues[lane].getJob(jobId);
    },
    async countJobs(state) {
      const counts = await Promise.all(laneQueues(queues).map((lane) => lane.getJobCountByTypes(state)));
      return counts.reduce((sum, n) => sum + n, 0);
    },
    async trigger(integrationId, intent) {
      const { jobId, lane } = await requestSync(harness.request, {
        integrationId,
        intent: { triggers: ['test'], ...intent },
      });
      // None when a job already waits for this intent (it will take this work too).
      return jobId === undefined || lane === undefined ? '' : `${lane}/${jobId}`;
    },
    async waitForIdle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Dirty first: getJobs reads the job lists one after another, so a job moving from waiting to active
        // between two reads is seen in neither. An integration leaves the dirty set only when its job, already
        // active by then, takes the intent; read in this order, a pending intent is seen either as dirty or as
        // that active job.
        const dirty = await redis.scard(intentKeys.dirty(prefix));
        const states = ['active', 'waiting', 'prioritized', 'delayed'] as const;
        const jobs = (await Promise.all(laneQueues(queues).map((lane) => lane.getJobs([...states])))).flat();
        const busy = jobs.filter((job) => job && !(job.name === 'scheduled-sync' && job.delay > 60_000));
        if (busy.length === 0 && dirty === 0) return;
        if (Date.now() > deadline)
          throw new Error(`not idle after ${timeoutMs} ms: ${busy.map((j) => `${j?.name}:${j?.id}`)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async control(integrationId, input) {
      const change = await setIntegrationControls(database, integrationId, input);
      if (!change) throw new Error(`no integration ${integrationId}`);
      return applyControlChange(harness.request, {
        integrationId,
        before: controlsOf(change.before),
        after: controlsOf(change.after),
        requestId: `test-${randomBytes(4).toString('hex')}`,
      });
    },
    async mirror(integrationId, model) {
      const table = modelTables[model];
      const rows = await database.db
        .select({
          id: table.id,
          changedAt: table.changedAt,
          remoteDeletedAt: table.remoteDeletedAt,
          raw: table.raw,
        })
        .from(table)
        .where(eq(table.integrationId, integrationId));
      return new Map(rows.map((row) => [row.id, row as MirrorRow]));
    },
    async expectExact(integrationId, models, from) {
      const source = from?.sandbox ?? sandbox;
      for (const model of models) {
        const truth = source.truth(from?.komboId ?? integrationId, model);
        const mirror = await harness.mirror(integrationId, model);
        const problems: string[] = [];
        for (const record of truth) {
          const row = mirror.get(record['id'] as string);
          const deletedAt = record['remote_deleted_at'] as string | null;
          if (!row) problems.push(`${model} ${String(record['id'])}: missing`);
          else if (
            row.changedAt.getTime() !== Date.parse(record['changed_at'] as string) ||
            (row.remoteDeletedAt?.getTime() ?? null) !==
              (deletedAt === null ? null : Date.parse(deletedAt)) ||
            JSON.stringify(sortKeys(row.raw)) !== JSON.stringify(sortKeys(record))
          ) {
            problems.push(`${model} ${row.id}: differs`);
          }
        }
        const truthIds = new Set(truth.map((record) => record['id']));
        for (const id of mirror.keys()) if (!truthIds.has(id)) problems.push(`${model} ${id}: not in truth`);
        if (problems.length > 0)
          throw new Error(`mirror differs from truth:\n${problems.slice(0, 10).join('\n')}`);
      }
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.close(5_000)));
      for (const client of clients) client.close();
      for (const lane of laneQueues(queues)) await lane.obliterate({ force: true }).catch(() => undefined);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await closeSyncQueues(queues);
      await redis.quit();
      await api.close();
      await leaseDatabase.close();
      await testDb.drop();
    },
  };
  return harness;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

export const HRIS_TEST_MODELS = [
  'hris_employees',
  'hris_employments',
  'hris_groups',
] as const satisfies readonly ModelName[];
export { ALL_MODEL_NAMES };

const ROOT = path.resolve(import.meta.dirname, '../../../..');

/**
 * A real worker process over the harness's database, Redis prefix and sandbox: `node --import tsx` (not the tsx
 * wrapper, which forks), so the pid is the worker itself and SIGKILL/SIGTERM reach it. `env` adds or overrides
 * variables (e.g. KOMBO_API_URL of a proxy in front of the sandbox); stdout is piped when `stdout: 'pipe'`.
 */
export function spawnWorkerProcess(
  h: WorkerHarness,
  { env = {}, stdout = 'ignore' }: { env?: Record<string, string>; stdout?: 'pipe' | 'ignore' } = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', stdout, 'inherit'],
    env: {
      PATH: testServices().processEnv.PATH,
      DATABASE_URL: h.testDb.url,
      REDIS_URL: h.redisUrl,
      QUEUE_PREFIX: h.prefix,
      KOMBO_API_URL: h.api.url,
      KOMBO_API_KEY: API_KEY,
      SYNC_ENABLED_MODELS: HRIS_TEST_MODELS.join(','),
      WORKER_METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
}

/**
 * Polls `probe` every 25 ms until it returns a value (not undefined), and returns it; throws naming `what` after
 * `timeoutMs` (default 30 s). For conditions no event tells (rows, runs, passes in Postgres).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The `created` part of an intent for a sandbox integration, as an `integration-created` webhook records it. */
export const createdIntent = (id: string) => ({
  created: { id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' },
  full: true,
  triggers: ['integration-created'],
});

/**
 * `count` hris_employees rows Kombo never served (as if it deleted them without a trace), each a copy of one of the
 * integration's rows: a complete full pass must mark them deleted. Returns their ids.
 */
export async function addGhostEmployees(
  database: TestDatabase['database'],
  integrationId: string,
  count: number,
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `ghost-${integrationId}-${i}`);
  for (const ghost of ids) {
    await database.pool.query(
      `INSERT INTO hris_employees
       SELECT (jsonb_populate_record(NULL::hris_employees, to_jsonb(e) || jsonb_build_object('id', $2::text))).*
       FROM hris_employees e WHERE e.integration_id = $1 LIMIT 1`,
      [integrationId, ghost],
    );
  }
  return ids;
}
