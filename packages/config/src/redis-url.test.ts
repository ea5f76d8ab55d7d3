import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  ConfigError,
  envVar,
  loadConfig,
  loggingSettings,
  parseRedisUrl,
  redisHashTag,
  redisSettings,
  RedisUrlError,
} from './index.js';

function problemsOf(fn: () => unknown): { variable: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseRedisUrl', () => {
  it('keeps a standalone URL as it is', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({
      kind: 'standalone',
      url: 'redis://127.0.0.1:6379',
    });
    expect(parseRedisUrl('rediss://u:p@cache.example.com:6380/2').kind).toBe('standalone');
  });

  it('reads the seed nodes, credentials and TLS of a cluster URL', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      isTls: false,
    });
    expect(
      parseRedisUrl('rediss+cluster://app:p%40ss%3Aw@redis-a.internal:6379, redis-b.internal:6379/'),
    ).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-a.internal', port: 6379 },
        { host: 'redis-b.internal', port: 6379 },
      ],
      username: 'app',
      password: 'p@ss:w',
      isTls: true,
    });
    expect(parseRedisUrl('redis+cluster://:secret@[::1]:7000/0')).toMatchObject({
      nodes: [{ host: '::1', port: 7000 }],
      password: 'secret',
    });
  });

  it('explains what is wrong without echoing the URL', () => {
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1:6379', /must be a URL of one of the forms/],
      ['not a url', /must be a URL of one of the forms/],
      ['redis+cluster://', /lists no cluster node/],
      ['redis+cluster://:hunter2@10.0.0.1:7000,10.0.0.2', /cluster node 2 of 2 is not host:port/],
      ['redis+cluster://10.0.0.1:70000', /cluster node 1 of 1 is not host:port/],
      ['redis+cluster://10.0.0.1:7000/3', /only database 0/],
      ['redis+cluster://10.0.0.1:7000?tls=1', /no query or fragment/],
    ];
    for (const [url, message] of cases) {
      let error: unknown;
      try {
        parseRedisUrl(url);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RedisUrlError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('redisHashTag', () => {
  it('finds the tag as Redis does', () => {
    expect(redisHashTag('{kombo-sync}')).toBe('kombo-sync');
    expect(redisHashTag('app:{fleet-a}:x')).toBe('fleet-a');
    expect(redisHashTag('{}x{y}')).toBeUndefined();
    expect(redisHashTag('kombo-sync')).toBeUndefined();
    expect(redisHashTag('{open')).toBeUndefined();
  });
});

describe('REDIS_URL and QUEUE_PREFIX', () => {
  it('accepts a cluster URL with a hash-tagged prefix', () => {
    expect(loadConfig(redisSettings, { REDIS_URL: 'redis+cluster://127.0.0.1:7000' })).toEqual({
      redisUrl: 'redis+cluster://127.0.0.1:7000',
      queuePrefix: '{kombo-sync}',
      jobAttempts: 8,
    });
  });

  it('names REDIS_URL for a malformed cluster URL', () => {
    expect(problemsOf(() => loadConfig(redisSettings, { REDIS_URL: 'redis+cluster://a:1,b' }))).toEqual([
      { variable: 'REDIS_URL', message: expect.stringMatching(/cluster node 2 of 2/) as unknown as string },
    ]);
  });

  it('refuses a prefix without a hash tag on a cluster, however the schema was composed', () => {
    const env = { REDIS_URL: 'redis+cluster://127.0.0.1:7000', QUEUE_PREFIX: 'kombo-sync' };
    const composed = { ...redisSettings, other: envVar('OTHER', z.string().default('x')) };
    for (const schema of [redisSettings, composed, { ...loggingSettings, ...redisSettings }]) {
      expect(problemsOf(() => loadConfig(schema, env))).toEqual([
        { variable: 'QUEUE_PREFIX', message: expect.stringMatching(/hash tag/) as unknown as string },
      ]);
    }
    // Standalone Redis has no slots: any prefix works, as before.
    expect(loadConfig(redisSettings, { QUEUE_PREFIX: 'kombo-sync' }).queuePrefix).toBe('kombo-sync');
  });

  it('reports the cluster rule together with the other problems', () => {
    const problems = problemsOf(() =>
      loadConfig(redisSettings, {
        REDIS_URL: 'redis+cluster://127.0.0.1:7000',
        QUEUE_PREFIX: 'x',
        SYNC_JOB_ATTEMPTS: '0',
      }),
    );
    expect(problems.map((p) => p.variable).sort()).toEqual(['QUEUE_PREFIX', 'SYNC_JOB_ATTEMPTS']);
  });
});
