// The worker for tests (`@kombo-sync/worker/testing`): its test harness, and the pieces tests and the bench compose.
// Tests of other apps, test/ and bench/ reach the worker only here.
export * from './worker-harness.js';
export { createSyncWorker, type SyncWorker, type SyncWorkerDeps } from '../create-sync-worker.js';
export { createKomboSyncSource } from '../kombo-sync-source.js';
export { workerConfig, type WorkerConfig, type WorkerConfigOverrides } from '../worker-config.js';
export { createDeliveryDispatcher, deliveryConfigOf, type DeliveryConfig } from '../dispatch-deliveries.js';
export { createWorkerHttpServer } from '../create-worker-http-server.js';
export { createEnvironmentClients, checkEnvironmentKeys } from '../environment-clients.js';
