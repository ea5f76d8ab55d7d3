// Test helpers of @kombo-sync/sync (`@kombo-sync/sync/testing`), never exported from the production entry point.
export * from './fakes.js';
export * from './run-test-sync.js';
