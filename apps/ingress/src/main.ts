import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ingressEnv, loadConfigOrExit, loggingEnv, redisEnv, webhookEnv } from '@kombo-sync/config';
import { createLogger } from '@kombo-sync/logger';
import { createMetrics } from '@kombo-sync/metrics';
import { closeSyncQueues, createRedis, createSyncQueues } from '@kombo-sync/queue';
import { createIngressApp } from './app.js';

const env = loadConfigOrExit(
  redisEnv.extend(webhookEnv.shape).extend(ingressEnv.shape).extend(loggingEnv.shape),
);
const logger = createLogger({ name: 'ingress', level: env.LOG_LEVEL, format: env.LOG_FORMAT });

const redis = createRedis(env.REDIS_URL, { role: 'queue' });
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
  logger.info('ingress stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
