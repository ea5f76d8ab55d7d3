// Test helpers of the worker (`@kombo-sync/worker/testing`), for its tests and the cross-app tests in test/.
export * from './worker-harness.js';
export { createWorkerHttpServer } from '../create-worker-http-server.js';
export { createEnvironmentClients, checkEnvironmentKeys } from '../environment-clients.js';
