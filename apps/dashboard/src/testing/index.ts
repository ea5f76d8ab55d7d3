// Test helpers of the dashboard (`@kombo-sync/dashboard/testing`), for its tests and the cross-app tests in test/.
export * from './dashboard-harness.js';
export * from './launch-chromium.js';
export * from './seed.js';
