import { describe, expect, it } from '@jest/globals';
import type { RedisConnection } from './create-redis.js';
import { laneOf, priorityOf, requestSyncDeps } from './request-sync.js';
import type { SyncQueues } from './sync-queues.js';

describe('lanes and priorities', () => {
  it('full passes and new integrations go to the bulk lane, changes to the delta lane', () => {
    expect(laneOf({ models: ['hris_employees'] })).toBe('delta');
    expect(laneOf({ models: 'all' })).toBe('delta');
    expect(laneOf({ models: 'all', full: true })).toBe('bulk');
    expect(laneOf({ created: { id: 'a', tool: 'personio', category: 'HRIS' }, full: true })).toBe('bulk');
  });

  it('what someone waits for goes first: webhooks and manual requests, then schedules', () => {
    // BullMQ takes jobs without a priority first, then by number.
    expect(priorityOf({ triggers: ['data-changed'] }, 'delta')).toBeUndefined();
    expect(priorityOf({ triggers: ['manual'] }, 'delta')).toBeUndefined();
    expect(priorityOf({ triggers: ['schedule:delta'] }, 'delta')).toBe(1);
    expect(priorityOf({ triggers: ['manual'], full: true }, 'bulk')).toBeUndefined();
    expect(priorityOf({ triggers: ['integration-created'], full: true }, 'bulk')).toBe(1);
    expect(priorityOf({ triggers: ['schedule:full'], full: true }, 'bulk')).toBe(2);
  });
});

describe('requestSyncDeps', () => {
  it("takes the prefix and job options from the process's config", () => {
    const redis = {} as RedisConnection;
    const queues = {} as SyncQueues;
    expect(requestSyncDeps(redis, queues, { queuePrefix: '{p}', jobAttempts: 3 })).toEqual({
      redis,
      queues,
      prefix: '{p}',
      jobOptions: { attempts: 3 },
    });
    expect(
      requestSyncDeps(redis, queues, { queuePrefix: '{p}', jobAttempts: 3, jobBackoffMs: 50 }).jobOptions,
    ).toEqual({ attempts: 3, backoffMs: 50 });
  });
});
