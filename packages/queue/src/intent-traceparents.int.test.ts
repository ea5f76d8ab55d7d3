import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createRedis, type RedisConnection } from './create-redis.js';
import { MAX_INTENT_TRACEPARENTS } from './intent.js';
import { intentKeys } from './names.js';
import { completeIntent, peekIntent, recordIntent, takeIntent } from './intents.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const prefix = `{test-traceparents-${randomUUID().slice(0, 8)}}`;
let redis: RedisConnection;

beforeAll(() => {
  redis = createRedis(TEST_REDIS_URL, { role: 'client' });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const traceparent = (n: number) => `00-${n.toString(16).padStart(32, '0')}-${'b'.repeat(16)}-01`;
const record = (integrationId: string, traceparents?: string[]) =>
  recordIntent(redis, prefix, {
    integrationId,
    replayTtlSeconds: 60,
    intent: {
      models: ['hris_employees'],
      triggers: ['data-changed'],
      ...(traceparents ? { traceparents } : {}),
    },
  });

describe('intent trace contexts', () => {
  it('stores nothing for them when no request was traced', async () => {
    await record('untraced');
    await record('untraced');
    expect(await redis.get(intentKeys.pending(prefix, 'untraced'))).not.toContain('traceparents');
    expect(await peekIntent(redis, prefix, 'untraced')).not.toHaveProperty('traceparents');
  });

  it('keeps each contributing traceparent once, newest last, at most MAX_INTENT_TRACEPARENTS', async () => {
    await record('traced', [traceparent(1)]);
    await record('traced');
    await record('traced', [traceparent(1)]);
    await record('traced', [traceparent(2)]);
    expect((await peekIntent(redis, prefix, 'traced'))?.traceparents).toEqual([
      traceparent(1),
      traceparent(2),
    ]);
    for (let n = 3; n <= MAX_INTENT_TRACEPARENTS + 5; n += 1) await record('traced', [traceparent(n)]);
    const kept = (await peekIntent(redis, prefix, 'traced'))?.traceparents;
    expect(kept).toHaveLength(MAX_INTENT_TRACEPARENTS);
    expect(kept?.at(-1)).toBe(traceparent(MAX_INTENT_TRACEPARENTS + 5));
  });

  it('carries them through take (merged with a failed attempt left in flight) and a handed-on remainder', async () => {
    await record('flight', [traceparent(1)]);
    const first = await takeIntent(redis, prefix, 'flight');
    await record('flight', [traceparent(2)]);
    const second = await takeIntent(redis, prefix, 'flight');
    expect(first?.traceparents).toEqual([traceparent(1)]);
    expect(second?.traceparents).toEqual([traceparent(1), traceparent(2)]);
    await completeIntent(redis, prefix, 'flight', second!.takeId, {
      models: ['hris_employees'],
      traceparents: second!.traceparents!,
    });
    expect((await peekIntent(redis, prefix, 'flight'))?.traceparents).toEqual([
      traceparent(1),
      traceparent(2),
    ]);
  });
});
