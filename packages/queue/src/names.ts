import { defaultsOf, redisSettings } from '@kombo-sync/config';

/**
 * The delta lane: coalesced `sync` jobs for changes (webhooks, manual syncs, safety-net deltas), plus the
 * `scheduled-sync` jobs of the job schedulers. Its slots are never taken by bulk work.
 */
export const SYNC_QUEUE = 'kombo-sync';
/**
 * The bulk lane: coalesced `sync` jobs for full and initial passes, which can run for hours. A pass runs in time
 * slices (`SYNC_BULK_SLICE_MS`); each next slice waits here again, in turn with the other passes.
 */
export const SYNC_BULK_QUEUE = 'kombo-sync-bulk';
/**
 * The onboarding lane: the first slice of an integration with nothing committed yet (a new integration's initial
 * sync), in slots of its own, so a new customer's first rows never wait for someone else's backfill. The rest of
 * the pass continues in the bulk lane.
 */
export const SYNC_ONBOARDING_QUEUE = 'kombo-sync-onboarding';
/** The outbound change feed (off unless CHANGE_FEED=on): one message per committed page with changes. */
export const CHANGES_QUEUE = 'kombo-sync-changes';
/**
 * Kombo's health signals (state changes, Kombo's own sync outcomes, failed connection flows), recorded at once by
 * any worker; not a sync lane.
 */
export const SIGNALS_QUEUE = 'kombo-sync-signals';
/** Job name of a signal to record. */
export const SIGNAL_JOB_NAME = 'record-signal';
/** Job name of the coalesced per-integration sync job. */
export const SYNC_JOB_NAME = 'sync';
/** Job name of the jobs that the schedulers (full / safety-net) produce. */
export const SCHEDULED_SYNC_JOB_NAME = 'scheduled-sync';
/** Job name of a change feed message. */
export const CHANGES_JOB_NAME = 'changes';
/**
 * Default prefix of every Redis key of the fleet (BullMQ's and ours). The braces make it a Redis Cluster hash tag:
 * all keys hash to one slot, so BullMQ's and our multi-key Lua scripts work on Cluster.
 */
export const DEFAULT_QUEUE_PREFIX = defaultsOf(redisSettings).queuePrefix;

/** Our own Redis keys (BullMQ's keys are `<prefix>:<queue name>:...`). All start with the prefix. */
export const intentKeys = {
  /** JSON intent recorded by webhooks/schedules and not yet taken by a run. */
  pending: (prefix: string, integrationId: string) => `${prefix}:intent:pending:${integrationId}`,
  /** JSON intent taken by a run that has not completed (kept for a retry after a crash). */
  inFlight: (prefix: string, integrationId: string) => `${prefix}:intent:in-flight:${integrationId}`,
  /** Set of integrations with a pending intent not yet taken. */
  dirty: (prefix: string) => `${prefix}:intent:dirty`,
  /** `<generation>|<job id>`: the sync job ensured for the pending intent of that generation. */
  queued: (prefix: string, integrationId: string) => `${prefix}:intent:queued:${integrationId}`,
  /** Marker of a webhook event id already recorded (expires after the replay TTL). */
  seenEvent: (prefix: string, eventId: string) => `${prefix}:webhook:seen:${eventId}`,
};

/** Our keys of the schedules. */
export const scheduleKeys = {
  /**
   * JSON `{ fullEveryMs, safetyNetEveryMs }`: the fleet's default intervals, written by every worker at start, so
   * the CLI and the dashboard can reschedule an integration whose own interval an operator changed.
   */
  defaults: (prefix: string) => `${prefix}:schedule:defaults`,
};

/** Our keys of the worker processes. */
export const workerKeys = {
  /** Sorted set: worker id (`<host>:<pid>`) → Redis time (ms) of its last heartbeat. */
  heartbeats: (prefix: string) => `${prefix}:workers:heartbeats`,
};

/** Our keys of the change feed (BullMQ's are `<prefix>:kombo-sync-changes:...`). */
export const changeFeedKeys = {
  /** Messages dropped unread because the feed was at its bound: the `droppedCount` messages carry. */
  dropped: (prefix: string) => `${prefix}:change-feed:dropped`,
};

/**
 * Keys of the fleet's Kombo request budget (one per API key, named by a hash of the key, never the key itself).
 * Under the prefix, so they share the fleet's Redis Cluster slot.
 */
export const budgetKeys = {
  /** Hash: the bucket (tokens, at) and the adaptive rate (rate0, at0). */
  state: (prefix: string, keyHash: string) => `${prefix}:kombo-budget:${keyHash}`,
  /** The Redis time (ms) of the one request of this integration waiting for its slot; expires after it. */
  waiting: (prefix: string, keyHash: string, share: string) =>
    `${prefix}:kombo-budget:${keyHash}:waiting:${share}`,
};
