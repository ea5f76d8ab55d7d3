import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { environmentWebhooks, environmentWebhookSettings, loadConfigOrExit } from '@kombo-sync/config';
import { createLogger } from '@kombo-sync/logger';
import { startTracing } from '@kombo-sync/tracing';
import { createMetrics } from '@kombo-sync/metrics';
import {
  checkRedisAtStartOrExit,
  closeSyncQueues,
  createRedis,
  createSignalQueue,
  createSyncQueues,
  laneQueues,
} from '@kombo-sync/queue';
import { createIngressApp } from './app.js';
import { ingressConfigSpec } from './ingress-config.js';

const config = loadConfigOrExit(ingressConfigSpec);
const environments = environmentWebhooks(
  config.komboEnvironments,
  loadConfigOrExit(environmentWebhookSettings(config.komboEnvironments)),
);
// Before anything makes a span. Without an endpoint the SDK is never loaded: the API's tracer stays a no-op.
const stopTracing = await startTracing(config, 'kombo-sync-ingress');
const logger = createLogger({ name: 'ingress', level: config.logLevel, format: config.logFormat });

const redis = createRedis(config.redisUrl, { role: 'queue' });
await checkRedisAtStartOrExit(redis, config.redisUrl, { logger });
redis.on('error', (err) => logger.warn({ err }, 'Redis connection error'));
const queues = createSyncQueues(redis, { prefix: config.queuePrefix });
const signals = createSignalQueue(redis, { prefix: config.queuePrefix });
for (const queue of [...laneQueues(queues), signals])
  queue.on('error', (err) => logger.warn({ err }, 'queue error'));

const metrics = createMetrics({ service: 'ingress' });
const app = createIngressApp({
  redis,
  queues,
  signals,
  logger,
  metrics: { registry: metrics.registry, webhooks: metrics.webhooks },
  config,
  environments,
});

const server = app.listen(config.ingressPort);
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
  await signals.close();
  await redis.quit().catch(() => redis.disconnect());
  await stopTracing?.().catch((err: unknown) => logger.warn({ err }, 'could not flush the last spans'));
  logger.info('ingress stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
