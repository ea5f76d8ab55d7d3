import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_ENVIRONMENT,
  environmentApis,
  environmentApiSettings,
  loadConfigOrExit,
} from '@kombo-sync/config';
import {
  countNotFoundFlagged,
  countQuarantinedByReason,
  createDatabase,
  createLeaseDatabase,
  exitIfSchemaOld,
  listEndpointDeliveryStats,
  listIntegrations,
  listRunningEstimates,
  listSyncLags,
  loadIntegrationHealth,
} from '@kombo-sync/db';
import { createEnvironmentClient, createKomboClient } from '@kombo-sync/kombo';
import { createLogger } from '@kombo-sync/logger';
import { startTracing } from '@kombo-sync/tracing';
import {
  collectDeliveryHealth,
  collectIntegrationHealth,
  collectLaneDepth,
  collectQuarantinedRecords,
  collectSyncHealth,
  createMetrics,
  metricsHandler,
} from '@kombo-sync/metrics';
import {
  changeFeedDroppedCount,
  checkRedisAtStartOrExit,
  closeSyncQueues,
  countLiveWorkers,
  createRedis,
  createSyncQueues,
  laneQueues,
  publishScheduleDefaults,
  registerSchedules,
} from '@kombo-sync/queue';
import { checkKomboKey } from './check-kombo-key.js';
import { createKomboBudget } from './create-kombo-budget.js';
import { checkEnvironmentKeys, createEnvironmentClients } from './environment-clients.js';
import { scheduleIntervalsOf } from './integration-schedule.js';
import { createSyncWorker } from './create-sync-worker.js';
import { createWorkerHttpServer } from './create-worker-http-server.js';
import { loadHandlers } from './load-handlers.js';
import { observeKomboRequest } from './observe-kombo-request.js';
import { startSweeper } from './start-sweeper.js';
import { workerConfigSpec } from './worker-config.js';

const config = loadConfigOrExit(workerConfigSpec);
const environments = environmentApis(
  config.komboEnvironments,
  loadConfigOrExit(environmentApiSettings(config.komboEnvironments)),
);
// Before anything makes a span. Without an endpoint the SDK is never loaded: the API's tracer stays a no-op.
const stopTracing = await startTracing(config, 'kombo-sync-worker');
const logger = createLogger({ name: 'worker', level: config.logLevel, format: config.logFormat });

// The config checked that the module exists; importing it can still fail (its own errors, no valid `handlers`).
const handlers = config.handlersModule
  ? await loadHandlers(config.handlersModule).catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    })
  : undefined;

const metrics = createMetrics({
  service: 'worker',
  komboEnvironments: [DEFAULT_ENVIRONMENT, ...config.komboEnvironments],
});
// Migrations are applied by `npm start` / `npm run db:migrate` / the image's `migrate`, never by each worker.
const database = await createDatabase({ url: config.databaseUrl, poolSize: config.databasePoolSize, logger });
const leaseDatabase = await createLeaseDatabase({
  url: config.databaseUrl,
  ttlMs: config.leaseTtlMs,
  logger,
});
await exitIfSchemaOld(database, 'worker');
const redis = createRedis(config.redisUrl, { role: 'worker' });
await checkRedisAtStartOrExit(redis, config.redisUrl, {
  logger,
  cleanup: () => Promise.all([database.close(), leaseDatabase.close()]),
});
redis.on('error', (err) => logger.warn({ err }, 'Redis connection error'));
const queues = createSyncQueues(redis, { prefix: config.queuePrefix });
for (const queue of laneQueues(queues)) queue.on('error', (err) => logger.warn({ err }, 'queue error'));
const budget = createKomboBudget({
  environment: DEFAULT_ENVIRONMENT,
  redis,
  prefix: config.queuePrefix,
  apiKey: config.komboApiKey,
  maxRequestsPerSecond: config.komboMaxRequestsPerSecond,
  ...(config.komboRequestBurst === undefined ? {} : { burst: config.komboRequestBurst }),
  logger,
  metrics,
});
if (budget === undefined && config.komboRequestBurst !== undefined) {
  logger.warn('KOMBO_REQUEST_BURST is ignored: KOMBO_MAX_REQUESTS_PER_SECOND is not set');
}
const sharedClientOptions = {
  timeoutMs: config.komboTimeoutMs,
  maxRetries: config.komboMaxRetries,
  maxRetryWaitMs: config.komboMaxRetryWaitMs,
  logger,
};
const defaultKombo = createKomboClient({
  ...sharedClientOptions,
  baseUrl: config.komboApiUrl,
  apiKey: config.komboApiKey,
  ...(budget ? { budget } : {}),
  onRequest: observeKomboRequest(metrics, DEFAULT_ENVIRONMENT),
});
// Named environments (KOMBO_ENVIRONMENTS): integration keys `<name>/<Kombo id>` go to their environment's client.
const environmentClients = createEnvironmentClients(environments, {
  redis,
  prefix: config.queuePrefix,
  logger,
  shared: sharedClientOptions,
  metrics,
});
const kombo = createEnvironmentClient(defaultKombo, environmentClients);

