// Test helpers of @kombo-sync/queue (`@kombo-sync/queue/testing`), never exported from the production entry point.
export { TEST_REDIS_URL } from './test-redis-url.js';
