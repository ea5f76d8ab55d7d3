import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import {
  databaseEnv,
  komboBudgetEnv,
  komboEnv,
  loadConfigOrExit,
  loggingEnv,
  metricsEnv,
  redisEnv,
  syncEnv,
  tracingEnv,
} from '@kombo-sync/config';
import {
  countNotFoundFlagged,
  countQuarantinedByReason,
  createDatabase,
  createLeaseDatabase,
  listIntegrations,
  listRunningEstimates,
  listSyncLags,
} from '@kombo-sync/db';
import { createKomboClient } from '@kombo-sync/kombo';
import { createLogger } from '@kombo-sync/logger';
import {
  collectQuarantinedRecords,
  collectQueueDepth,
  collectSyncHealth,
  createMetrics,
  metricsHandler,
} from '@kombo-sync/metrics';
import {
  checkRedisAtStart,
  closeSyncQueues,
  createRedis,
  createSyncQueues,
  publishScheduleDefaults,
  RedisStartupError,
  registerSchedules,
} from '@kombo-sync/queue';
import { checkKomboKey } from './check-kombo-key.js';
import { createKomboBudget } from './create-kombo-budget.js';
import { scheduleIntervalsOf } from './integration-schedule.js';
import { createSyncWorker } from './create-sync-worker.js';
import { loadHandlers } from './load-handlers.js';
import { startSweeper } from './start-sweeper.js';
import type { WorkerConfig } from './worker-config.js';
import { startTracing } from './start-tracing.js';

const env = loadConfigOrExit(
  databaseEnv
    .extend(redisEnv.shape)
    .extend(komboEnv.shape)
    .extend(komboBudgetEnv.shape)
    .extend(syncEnv.shape)
    .extend(loggingEnv.shape)
    .extend(tracingEnv.shape)
    .extend(metricsEnv.shape),
);
// Before anything makes a span. Without an endpoint the SDK is never loaded: the API's tracer stays a no-op.
const { OTEL_EXPORTER_OTLP_ENDPOINT } = env;
const stopTracing = OTEL_EXPORTER_OTLP_ENDPOINT
  ? await startTracing({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT }, 'kombo-sync-worker')
  : undefined;
const logger = createLogger({ name: 'worker', level: env.LOG_LEVEL, format: env.LOG_FORMAT });

const config: WorkerConfig = {
  queuePrefix: env.QUEUE_PREFIX,
  workerConcurrency: env.WORKER_CONCURRENCY,
  bulkConcurrency: env.WORKER_BULK_CONCURRENCY,
  lockDurationMs: env.WORKER_LOCK_DURATION_MS,
  stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS,
  leaseTtlMs: env.SYNC_LEASE_TTL_MS,
  passCursorMaxAgeMs: env.SYNC_PASS_CURSOR_MAX_AGE_MS,
  jobAttempts: env.SYNC_JOB_ATTEMPTS,
  concurrencyPerIntegration: env.SYNC_CONCURRENCY_PER_INTEGRATION,
  overlapMs: env.SYNC_OVERLAP_MS,
  pageSize: env.SYNC_PAGE_SIZE,
  ...(env.SYNC_ENABLED_MODELS ? { enabledModels: env.SYNC_ENABLED_MODELS } : {}),
  fullIntervalMs: env.SYNC_FULL_INTERVAL_MS,
  safetyNetIntervalMs: env.SYNC_SAFETY_NET_INTERVAL_MS,
  onIntegrationDeleted: env.SYNC_ON_INTEGRATION_DELETED,
  ...(env.SYNC_DELETED_RETENTION_DAYS === undefined
    ? {}
    : { deletedRetentionDays: env.SYNC_DELETED_RETENTION_DAYS }),
  ...(env.SYNC_STORE_REMOTE_DATA ? {} : { shouldStripRemoteData: true }),
  notFoundGraceMs: env.SYNC_NOT_FOUND_GRACE_MS,
  modelUnavailableGraceMs: env.SYNC_MODEL_UNAVAILABLE_GRACE_MS,
  ...(env.CHANGE_FEED === 'on' ? { changeFeed: { maxMessages: env.CHANGE_FEED_MAX_MESSAGES } } : {}),
};
// The config checked that the module exists; importing it can still fail (its own errors, no valid `handlers`).
const handlers = env.SYNC_HANDLERS_MODULE
  ? await loadHandlers(env.SYNC_HANDLERS_MODULE).catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    })
  : undefined;

const metrics = createMetrics({ service: 'worker' });
// Migrations are applied by `npm start` / `npm run db:migrate` / CI, never by each worker.
const database = await createDatabase({ url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE, logger });
const leaseDatabase = await createLeaseDatabase({
  url: env.DATABASE_URL,
  ttlMs: env.SYNC_LEASE_TTL_MS,
  logger,
});
const redis = createRedis(env.REDIS_URL, { role: 'worker' });
try {
  await checkRedisAtStart(redis, env.REDIS_URL);
} catch (err) {
  if (!(err instanceof RedisStartupError)) throw err;
  logger.fatal({ code: err.code }, err.message);
  redis.disconnect();
  await Promise.all([database.close(), leaseDatabase.close()]);
  process.exit(1);
}
redis.on('error', (err) => logger.warn({ err }, 'Redis connection error'));
const queues = createSyncQueues(redis, { prefix: env.QUEUE_PREFIX });
for (const queue of [queues.delta, queues.bulk])
  queue.on('error', (err) => logger.warn({ err }, 'queue error'));
