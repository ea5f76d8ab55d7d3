export {
  createDatabase,
  DatabaseConnectionError,
  describeDatabaseUrl,
  isStoreUnavailableError,
  type CreateDatabaseOptions,
  type Database,
  type DbLike,
  type Executor,
} from './create-database.js';
export { migrate, MIGRATIONS_FOLDER } from './migrate.js';
export { describeOldSchema, exitIfSchemaOld, readSchemaStatus, type SchemaStatus } from './check-schema.js';
export { withTransaction } from './with-transaction.js';
export { PoisonPageError, writePage, type WritePageOptions } from './write-page.js';
export { createPgSyncStore, type PgSyncStoreOptions } from './pg-sync-store.js';
export {
  countQuarantined,
  countQuarantinedByReason,
  listQuarantined,
  listQuarantinedIds,
  listQuarantineKeys,
  quarantineKeyOf,
  quarantineRecords,
  releaseQuarantined,
  type QuarantineCount,
  type QuarantineEntry,
  type QuarantinedRecordSummary,
} from './quarantine-store.js';
export {
  boundText,
  isDataSqlstate,
  MAX_ERROR_TEXT_LENGTH,
  redactQuotedValues,
  safeErrorText,
  SafeStoreError,
  sqlstateOf,
  toSafeStoreError,
} from './safe-error.js';
export { storableString } from './storable-text.js';
export { PassLostError, reconcileDeletions } from './reconcile-deletions.js';
export {
  checkpointPass,
  discardPass,
  discardPasses,
  getOpenPasses,
  openPass,
  openPassPages,
  PASS_MARKER_ID,
} from './sync-passes-store.js';
export { syncPasses, type SyncPassRow } from './schema/sync-passes.js';
export {
  addPendingEmbedded,
  clearPendingEmbedded,
  discardPendingEmbedded,
  listPendingEmbedded,
} from './embedded-refresh-pending-store.js';
export { embeddedRefreshPending } from './schema/embedded-refresh-pending.js';
export { fetchOrder, lastFetchOrder, FETCH_ORDERS_PER_RUN, MAX_FETCH_ORDER_RUN_ID } from './fetch-order.js';
export {
  clearIntegrationNotFound,
  countNotFoundFlagged,
  getIntegration,
  getPauseState,
  listIntegrations,
  markIntegrationDeleted,
  setIntegrationState,
  upsertIntegration,
  type IntegrationInput,
  type IntegrationStateInput,
} from './integrations-store.js';
export {
  controlsOf,
  setIntegrationControls,
  type IntegrationControls,
  type IntegrationControlsInput,
} from './integration-controls-store.js';
export {
  commitModelSuccess,
  getSyncStates,
  hasCommittedData,
  recordModelFailure,
  recordModelSkipped,
} from './sync-state-store.js';
export {
  finishRun,
  getRecentRuns,
  startRun,
  type StartRunInput,
  type YieldedModelCounts,
} from './sync-runs-store.js';
export {
  countRows,
  deleteIntegrationData,
  markIntegrationDataDeleted,
  purgeDeletedRows,
  markModelDataDeleted,
  type RowCounts,
} from './integration-data.js';
export { integrations, type IntegrationRow } from './schema/integrations.js';
export {
  customFieldDefinitions,
  integrationFieldDefinitions,
  type CustomFieldDefinitionRow,
  type IntegrationFieldDefinitionRow,
} from './schema/field-definitions.js';
export {
  deleteFieldDefinitions,
  getFieldDefinitions,
  recordFieldDefinitionsError,
  replaceFieldDefinitions,
  type CustomFieldDefinitionInput,
  type FieldDefinitionCounts,
  type FieldDefinitionsInput,
  type IntegrationFieldDefinitionInput,
} from './field-definitions-store.js';
export { connectionFlowFailures, type ConnectionFlowFailureRow } from './schema/connection-flow-failures.js';
export {
  CONNECTION_FLOW_FAILURE_RETENTION_DAYS,
  KOMBO_INACTIVE_STATES,
  KOMBO_SYNC_FAILURE_STATES,
  listConnectionFlowFailures,
  loadIntegrationHealth,
  recordConnectionFlowFailure,
  recordKomboState,
  recordKomboSync,
  type ConnectionFlowFailureInput,
  type IntegrationHealth,
  type KomboStateInput,
  type KomboSyncInput,
  type RecordedKomboState,
} from './integration-health-store.js';
export { syncState, type SyncStateRow } from './schema/sync-state.js';
export {
  syncRuns,
  type ModelRunCounts,
  type ModelRunStatus,
  type SyncKind,
  type SyncRunRow,
  type SyncRunStatus,
} from './schema/sync-runs.js';
export { syncSeenIds } from './schema/sync-seen-ids.js';
export { purgedRecords, type PurgedRecordRow } from './schema/purged-records.js';
export { listPurgedRecords } from './purged-records-store.js';
export {
  quarantinedRecords,
  type QuarantinedRecordRow,
  type QuarantineReasonClass,
} from './schema/quarantined-records.js';
export { buildModelTable, modelTables, type ModelTable } from './schema/model-tables.js';
export {
  countChangeOutbox,
  drainChangeOutbox,
  writeChangeOutbox,
  type ChangeOutboxInput,
} from './change-outbox-store.js';
export { changeOutbox, type ChangeOutboxRow } from './schema/change-outbox.js';
export {
  acquireLease,
  assertFence,
  attachRunToLease,
  closeAbandonedRuns,
  createLeaseDatabase,
  FenceLostError,
  LEASE_POOL_SIZE,
  releaseLease,
  renewLease,
  withFencedTransaction,
  type AcquireLeaseInput,
  type AcquireLeaseResult,
  type Fence,
} from './sync-leases-store.js';
export { syncLeases, type SyncLeaseRow } from './schema/sync-leases.js';
export { findEmbeddingParents } from './find-embedding-parents.js';
export {
  finishModelProgress,
  getModelProgress,
  listRunningEstimates,
  listRunningProgress,
  startModelProgress,
  updateModelProgress,
  type ProgressCountsInput,
  type StartProgressInput,
} from './sync-progress-store.js';
export { syncProgress, type ProgressStatus, type SyncProgressRow } from './schema/sync-progress.js';
export { estimateProgress, type ProgressEstimate } from './estimate-progress.js';
export { listSyncLags, type SyncLag } from './list-sync-lags.js';
export {
  ATTENTION_FILTERS,
  DEFAULT_LAG_THRESHOLD_MS,
  isStatusFilterName,
  STATUS_FILTER_NAMES,
  STATUS_FILTERS,
  type HealthState,
  type StatusClock,
  type StatusFilter,
  type StatusFilterName,
} from './status-filters.js';
export type {
  IntegrationStatus,
  KomboSync,
  ModelError,
  RunDetail,
  RunningProgress,
  RunStatusRow,
} from './integration-status.js';
export {
  countIntegrationStatus,
  DEFAULT_STATUS_PAGE_SIZE,
  listIntegrationStatus,
  MAX_STATUS_PAGE_SIZE,
  type StatusPage,
  type StatusQuery,
} from './list-integration-status.js';
export { loadFleetSummary, type FleetSummary } from './load-fleet-summary.js';
export { claimMaintenance, finishMaintenance } from './maintenance-store.js';
export { maintenanceRuns, type MaintenanceRunRow } from './schema/maintenance-runs.js';
export { pruneHistory, type HistoryPruned, type PruneHistoryOptions } from './prune-history.js';
export { loadFleetStatus, type FleetStatus } from './load-fleet-status.js';
export {
  loadIntegrationStatus,
  type IntegrationStatusDetail,
  type ModelStatusRow,
} from './load-integration-status.js';
export {
  createWebhookEndpoint,
  deadLetterWaiting,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  WebhookEndpointNotFoundError,
  type WebhookEndpointChange,
  type WebhookEndpointInput,
} from './webhook-endpoints-store.js';
export { MAX_IDS_PER_MESSAGE, writeWebhookMessages } from './webhook-messages-store.js';
export {
  claimDeliveries,
  hasWaitingDeliveries,
  nextDeliveryDueAt,
  type ClaimDeliveriesOptions,
  type ClaimedDelivery,
} from './delivery-claims-store.js';
export { finishDelivery, type FinishDeliveryInput } from './delivery-attempts-store.js';
export {
  disableEndpoint,
  listEndpointDeliveryStats,
  type EndpointDeliveryStats,
} from './webhook-endpoint-health-store.js';
export {
  listDeliveries,
  listDeliveryAttempts,
  replayDeliveries,
  type DeliveryAttemptEntry,
  type DeliveryLogEntry,
  type ReplayDeliveriesInput,
} from './delivery-log-store.js';
export { pruneDeliveries } from './prune-deliveries.js';
export { webhookEndpoints, type WebhookEndpointRow } from './schema/webhook-endpoints.js';
export {
  webhookDeliveries,
  webhookDeliveryAttempts,
  webhookMessages,
  webhookSequences,
  type DeliveryState,
  type WebhookDeliveryAttemptRow,
  type WebhookDeliveryRow,
} from './schema/webhook-deliveries.js';
