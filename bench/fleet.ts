/** The real processes (worker, ingress) as children, and triggering / awaiting syncs through the queue. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Database } from '@kombo-sync/db';
import { buildConfig, redisSettings } from '@kombo-sync/config';
import {
  closeSyncQueues,
  createRedis,
  createSyncQueues,
  requestSync,
  requestSyncDeps,
} from '@kombo-sync/queue';
import { buildApps } from '../scripts/build.mjs';
import { SANDBOX_KEY, spawnApp, stopChild, type SandboxProcess } from './services.js';

export interface FleetProcess {
  pid: number;
  stop(): Promise<void>;
}

import { WORKER_NODE_FLAGS } from '../scripts/node-options.mjs';
import type { RedisConnection } from '@kombo-sync/queue';

/** What a benchmark of worker processes against the sandbox gets: services, its database, and the pass's size. */
export interface WorkerBenchOptions {
  sandbox: SandboxProcess;
  database: Database;
  databaseUrl: string;
  redisUrl: string;
  /** Employees of the integration synced. */
  records: number;
}

/** True while process `pid` is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const newQueuePrefix = (): string => `{bench-${randomBytes(4).toString('hex')}}`;

/**
 * The production worker (`npm run build` → `node apps/worker/dist/main.mjs`, built here first) against the sandbox,
 * syncing only hris_employees.
 */
export async function startWorker(opts: {
  sandbox: SandboxProcess;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  env?: Record<string, string>;
}): Promise<FleetProcess> {
  await buildApps(['worker']);
  const { child } = await spawnApp(
    'apps/worker/dist/main.mjs',
    {
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: opts.redisUrl,
      QUEUE_PREFIX: opts.queuePrefix,
      KOMBO_API_URL: opts.sandbox.url,
      KOMBO_API_KEY: SANDBOX_KEY,
      SYNC_ENABLED_MODELS: 'hris_employees',
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ...opts.env,
    },
    /worker started/,
    // The production V8 settings (scripts/node-options.mjs); BENCH_WORKER_NODE_FLAGS (space-separated) overrides.
    { nodeFlags: process.env['BENCH_WORKER_NODE_FLAGS']?.split(' ').filter(Boolean) ?? WORKER_NODE_FLAGS },
  );
  return { pid: child.pid as number, stop: () => stopChild(child) };
}

/** `node --import tsx apps/ingress/src/main.ts` on a free port; resolves with its webhook URL. */
export async function startIngress(opts: {
  redisUrl: string;
  queuePrefix: string;
  secret: string;
}): Promise<FleetProcess & { webhookUrl: string }> {
  const { child, match } = await spawnApp(
    'apps/ingress/src/main.ts',
    {
      REDIS_URL: opts.redisUrl,
      QUEUE_PREFIX: opts.queuePrefix,
      KOMBO_WEBHOOK_SECRETS: opts.secret,
      INGRESS_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    },
    /"port":(\d+)[^\n]*ingress listening/,
  );
  return {
    pid: child.pid as number,
    webhookUrl: `http://127.0.0.1:${match[1]}/webhooks/kombo`,
    stop: () => stopChild(child),
  };
}

export interface Fleet {
  ingress: FleetProcess & { webhookUrl: string };
  worker: FleetProcess;
  /** Points the sandbox's signed webhooks at the ingress, batched over `debounceMs` (default 0: none). */
  sendWebhooks(options?: { debounceMs?: number }): Promise<void>;
  /** Stops the sandbox's webhooks, then the worker and the ingress. */
  stop(): Promise<void>;
}

/**
 * The fleet a webhook goes through: the real ingress and worker ({@link startIngress}, {@link startWorker}) on one
 * queue prefix, with webhooks signed by `secret`. A worker that fails to start leaves no ingress running.
 */
export async function startFleet(opts: {
  sandbox: SandboxProcess;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  secret: string;
  /** Variables the worker gets besides the fleet's. */
  workerEnv?: Record<string, string>;
}): Promise<Fleet> {
  const { sandbox, secret, workerEnv } = opts;
  const ingress = await startIngress({ redisUrl: opts.redisUrl, queuePrefix: opts.queuePrefix, secret });
  const worker = await startWorker({ ...opts, ...(workerEnv ? { env: workerEnv } : {}) }).catch(
    async (err: unknown) => {
      await ingress.stop();
      throw err;
    },
  );
  return {
    ingress,
    worker,
    async sendWebhooks({ debounceMs = 0 } = {}) {
      await sandbox.admin('PUT', '/webhooks', { url: ingress.webhookUrl, secret, debounceMs });
    },
    async stop() {
      await sandbox
        .admin('PUT', '/webhooks', { url: 'http://127.0.0.1:9/none', secret, dropRate: 1 })
        .catch(() => undefined);
      await worker.stop();
      await ingress.stop();
    },
  };
}

/** A queue client for triggering syncs the way the ingress and the CLI do. */
export function createTrigger(redisUrl: string, prefix: string) {
  const redis: RedisConnection = createRedis(redisUrl, { role: 'client' });
  const queues = createSyncQueues(redis, { prefix });
  const request = requestSyncDeps(redis, queues, buildConfig(redisSettings, { queuePrefix: prefix }));
  return {
    async sync(integrationId: string, full: boolean): Promise<void> {
      await requestSync(request, {
        integrationId,
        intent: { models: ['hris_employees'], full, triggers: ['manual'] },
      });
    },
    async close(): Promise<void> {
      await closeSyncQueues(queues);
      const keys = await redis.keys(`${prefix}*`);
      for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
      await redis.quit();
    },
  };
}

/**
 * Polls sync_runs until a run of the integration newer than `afterRunId` has finished, a run that ended a time
 * slice not counting (its pass goes on in the next run); returns it.
 */
export async function waitForRun(
  database: Database,
  integrationId: string,
  afterRunId: number,
  timeoutMs: number,
): Promise<{ id: number; status: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await database.pool.query<{ id: string; status: string }>(
      `SELECT id, status FROM sync_runs WHERE integration_id = $1 AND id > $2 AND status <> 'running'
         AND error IS DISTINCT FROM 'SYNC.INTERRUPTED: slice'
       ORDER BY id DESC LIMIT 1`,
      [integrationId, afterRunId],
    );
    const row = rows[0];
    if (row) return { id: Number(row.id), status: row.status };
    if (Date.now() > deadline)
      throw new Error(`no finished sync run for ${integrationId} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function lastRunId(database: Database): Promise<number> {
  const { rows } = await database.pool.query<{ id: string | null }>(`SELECT max(id) AS id FROM sync_runs`);
  return Number(rows[0]?.id ?? 0);
}

/** Resident-set figures of a process, in MiB: VmHWM is the peak over its lifetime. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}
