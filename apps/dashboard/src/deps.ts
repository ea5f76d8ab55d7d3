import type { Database } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import type { Metrics } from '@kombo-sync/metrics';
import type { Queue } from 'bullmq';
import type { RedisConnection, SyncQueues } from '@kombo-sync/queue';

/** The configuration the dashboard reads: parsed `dashboardEnv` + `redisEnv` + `runtimeEnv` + `metricsEnv` values. */
export interface DashboardConfig {
  QUEUE_PREFIX: string;
  /** Attempts of the sync jobs it enqueues (`SYNC_JOB_ATTEMPTS`); default that of packages/queue. */
  SYNC_JOB_ATTEMPTS?: number;
  DASHBOARD_USERNAME?: string | undefined;
  DASHBOARD_PASSWORD?: string | undefined;
  DASHBOARD_TOKEN?: string | undefined;
  /** Bull Board without retry/remove/promote buttons. */
  DASHBOARD_READ_ONLY: boolean;
  /** `integration_id` labels on the lag and progress series of `/metrics`; default off (per model only). */
  METRICS_PER_INTEGRATION?: boolean;
  NODE_ENV: 'development' | 'production' | 'test';
}

/** What `createDashboardApp` needs; the caller owns (and closes) every connection. */
export interface DashboardDeps {
  db: Database;
  /** Connection for the intent scripts of packages/queue. */
  redis: RedisConnection;
  /**
   * Every queue of the fleet: the delta lane `sync` ("sync now"), the onboarding lane (new integrations' first
   * slices), the bulk lane (full resyncs), the change feed.
   */
  queues: DashboardQueues;
  config: DashboardConfig;
  logger: Logger;
  metrics: Metrics;
  /**
   * An integration is "lagging" when a model's last successful sync is older than this; default 7 h (6 h safety net
   * + 1 h).
   */
  lagThresholdMs?: number;
  /** Clock; default `() => new Date()`. */
  now?: () => Date;
}

export const DEFAULT_LAG_THRESHOLD_MS = 7 * 60 * 60 * 1000;

/** What the route factories share. */
export interface RouteContext {
  deps: DashboardDeps;
  csrf: import('./csrf.js').Csrf;
  lagThresholdMs: number;
  now: () => Date;
}

/** The fleet's queues as the dashboard holds them (Bull Board shows each). */
export interface DashboardQueues {
  sync: Queue;
  onboarding: Queue;
  bulk: Queue;
  changes: Queue;
}

/** The sync lanes among the dashboard's queues, for `requestSync` and `applyControlChange`. */
export function syncQueuesOf(queues: DashboardQueues): SyncQueues {
  return { delta: queues.sync, onboarding: queues.onboarding, bulk: queues.bulk };
}
