// Composition root of the dashboard: config, logger, connections, the app, and shutdown in order.
import { loadConfigOrExit } from '@kombo-sync/config';
import { createDatabase, exitIfSchemaOld } from '@kombo-sync/db';
import { createLogger } from '@kombo-sync/logger';
import { createMetrics } from '@kombo-sync/metrics';
import {
  checkRedisAtStartOrExit,
  createChangesQueue,
  createRedis,
  createSyncQueues,
} from '@kombo-sync/queue';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DashboardConfigError } from './auth.js';
import { createDashboardApp } from './create-dashboard-app.js';
import { dashboardConfigSpec } from './dashboard-config.js';

const config = loadConfigOrExit(dashboardConfigSpec);
const logger = createLogger({ name: 'dashboard', level: config.logLevel, format: config.logFormat });

const db = await createDatabase({ url: config.databaseUrl, poolSize: config.databasePoolSize, logger });
await exitIfSchemaOld(db, 'dashboard');
const redis = createRedis(config.redisUrl, { role: 'client' });
await checkRedisAtStartOrExit(redis, config.redisUrl, { logger, cleanup: () => db.close() });
redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
const lanes = createSyncQueues(redis, { prefix: config.queuePrefix });
const queues = {
  sync: lanes.delta,
  onboarding: lanes.onboarding,
  bulk: lanes.bulk,
  changes: createChangesQueue(redis, { prefix: config.queuePrefix }),
};
const metrics = createMetrics({ service: 'dashboard' });

let app;
try {
  app = createDashboardApp({ db, redis, queues, config, logger, metrics });
} catch (err) {
  if (!(err instanceof DashboardConfigError)) throw err;
  logger.fatal(err.message);
  await Promise.all([db.close(), redis.quit()]);
  process.exit(1);
}

const server: Server = app.listen(config.dashboardPort, () => {
  // The port bound, also when DASHBOARD_PORT=0 asked for any free one.
  logger.info({ port: (server.address() as AddressInfo).port }, 'dashboard listening');
});

let isStopping = false;
async function shutdown(signal: string): Promise<void> {
  if (isStopping) return;
  isStopping = true;
  logger.info({ signal }, 'dashboard stopping');
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
  await redis.quit();
  await db.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
