// Test support (`@kombo-sync/queue/testing`): the Redis the tests run against.

/** REDIS_URL (jest's global setup starts a Redis when it is unset). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
