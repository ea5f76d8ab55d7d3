import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  ingressEnv,
  loadConfigOrExit,
  loggingEnv,
  redisEnv,
  tracingEnv,
  webhookEnv,
} from '@kombo-sync/config';
import { createLogger } from '@kombo-sync/logger';
import { createMetrics } from '@kombo-sync/metrics';
import {
  checkRedisAtStart,
  closeSyncQueues,
  createRedis,
  createSyncQueues,
  RedisStartupError,
} from '@kombo-sync/queue';
import { createIngressApp } from './app.js';
import { startTracing } from './start-tracing.js';

const env = loadConfigOrExit(
  redisEnv
    .extend(webhookEnv.shape)
    .extend(ingressEnv.shape)
    .extend(loggingEnv.shape)
    .extend(tracingEnv.shape),
);
// Before anything makes a span. Without an endpoint the SDK is never loaded: the API's tracer stays a no-op.
const { OTEL_EXPORTER_OTLP_ENDPOINT } = env;
const stopTracing = OTEL_EXPORTER_OTLP_ENDPOINT
  ? await startTracing({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT }, 'kombo-sync-ingress')
  : undefined;
const logger = createLogger({ name: 'ingress', level: env.LOG_LEVEL, format: env.LOG_FORMAT });

const redis = createRedis(env.REDIS_URL, { role: 'queue' });
try {
  await checkRedisAtStart(redis, env.REDIS_URL);
} catch (err) {
  if (!(err instanceof RedisStartupError)) throw err;
  logger.fatal({ code: err.code }, err.message);
  redis.disconnect();
  process.exit(1);
}
redis.on('error', (err) => logger.warn({ err }, 'Redis connection error'));
const queues = createSyncQueues(redis, { prefix: env.QUEUE_PREFIX });
for (const queue of [queues.delta, queues.bulk])
  queue.on('error', (err) => logger.warn({ err }, 'queue error'));

const metrics = createMetrics({ service: 'ingress' });
const app = createIngressApp({
  redis,
  queues,
  logger,
  metrics: { registry: metrics.registry, webhooks: metrics.webhooks },
  config: {
    webhookSecrets: env.KOMBO_WEBHOOK_SECRETS,
    bodyLimitBytes: env.INGRESS_BODY_LIMIT_BYTES,
    queueTimeoutMs: env.INGRESS_QUEUE_TIMEOUT_MS,
    replayTtlSeconds: env.WEBHOOK_REPLAY_TTL_SECONDS,
    queuePrefix: env.QUEUE_PREFIX,
    syncJobAttempts: env.SYNC_JOB_ATTEMPTS,
  },
});

const server = app.listen(env.INGRESS_PORT);
await once(server, 'listening');
logger.info({ port: (server.address() as AddressInfo).port }, 'ingress listening');

let isShuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (isShuttingDown) return;
  isShuttingDown = true;
  logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
  // close() stops accepting and resolves once in-flight requests are answered; idle keep-alive sockets are closed.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
  await closeSyncQueues(queues);
  await redis.quit().catch(() => redis.disconnect());
  await stopTracing?.().catch((err: unknown) => logger.warn({ err }, 'could not flush the last spans'));
  logger.info('ingress stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
