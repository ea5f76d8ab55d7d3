import type { ModelName } from '@kombo-sync/catalog';
import { configDefaults } from '@kombo-sync/config';
import { DEFAULT_JOB_BACKOFF_MS } from '@kombo-sync/queue';

/** Everything the sync worker is tuned by; `main.ts` fills it from the environment, tests directly. */
export interface WorkerConfig {
  /** Prefix of every Redis key (BullMQ's and the intents'). */
  queuePrefix: string;
  /** Integrations one process syncs at once in the delta lane (changes); BullMQ worker concurrency. */
  workerConcurrency: number;
  /** Integrations one process syncs at once in the bulk lane (full and initial passes), besides the delta slots. */
  bulkConcurrency: number;
  /**
   * Integrations one process syncs at once in the onboarding lane (the first slice of integrations with nothing
   * committed yet), besides the other lanes' slots (WORKER_ONBOARDING_CONCURRENCY).
   */
  onboardingConcurrency: number;
  /**
   * Length of a time slice of a run in the bulk or onboarding lane, ms (SYNC_BULK_SLICE_MS): then the run stops at
   * the next page boundary, keeps its passes' checkpoints and its job waits in line again. 0: no slices.
   */
  bulkSliceMs: number;
  /** BullMQ lock duration, ms: a worker that misses renewing its lock this long is considered stalled. */
  lockDurationMs: number;
  /** How often BullMQ looks for stalled jobs, ms. */
  stalledIntervalMs: number;
  /**
   * How often a job may stall (its worker died or froze) before BullMQ fails it. Default 5: a long full sync of a
   * big integration can meet several deploys or OOM kills, and a stalled job loses nothing (the intent stays in
   * flight, pages are idempotent upserts), so a few recoveries are cheap; 5 still stops a job that kills every
   * worker it lands on.
   */
  maxStalledCount?: number;
  /**
   * How long an integration's sync lease (the fence) lasts unless renewed, ms; renewed every third of it. A run
   * whose worker died blocks the integration this long at most.
   */
  leaseTtlMs: number;
  /**
   * An open full pass whose cursor was checkpointed longer ago than this starts over instead of resuming, ms
   * (SYNC_PASS_CURSOR_MAX_AGE_MS).
   */
  passCursorMaxAgeMs: number;
  /** Attempts of a sync job for retryable faults (SYNC_JOB_ATTEMPTS). */
  jobAttempts: number;
  /** First exponential backoff delay between attempts, ms. Default `DEFAULT_JOB_BACKOFF_MS` (packages/queue). */
  jobBackoffMs?: number;
  /** Most in-flight Kombo requests and models in progress for one integration. */
  concurrencyPerIntegration: number;
  /** Subtracted from the watermark for `updated_after`, ms. */
  overlapMs: number;
  /** Records per Kombo page, 1..250. */
  pageSize: number;
  /** Models to sync; default every catalog model (of the integration's category). */
  enabledModels?: readonly ModelName[];
  /** Periodic full sync per integration, ms. */
  fullIntervalMs: number;
  /** Safety-net delta sync per integration, ms. */
  safetyNetIntervalMs: number;
  /**
   * On `integration-deleted` (the integration is marked deleted and its schedules removed either way): `delete`
   * removes its rows, `soft` keeps them, marked deleted (remote_deleted_at = the deletion time where not set).
   */
  onIntegrationDeleted: 'delete' | 'soft';
  /** Rows Kombo deleted longer ago than this many days are purged (SYNC_DELETED_RETENTION_DAYS); unset: kept. */
  deletedRetentionDays?: number;
  /** Drop every `remote_data` member of Kombo's records before storing (SYNC_STORE_REMOTE_DATA=false); unset: kept. */
  shouldStripRemoteData?: boolean;
  /**
   * How long Kombo must keep answering INTEGRATION_NOT_FOUND for a known integration before it is marked NOT_FOUND
   * and its schedules removed, ms (SYNC_NOT_FOUND_GRACE_MS). Until then it is only flagged. Default: its schema's.
   */
  notFoundGraceMs?: number;
  /**
   * How long Kombo may report a model unavailable (MODEL_NOT_AVAILABLE, MODEL_DISABLED) before its rows are marked
   * deleted, ms (SYNC_MODEL_UNAVAILABLE_GRACE_MS). Default: its schema's (Kombo's policy for a turned-off model).
   */
  modelUnavailableGraceMs?: number;
  /** Wait after a key-wide 429 that named no reset time, ms. Default 60000. */
  rateLimitFallbackMs?: number;
  /** Wait after an integration-level 429 or a 409 setup pending that named no time, ms. Default 30000. */
  integrationDelayFallbackMs?: number;
  /**
   * The change feed (CHANGE_FEED=on): unset, it is off: no change_outbox rows, no relay, no feed keys in Redis.
   * `maxMessages` bounds the messages waiting for a consumer (CHANGE_FEED_MAX_MESSAGES); the oldest beyond it are
   * dropped.
   */
  changeFeed?: { maxMessages: number };
  /** How often the change outbox relay runs besides after each page, ms. Default 1000. */
  outboxIntervalMs?: number;
  /** Least time between two progress writes of one model's pass, ms. Default 1000 (track-progress.ts). */
  progressIntervalMs?: number;
}

export const DEFAULT_MAX_STALLED_COUNT = 5;
export const DEFAULT_RATE_LIMIT_FALLBACK_MS = 60_000;
export const DEFAULT_INTEGRATION_DELAY_FALLBACK_MS = 30_000;
export const DEFAULT_OUTBOX_INTERVAL_MS = 1_000;
/** How often each worker purges rows past the deletion retention, ms. */
export const DELETED_PURGE_INTERVAL_MS = 60 * 60 * 1000;
/** Defaults of settings read from the environment: those of their config schemas (packages/config). */
export const DEFAULT_NOT_FOUND_GRACE_MS = configDefaults.SYNC_NOT_FOUND_GRACE_MS;
export const DEFAULT_MODEL_UNAVAILABLE_GRACE_MS = configDefaults.SYNC_MODEL_UNAVAILABLE_GRACE_MS;
export { DEFAULT_JOB_BACKOFF_MS };
