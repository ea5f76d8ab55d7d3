export {
  CHANGES_JOB_NAME,
  CHANGES_QUEUE,
  DEFAULT_QUEUE_PREFIX,
  SCHEDULED_SYNC_JOB_NAME,
  SIGNAL_JOB_NAME,
  SIGNALS_QUEUE,
  SYNC_JOB_NAME,
  SYNC_BULK_QUEUE,
  SYNC_ONBOARDING_QUEUE,
  SYNC_QUEUE,
  budgetKeys,
  scheduleKeys,
  changeFeedKeys,
  intentKeys,
  workerKeys,
} from './names.js';
export {
  createSignalQueue,
  komboSignalSchema,
  queueSignal,
  signalJobDataSchema,
  type KomboSignal,
  type SignalJobData,
} from './kombo-signals.js';
export {
  beatWorkerHeartbeat,
  countLiveWorkers,
  endWorkerHeartbeat,
  startWorkerHeartbeat,
  WORKER_HEARTBEAT_INTERVAL_MS,
  WORKER_LIVE_WINDOW_MS,
} from './worker-heartbeat.js';
export {
  createRedis,
  redisOptions,
  type CreateRedisOptions,
  type RedisConnection,
  type RedisRole,
} from './create-redis.js';
export {
  checkRedisAtStart,
  checkRedisAtStartOrExit,
  describeRedisUrl,
  RedisStartupError,
} from './check-redis-at-start.js';
export { redactRedisError } from './redact-redis-errors.js';
export {
  MAX_INTENT_REQUEST_IDS,
  MAX_INTENT_TRACEPARENTS,
  MAX_INTENT_TRIGGERS,
  integrationCreatedDataSchema,
  integrationDeletedDataSchema,
  integrationStateChangedDataSchema,
  parseStoredIntent,
  type Intent,
  type IntentSlice,
  type IntegrationCreatedData,
  type IntegrationDeletedData,
  type IntegrationStateChangedData,
} from './intent.js';
export {
  completeIntent,
  dirtyIntegrations,
  markSyncJobQueued,
  peekIntent,
  recordIntent,
  takeIntent,
  type RecordIntentOptions,
  type RecordIntentResult,
  type TakenIntent,
} from './intents.js';
export {
  createSyncQueue,
  DEFAULT_JOB_BACKOFF_MS,
  ensureSyncJob,
  type EnsureSyncJobOptions,
} from './ensure-sync-job.js';
export { registerSchedules, removeSchedules, scheduleTickMs, type ScheduleIntervals } from './schedules.js';
export { isFullSyncDue, type FullSyncDueInput } from './full-sync-due.js';
export { parkIntent } from './park-intent.js';
export {
  applyControlChange,
  publishScheduleDefaults,
  readScheduleDefaults,
  type ControlChangeResult,
  type ControlValues,
} from './integration-controls.js';
export { SCHEDULED_JOB_RETENTION, SYNC_EVENTS_MAX_LEN, SYNC_JOB_RETENTION } from './job-retention.js';
export { loadLaneDepth, type LaneDepth } from './load-lane-depth.js';
export {
  closeSyncQueues,
  createSyncQueues,
  laneQueues,
  SYNC_LANES,
  SYNC_STREAMS,
  type SyncLane,
  type SyncQueues,
} from './sync-queues.js';
export {
  bulkLaneOf,
  isNextSlice,
  laneOf,
  priorityOf,
  requestSync,
  requestSyncDeps,
  SLICE_PRIORITY_PAGES,
  type RequestSyncDeps,
  type RequestSyncResult,
  type SyncRequest,
  type SyncRequestSettings,
} from './request-sync.js';
export { nextPhaseSlotMs, schedulePhaseMs } from './schedule-phase.js';
export {
  createChangeFeed,
  createChangesQueue,
  changeFeedDroppedCount,
  DEFAULT_CHANGE_FEED_MAX_MESSAGES,
  type ChangeFeed,
  type ChangeFeedEntry,
} from './change-feed.js';
export {
  changeMessageSchema,
  scheduledSyncJobDataSchema,
  syncJobDataSchema,
  type ChangeMessage,
  type ScheduledSyncJobData,
  type SyncJobData,
} from './job-schemas.js';
export {
  apiKeyHash,
  createRedisRequestBudget,
  type BudgetPermit,
  type BudgetRequest,
  type RedisRequestBudget,
  type RedisRequestBudgetOptions,
} from './request-budget.js';
export {
  budgetParams,
  effectiveRate,
  type BudgetParams,
  type RequestBudgetOptions,
} from './request-budget-params.js';
export {
  contextWithTraceparent,
  isSampledTraceparent,
  spanContextOfTraceparent,
  traceparentOf,
} from './trace-context.js';
export {
  assertReadableJobData,
  dataVersionOf,
  NewerQueueDataError,
  QUEUE_DATA_VERSION,
} from './data-version.js';
