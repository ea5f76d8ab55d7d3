import {
  buildConfig,
  databaseSettings,
  deliverySettings,
  internal,
  komboBudgetSettings,
  komboEnvironmentSettings,
  komboSettings,
  loggingSettings,
  metricsSettings,
  redisSettings,
  syncSettings,
  tracingSettings,
  type Config,
  type ConfigOverrides,
  type SettingsSpec,
} from '@kombo-sync/config';
import { DEFAULT_JOB_BACKOFF_MS, QUEUE_DATA_VERSION } from '@kombo-sync/queue';

/**
 * Everything a worker process is tuned by: the concerns it reads from the environment (packages/config, one entry
 * per variable with its default) and its own settings that no variable sets. `main.ts` loads it with `loadConfig`,
 * tests build it with {@link workerConfig}; either way every default is applied here, once.
 */
export const workerConfigSpec = {
  ...databaseSettings,
  ...redisSettings,
  ...komboSettings,
  ...komboBudgetSettings,
  ...komboEnvironmentSettings,
  ...syncSettings,
  ...metricsSettings,
  ...loggingSettings,
  ...tracingSettings,
  ...deliverySettings,
  /**
   * Whether this process runs a webhook dispatcher (dispatch-deliveries.ts). Every worker process does; tests that
   * drive their own dispatcher (with their own clock) turn it off. Deliveries are written with the pages either way.
   */
  isDispatchingWebhooks: internal(true),
  /**
   * How often a job may stall (its worker died or froze) before BullMQ fails it. A long full sync of a big
   * integration can meet several deploys or OOM kills, and a stalled job loses nothing (the intent stays in flight,
   * pages are idempotent upserts), so a few recoveries are cheap; 5 still stops a job that kills every worker it
   * lands on.
   */
  maxStalledCount: internal(5),
  /** First exponential backoff delay between a sync job's attempts, ms (packages/queue's). */
  jobBackoffMs: internal(DEFAULT_JOB_BACKOFF_MS),
  /** Wait after a key-wide 429 that named no reset time, ms. */
  rateLimitFallbackMs: internal(60_000),
  /** Wait after an integration-level 429 or a 409 setup pending that named no time, ms. */
  integrationDelayFallbackMs: internal(30_000),
  /** How often the change outbox relay runs besides after each page, ms. */
  outboxIntervalMs: internal(1_000),
  /** Least time between two progress writes of one model's pass, ms (track-progress.ts). */
  progressIntervalMs: internal(1_000),
  /**
   * The first check of the fleet's maintenance (the retention tasks) after the worker starts, ms: soon, so workers
   * restarted more often than a task's interval still run it (start-maintenance.ts).
   */
  maintenanceFirstCheckMs: internal(15_000),
  /** How often the worker tries to claim the maintenance tasks, ms (a claim is one UPDATE). */
  maintenanceCheckMs: internal(60_000),
  /** How often each maintenance task runs, fleet-wide, ms. */
  maintenanceTaskIntervalMs: internal(60 * 60 * 1000),
  /**
   * The job and intent data version this worker reads; data stamped higher waits for a newer worker. This
   * release's `QUEUE_DATA_VERSION` (packages/queue): tests set another to stand in for another release.
   */
  dataVersion: internal(QUEUE_DATA_VERSION),
  /** How long a job a newer release wrote waits before a worker looks at it again, ms (plus up to half as jitter). */
  newerDataDelayMs: internal(10_000),
} satisfies SettingsSpec;

/** A worker process's settings, every default applied. */
export type WorkerConfig = Config<typeof workerConfigSpec>;

/** What {@link workerConfig} takes: the Kombo API key, and any setting to override. */
export type WorkerConfigOverrides = ConfigOverrides<typeof workerConfigSpec>;

/** A worker config from typed values (tests, tools): {@link workerConfigSpec}' defaults, then `overrides`. */
export function workerConfig(overrides: WorkerConfigOverrides): WorkerConfig {
  return buildConfig(workerConfigSpec, overrides);
}
