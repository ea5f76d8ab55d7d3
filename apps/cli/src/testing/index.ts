// Test helpers of the CLI (`@kombo-sync/cli/testing`), for its tests and the cross-app tests in test/.
export * from './queue-suite.js';
