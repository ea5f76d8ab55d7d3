import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { JobSchedulerJson, Queue } from 'bullmq';
import { createRedis } from './create-redis.js';
import { QUEUE_DATA_VERSION } from './data-version.js';
import { createSyncQueue } from './ensure-sync-job.js';
import { SCHEDULED_SYNC_JOB_NAME } from './names.js';
import { schedulePhaseMs } from './schedule-phase.js';
import { registerSchedules } from './schedules.js';
import type { RedisConnection } from './create-redis.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const every = { fullEveryMs: 7 * 24 * HOUR_MS, safetyNetEveryMs: 6 * HOUR_MS };
const FLEET = 1_000;

const prefix = `{test-sched-${randomUUID().slice(0, 8)}}`;
let redis: RedisConnection;
let queue: Queue;

beforeAll(() => {
  redis = createRedis(TEST_REDIS_URL, { role: 'client' });
  queue = createSyncQueue(redis, { prefix });
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const ids = Array.from({ length: FLEET }, (_, i) => `personio:fleet-${i}`);

async function registerAll(integrationIds: readonly string[], intervals = every): Promise<void> {
  // 50 at a time: a burst of creations, as when a customer batch is onboarded.
  for (let i = 0; i < integrationIds.length; i += 50)
    await Promise.all(integrationIds.slice(i, i + 50).map((id) => registerSchedules(queue, id, intervals)));
}

async function nextRuns(): Promise<Map<string, number>> {
  const schedulers: JobSchedulerJson[] = await queue.getJobSchedulers();
  return new Map(
    schedulers
      .filter((s) => s.key.startsWith('sync:'))
      .map((s) => [s.key.slice('sync:'.length), s.next as number]),
  );
}

function busiestMinuteShare(times: Iterable<number>): number {
  const perMinute = new Map<number, number>();
  let total = 0;
  for (const time of times) {
    const minute = Math.floor(time / MINUTE_MS);
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    total += 1;
  }
  return Math.max(...perMinute.values()) / total;
}

describe('registerSchedules on phases', () => {
  it('spreads 1,000 integrations registered at once: at most 2% due in the busiest minute', async () => {
    const registeredAt = Date.now();
    await registerAll(ids);
    const runs = await nextRuns();
    expect(runs.size).toBe(FLEET);
    expect(busiestMinuteShare(runs.values())).toBeLessThanOrEqual(0.02);
    for (const [id, next] of runs) {
      // On the id's phase, between half an interval and one and a half after registration.
      expect((next - schedulePhaseMs(id, every.safetyNetEveryMs)) % every.safetyNetEveryMs).toBe(0);
      expect(next).toBeGreaterThanOrEqual(registeredAt + every.safetyNetEveryMs / 2);
      expect(next).toBeLessThan(Date.now() + 1.5 * every.safetyNetEveryMs);
    }
    // The next iteration is a delayed job at that time, as BullMQ runs it; the worker decides full or delta.
    const [id, next] = [...runs][0]!;
    const job = await queue.getJob(`repeat:sync:${id}:${next}`);
    expect(job?.name).toBe(SCHEDULED_SYNC_JOB_NAME);
    expect(job?.data).toEqual({ v: QUEUE_DATA_VERSION, integrationId: id });
    expect(await job?.getState()).toBe('delayed');
  });

  it('re-registration (every worker start) keeps every next run; one scheduler per integration', async () => {
    const before = await nextRuns();
    await registerAll(ids);
    expect(await nextRuns()).toEqual(before);
    expect(await queue.getDelayedCount()).toBe(FLEET);
  });

  it('a new interval keeps the id-derived phase', async () => {
    const some = ids.slice(0, 20);
    const intervals = { ...every, safetyNetEveryMs: 2 * HOUR_MS };
    await registerAll(some, intervals);
    const runs = await nextRuns();
    for (const id of some) {
      const next = runs.get(id) as number;
      expect((next - schedulePhaseMs(id, intervals.safetyNetEveryMs)) % intervals.safetyNetEveryMs).toBe(0);
      const scheduler = await queue.getJobScheduler(`sync:${id}`);
      expect(scheduler?.every).toBe(intervals.safetyNetEveryMs);
    }
    await registerAll(some);
  });

  it('ticks at the full interval when it is the shorter one', async () => {
    const id = 'personio:short-full';
    await registerSchedules(queue, id, { fullEveryMs: HOUR_MS, safetyNetEveryMs: 6 * HOUR_MS });
    expect((await queue.getJobScheduler(`sync:${id}`))?.every).toBe(HOUR_MS);
  });

  it('replaces the two schedulers of earlier versions by one', async () => {
    const id = 'personio:two-schedulers';
    for (const [kind, everyMs] of [
      ['full', every.fullEveryMs],
      ['safety', every.safetyNetEveryMs],
    ] as const) {
      await queue.upsertJobScheduler(
        `${kind}:${id}`,
        { every: everyMs, startDate: Date.now() + everyMs },
        {
          name: SCHEDULED_SYNC_JOB_NAME,
          data: { integrationId: id, kind: kind === 'full' ? 'full' : 'delta' },
        },
      );
    }
    await registerSchedules(queue, id, every);
    const keys = (await queue.getJobSchedulers()).map((s) => s.key).filter((key) => key.endsWith(`:${id}`));
    expect(keys).toEqual([`sync:${id}`]);
  });

  it('moves a scheduler registered off its phase to the phase slot nearest its next run', async () => {
    const id = 'personio:legacy';
    const registeredAt = Date.now();
    // As registered before phases: one interval after registration, wherever that falls.
    await queue.upsertJobScheduler(
      `sync:${id}`,
      { every: every.safetyNetEveryMs, startDate: registeredAt + every.safetyNetEveryMs },
      { name: SCHEDULED_SYNC_JOB_NAME, data: { integrationId: id } },
    );
    const legacyNext = (await queue.getJobScheduler(`sync:${id}`))?.next as number;
    await registerSchedules(queue, id, every);
    const moved = (await queue.getJobScheduler(`sync:${id}`))?.next as number;
    expect((moved - schedulePhaseMs(id, every.safetyNetEveryMs)) % every.safetyNetEveryMs).toBe(0);
    expect(Math.abs(moved - legacyNext)).toBeLessThanOrEqual(every.safetyNetEveryMs / 2);
    expect(await queue.getJob(`repeat:sync:${id}:${legacyNext}`)).toBeUndefined();
    await registerSchedules(queue, id, every);
    expect((await queue.getJobScheduler(`sync:${id}`))?.next).toBe(moved);
  });
});
