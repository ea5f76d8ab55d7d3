import type { Database, Executor } from '@kombo-sync/db';
import type { KomboClient } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import type { Metrics } from '@kombo-sync/metrics';
import type { RedisConnection, RequestSyncDeps, SyncLane, SyncQueues } from '@kombo-sync/queue';
import type { RunSummary, SyncHandlers, YieldReason } from '@kombo-sync/sync';
import type { WorkerConfig } from './worker-config.js';

export interface SyncWorkerDeps {
  /** A `worker`-role ioredis connection (maxRetriesPerRequest null): BullMQ and the intent scripts use it. */
  redis: RedisConnection;
  /** Both lanes of sync jobs (same prefix): follow-up jobs, schedules (delta lane), the key-wide rate limit. */
  queues: SyncQueues;
  database: Database;
  /**
   * The pool of the sync leases (packages/db `createLeaseDatabase`), apart from `database`: page writes holding
   * every connection of `database` never delay a lease renewal.
   */
  leaseDatabase: Database;
  kombo: KomboClient;
  config: WorkerConfig;
  logger: Logger;
  metrics?: Metrics;
  /** User handlers run inside each page transaction (see README). */
  handlers?: SyncHandlers<Executor>;
  /** The lifecycle decisions' clock (NOT_FOUND grace), epoch ms. Default `Date.now`; tests inject their own. */
  now?: () => number;
}

/** What a job needs: the worker's dependencies, plus what the worker builds from them. */
export interface JobContext extends SyncWorkerDeps {
  /** How the job asks for syncs (follow-ups, resumed work), with the worker's prefix and job options. */
  request: RequestSyncDeps;
  /** Called after each committed page (kicks the change outbox relay). */
  onPageCommitted?: () => void;
  /** Aborts (reason `shutdown`) when the worker stops: running syncs yield at their next page boundary. */
  shutdown?: AbortSignal;
}

/** What a `sync` job did, returned as the job's result (visible in Bull Board). */
export type JobResult =
  | { outcome: 'nothing-to-do' }
  | { outcome: 'no-sync'; reason: string }
  | { outcome: 'synced'; runId: number; mode: RunSummary['mode']; totals: RunSummary['totals'] }
  | { outcome: 'integration-state'; state: string; runId?: number }
  /** Stopped early for `reason`; its unfinished work was handed back (see hand-back-work.ts). */
  | { outcome: 'interrupted'; reason: YieldReason; runId: number }
  | { outcome: 'handed-on'; lane: SyncLane };