// Before any job or schedule: a key Kombo rejects would make every integration look gone.
let keyCheck = await checkKomboKey(defaultKombo, config.komboApiUrl, logger);
if (keyCheck.isAccepted) keyCheck = await checkEnvironmentKeys(environments, environmentClients, logger);
if (!keyCheck.isAccepted) {
  logger.fatal(keyCheck.message);
  process.stderr.write(`${keyCheck.message}\n`);
  kombo.close();
  await closeSyncQueues(queues);
  await redis.quit().catch(() => redis.disconnect());
  await Promise.all([database.close(), leaseDatabase.close()]);
  process.exit(1);
}

await publishScheduleDefaults(redis, config.queuePrefix, scheduleIntervalsOf(config, undefined));
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
  prefix: config.queuePrefix,
  logger,
  intervalMs: config.sweepIntervalMs,
  ensureOptions: { attempts: config.jobAttempts },
});

const serveMetrics = metricsHandler(metrics.registry, {
  onScrape: async () => {
    await Promise.all([
      collectLaneDepth(queues, metrics.queueJobs),
      collectQuarantinedRecords(() => countQuarantinedByReason(database), metrics.quarantinedRecords),
      countNotFoundFlagged(database).then((count) => metrics.integrationsNotFoundFlagged.set(count)),
      collectDeliveryHealth(() => listEndpointDeliveryStats(database), metrics),
      countLiveWorkers(redis, config.queuePrefix).then((count) => metrics.workersLive.set(count)),
      collectIntegrationHealth(
        () => loadIntegrationHealth(database, { isPerIntegration: config.isMetricsPerIntegration }),
        metrics,
        { isPerIntegration: config.isMetricsPerIntegration },
      ),
      ...(config.isChangeFeedOn
        ? [
            changeFeedDroppedCount(redis, config.queuePrefix).then((count) =>
              metrics.changeFeedDropped.set(count),
            ),
          ]
        : []),
      collectSyncHealth(
        {
          lags: () => listSyncLags(database, { isPerIntegration: config.isMetricsPerIntegration }),
          progress: () => listRunningEstimates(database, new Date()),
        },
        metrics,
        { isPerIntegration: config.isMetricsPerIntegration },
      ),
    ]);
  },
  onScrapeError: (err) => logger.warn({ err }, 'metrics scrape refresh failed'),
});
let isShuttingDown = false;
const server = createWorkerHttpServer({
  serveMetrics,
  pingRedis: () => redis.ping(),
  pingPostgres: () => database.pool.query('SELECT 1'),
  komboKey: keyCheck.isVerified ? 'accepted' : 'unverified',
  isStopping: () => isShuttingDown,
});
server.listen(config.metricsPort, '0.0.0.0');
await once(server, 'listening');
logger.info(
  {
    metricsPort: (server.address() as AddressInfo).port,
    concurrency: config.workerConcurrency,
    onboardingConcurrency: config.onboardingConcurrency,
    bulkConcurrency: config.bulkConcurrency,
    bulkSliceMs: config.bulkSliceMs,
    maxRequestsPerSecond: config.komboMaxRequestsPerSecond ?? null,
  },
  'worker started',
);

async function shutdown(signal: string): Promise<void> {
  if (isShuttingDown) return;
  isShuttingDown = true;
  logger.info({ signal }, 'shutting down: no new jobs, handing back running syncs');
  stopSweeper();
  await sync.close(config.shutdownTimeoutMs);
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
