import type { Database } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import type { Metrics } from '@kombo-sync/metrics';
import type { Queue } from 'bullmq';
import type { RedisConnection, RequestSyncDeps, SyncQueues } from '@kombo-sync/queue';

import type { DashboardConfig } from './dashboard-config.js';

export type { DashboardConfig };

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
  /** Clock; default `() => new Date()`. */
  now?: () => Date;
}

/** What the route factories share. */
/** What the dashboard's actions ("sync now", controls) need. */
export interface ActionDeps {
  db: Database;
  logger: Logger;
  /** How to ask for syncs (`requestSync`): built once by `createDashboardApp` from the connections and the config. */
  request: RequestSyncDeps;
}

export interface RouteContext {
  deps: DashboardDeps;
  actions: ActionDeps;
  csrf: import('./csrf.js').Csrf;
  /** DASHBOARD_READ_ONLY: pages show no forms that change something (the requests are refused anyway). */
  isReadOnly: boolean;
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
