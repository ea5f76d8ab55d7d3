import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createRedis } from './create-redis.js';
import {
  beatWorkerHeartbeat,
  countLiveWorkers,
  startWorkerHeartbeat,
  WORKER_LIVE_WINDOW_MS,
} from './worker-heartbeat.js';
import { workerKeys } from './names.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const redis = createRedis(TEST_REDIS_URL, { role: 'client' });
const prefix = `{hb-${randomBytes(4).toString('hex')}}`;
afterAll(async () => {
  await redis.del(workerKeys.heartbeats(prefix));
  await redis.quit();
});

describe('worker heartbeats', () => {
  it('count the workers that beat within the window, by Redis time; a stopped one leaves at once', async () => {
    expect(await countLiveWorkers(redis, prefix)).toBe(0);
    const stopA = startWorkerHeartbeat(redis, {
      prefix,
      workerId: 'host:1',
      onError: (err) => {
        throw err;
      },
    });
    await beatWorkerHeartbeat(redis, prefix, 'host:2');
    await beatWorkerHeartbeat(redis, prefix, 'host:2');
    // A worker that died long ago: its last beat is older than the window.
    const key = workerKeys.heartbeats(prefix);
    const [seconds] = await redis.time();
    await redis.zadd(key, Number(seconds) * 1000 - WORKER_LIVE_WINDOW_MS - 1_000, 'host:dead');
    expect(await countLiveWorkers(redis, prefix)).toBe(2);
    await stopA();
    expect(await countLiveWorkers(redis, prefix)).toBe(1);
    expect(await redis.zscore(key, 'host:1')).toBeNull();
  });
});