const budget = createKomboBudget({
  redis,
  prefix: env.QUEUE_PREFIX,
  apiKey: env.KOMBO_API_KEY,
  maxRequestsPerSecond: env.KOMBO_MAX_REQUESTS_PER_SECOND,
  ...(env.KOMBO_REQUEST_BURST === undefined ? {} : { burst: env.KOMBO_REQUEST_BURST }),
  logger,
  metrics,
});
if (budget === undefined && env.KOMBO_REQUEST_BURST !== undefined) {
  logger.warn('KOMBO_REQUEST_BURST is ignored: KOMBO_MAX_REQUESTS_PER_SECOND is not set');
}
const kombo = createKomboClient({
  baseUrl: env.KOMBO_API_URL,
  apiKey: env.KOMBO_API_KEY,
  timeoutMs: env.KOMBO_TIMEOUT_MS,
  maxRetries: env.KOMBO_MAX_RETRIES,
  maxRetryWaitMs: env.KOMBO_MAX_RETRY_WAIT_MS,
  logger,
  onRequest: (event) => {
    const endpoint = event.model ?? event.path;
    const outcome = event.errorCode ? 'error' : 'ok';
    metrics.komboRequests.inc({ endpoint, outcome, code: event.errorCode ?? String(event.status) });
    metrics.komboRequestSeconds.observe({ endpoint }, event.durationMs / 1000);
  },
  ...(budget ? { budget } : {}),
});

// Before any job or schedule: a key Kombo rejects would make every integration look gone.
const keyCheck = await checkKomboKey(kombo, env.KOMBO_API_URL, logger);
if (!keyCheck.isAccepted) {
  logger.fatal(keyCheck.message);
  process.stderr.write(`${keyCheck.message}\n`);
  kombo.close();
  await closeSyncQueues(queues);
  await redis.quit().catch(() => redis.disconnect());
  await Promise.all([database.close(), leaseDatabase.close()]);
  process.exit(1);
}

await publishScheduleDefaults(redis, env.QUEUE_PREFIX, scheduleIntervalsOf(config, undefined));
for (const integration of await listIntegrations(database)) {
  await registerSchedules(queues.delta, integration.id, scheduleIntervalsOf(config, integration));
}

const sync = createSyncWorker({
  redis,
  queues,
  database,
  leaseDatabase,
  kombo,
  config,
  logger,
  metrics,
  ...(handlers ? { handlers } : {}),
});
const stopSweeper = startSweeper({
  redis,
  queues,
  prefix: env.QUEUE_PREFIX,
  logger,
  intervalMs: env.WORKER_SWEEP_INTERVAL_MS,
  ensureOptions: { attempts: config.jobAttempts },
});

const serveMetrics = metricsHandler(metrics.registry, {
  onScrape: async () => {
    await Promise.all([
      ...[queues.delta, queues.bulk].map((queue) => collectQueueDepth(queue, metrics.queueJobs)),
      collectQuarantinedRecords(() => countQuarantinedByReason(database), metrics.quarantinedRecords),
      countNotFoundFlagged(database).then((count) => metrics.integrationsNotFoundFlagged.set(count)),
      collectSyncHealth(
        {
          lags: () => listSyncLags(database, { isPerIntegration: env.METRICS_PER_INTEGRATION }),
          progress: () => listRunningEstimates(database, new Date()),
        },
        metrics,
        { isPerIntegration: env.METRICS_PER_INTEGRATION },
      ),
    ]);
  },
  onScrapeError: (err) => logger.warn({ err }, 'queue depth or quarantine collection failed'),
});
const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  const response = {
    setHeader: (name: string, value: string) => res.setHeader(name, value),
    status(code: number) {
      res.statusCode = code;
      return response;
    },
    end: (body?: string) => res.end(body),
  };
  void serveMetrics(req, response);
});
server.listen(env.WORKER_METRICS_PORT, '0.0.0.0');
await once(server, 'listening');
logger.info(
  {
    metricsPort: (server.address() as AddressInfo).port,
    concurrency: config.workerConcurrency,
    maxRequestsPerSecond: env.KOMBO_MAX_REQUESTS_PER_SECOND ?? null,
  },
  'worker started',
);

let isShuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (isShuttingDown) return;
  isShuttingDown = true;
  logger.info({ signal }, 'shutting down: no new jobs, handing back running syncs');
  stopSweeper();
  await sync.close(env.WORKER_SHUTDOWN_TIMEOUT_MS);
  server.close();
  await closeSyncQueues(queues);
  kombo.close();
  await redis.quit().catch(() => redis.disconnect());
  await Promise.all([database.close(), leaseDatabase.close()]);
  await stopTracing?.().catch((err: unknown) => logger.warn({ err }, 'could not flush the last spans'));
  logger.info('worker stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
