// Test support (not exported from the app): a dashboard on port 0 over its own Postgres database and Redis prefix.
import type { Database } from '@kombo-sync/db';
import { testServices } from '@kombo-sync/config/testing';
import { createTestDatabase } from '@kombo-sync/db/testing';
import { createLogger } from '@kombo-sync/logger';
import { createMetrics } from '@kombo-sync/metrics';
import { createChangesQueue, createRedis, createSyncQueues } from '@kombo-sync/queue';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboardApp } from '../create-dashboard-app.js';
import { dashboardConfig, type DashboardConfigOverrides } from '../dashboard-config.js';
import type { DashboardDeps, DashboardQueues } from '../deps.js';
import type { RedisConnection } from '@kombo-sync/queue';

export const CREDENTIALS = { username: 'ops', password: 'p@ss:word', token: 'tok-0123456789' };

export const basicAuth = (username = CREDENTIALS.username, password = CREDENTIALS.password) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
export const bearerAuth = (token = CREDENTIALS.token) => `Bearer ${token}`;

export interface DashboardHarness {
  url: string;
  db: Database;
  redis: RedisConnection;
  prefix: string;
  queues: DashboardQueues;
  /** Starts one more app over the same connections with other config (closed by `close`). */
  startApp(config?: DashboardConfigOverrides, extra?: Partial<DashboardDeps>): Promise<string>;
  close(): Promise<void>;
}

/** A fresh database `dash_test_<random>` (migrated), a Redis prefix of its own, and a dashboard with credentials. */
export async function startHarness(
  extra: Partial<DashboardDeps> = {},
  configOverrides: DashboardConfigOverrides = {},
): Promise<DashboardHarness> {
  const suffix = randomBytes(5).toString('hex');
  const { databaseUrl, redisUrl } = testServices();
  const testDb = await createTestDatabase(databaseUrl, { namePrefix: 'dash_test' });
  const db = testDb.database;
  const prefix = `{dash-test-${suffix}}`;
  const redis = createRedis(redisUrl, { role: 'client' });
  const lanes = createSyncQueues(redis, { prefix });
  const queues = {
    sync: lanes.delta,
    onboarding: lanes.onboarding,
    bulk: lanes.bulk,
    changes: createChangesQueue(redis, { prefix }),
  };
  const servers: Server[] = [];
  const startApp = async (config: DashboardConfigOverrides = {}, more: Partial<DashboardDeps> = {}) => {
    const app = createDashboardApp({
      db,
      redis,
      queues,
      logger: createLogger({ name: 'dashboard-test', level: 'silent' }),
      metrics: createMetrics({ service: 'dashboard' }),
      config: dashboardConfig({
        queuePrefix: prefix,
        dashboardUsername: CREDENTIALS.username,
        dashboardPassword: CREDENTIALS.password,
        dashboardToken: CREDENTIALS.token,
        nodeEnv: 'test',
        ...configOverrides,
        ...config,
      }),
      ...extra,
      ...more,
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const url = await startApp();
  return {
    url,
    db,
    redis,
    prefix,
    queues,
    startApp,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
      await Promise.all(Object.values(queues).map((queue) => queue.close()));
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await testDb.drop();
    },
  };
}
