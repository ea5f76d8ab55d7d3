import { describe, expect, it } from '@jest/globals';
import type { RedisConnection } from './create-redis.js';
import { bulkLaneOf, laneOf, priorityOf, requestSyncDeps, SLICE_PRIORITY_PAGES } from './request-sync.js';
import type { SyncQueues } from './sync-queues.js';

const created = { id: 'a', tool: 'personio', category: 'HRIS' };

describe('lanes and priorities', () => {
  it('changes go to the delta lane, full passes to the bulk lane', () => {
    expect(laneOf({ models: ['hris_employees'] })).toBe('delta');
    expect(laneOf({ models: 'all' })).toBe('delta');
    expect(laneOf({ models: 'all', full: true })).toBe('bulk');
  });

  it('a new integration’s first slice goes to the onboarding lane, its next slices to the bulk lane', () => {
    expect(laneOf({ created, full: true })).toBe('onboarding');
    expect(laneOf({ models: ['hris_employees'], full: true, slice: 'first' })).toBe('onboarding');
    expect(laneOf({ models: ['hris_employees'], slice: 'first' })).toBe('onboarding');
    expect(laneOf({ models: ['hris_employees'], full: true, slice: 'next' })).toBe('bulk');
    // An initial pass's next slice is no full sync (the models have no watermark) but is bulk work all the same.
    expect(laneOf({ models: ['hris_employees'], slice: 'next' })).toBe('bulk');
    expect(laneOf({ created, full: true, slice: 'next' })).toBe('bulk');
  });

  it('bulk work the delta lane hands on waits in the bulk lane unless it is a new integration’s first slice', () => {
    expect(bulkLaneOf({ models: ['hris_employees'] })).toBe('bulk');
    expect(bulkLaneOf({ models: ['hris_employees'], full: true })).toBe('bulk');
    expect(bulkLaneOf({ models: ['hris_employees'], slice: 'first' })).toBe('onboarding');
    expect(bulkLaneOf({ models: ['hris_employees'], slice: 'next' })).toBe('bulk');
  });

  it('what someone waits for goes first: webhooks and manual requests, then schedules', () => {
    // BullMQ takes jobs without a priority first, then by number.
    expect(priorityOf({ triggers: ['data-changed'] }, 'delta')).toBeUndefined();
    expect(priorityOf({ triggers: ['manual'] }, 'delta')).toBeUndefined();
    expect(priorityOf({ triggers: ['schedule:delta'] }, 'delta')).toBe(1);
    expect(priorityOf({ triggers: ['manual'], full: true }, 'bulk')).toBeUndefined();
    expect(priorityOf({ triggers: ['integration-created'], full: true }, 'bulk')).toBe(1);
    expect(priorityOf({ triggers: ['schedule:full'], full: true }, 'bulk')).toBeGreaterThan(
      priorityOf({ triggers: ['manual'], full: true, slice: 'next' }, 'bulk', 1e12) as number,
    );
    expect(priorityOf({ triggers: ['integration-created'], created }, 'onboarding')).toBe(1);
    expect(priorityOf({ triggers: ['manual'], slice: 'first' }, 'onboarding')).toBeUndefined();
  });

  it('every next slice takes its turn by how much of its passes is done, whatever started its pass', () => {
    for (const triggers of [['manual'], ['schedule:full'], ['integration-created'], ['data-changed']]) {
      const next = { triggers, full: true, slice: 'next' as const };
      expect(priorityOf(next, 'bulk')).toBe(1);
      expect(priorityOf(next, 'bulk', SLICE_PRIORITY_PAGES - 1)).toBe(1);
      expect(priorityOf(next, 'bulk', SLICE_PRIORITY_PAGES)).toBe(2);
      expect(priorityOf(next, 'bulk', 10 * SLICE_PRIORITY_PAGES)).toBe(11);
    }
  });

  it('a pass under way, however far along, waits ahead of periodic full syncs that have not begun', () => {
    const periodic = priorityOf({ triggers: ['schedule:full'], full: true }, 'bulk') as number;
    const farAlong = priorityOf({ triggers: ['schedule:full'], slice: 'next' }, 'bulk', 1e12) as number;
    expect(farAlong).toBeLessThan(periodic);
    // BullMQ's highest priority number.
    expect(periodic).toBeLessThanOrEqual(2 ** 21);
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
