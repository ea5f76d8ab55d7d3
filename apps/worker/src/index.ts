export { createKomboBudget, type KomboBudgetDeps } from './create-kombo-budget.js';
export { createSyncWorker, type SyncWorker, type SyncWorkerDeps } from './create-sync-worker.js';
export {
  processIntegrationJob,
  SyncRunFailedError,
  type JobContext,
  type JobResult,
} from './process-integration-job.js';
export { classifyError, decideOnError, type ErrorDecision } from './map-error.js';
export { createKomboSyncSource } from './kombo-sync-source.js';
export { createOutboxRelay, outboxJobId, type OutboxRelay } from './outbox-relay.js';
export { loadHandlers } from './load-handlers.js';
export { startSweeper } from './start-sweeper.js';
export type { WorkerConfig } from './worker-config.js';
