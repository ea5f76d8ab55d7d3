/**
 * Schedule spread: a burst of integrations registers its schedules at once (as when a batch of customers is
 * onboarded), and the share of their schedulers due in the busiest minute is read back from Redis
 * (`getJobSchedulers()`), for the id-hashed phases (`registerSchedules`) and for the naive baseline that starts
 * each scheduler one interval after its registration (the rule before phases), on two fresh queue prefixes.
 */
import { randomBytes } from 'node:crypto';
import { createRedis, createSyncQueue, registerSchedules, SCHEDULED_SYNC_JOB_NAME } from '@kombo-sync/queue';
import type { Queue } from 'bullmq';
import { newQueuePrefix } from './fleet.js';

const MINUTE_MS = 60_000;
const INTERVALS = { safetyNetEveryMs: 6 * 60 * MINUTE_MS, fullEveryMs: 7 * 24 * 60 * MINUTE_MS };
const BURST = 50;

/** Share (0..1) of each kind's schedulers due in its busiest minute. */
export interface ScheduleSpread {
  safetyNet: number;
  full: number;
}

export interface SchedulesResult {
  integrations: number;
  phased: ScheduleSpread;
  naive: ScheduleSpread;
}

type Register = (queue: Queue, integrationId: string) => Promise<void>;

/** The registration before phases: each scheduler's first run one interval after its registration. */
const registerNaive: Register = async (queue, integrationId) => {
  for (const [kind, every] of [
    ['full', INTERVALS.fullEveryMs],
    ['safety', INTERVALS.safetyNetEveryMs],
  ] as const) {
    await queue.upsertJobScheduler(
      `${kind}:${integrationId}`,
      { every, startDate: Date.now() + every },
      { name: SCHEDULED_SYNC_JOB_NAME, data: { integrationId, kind: kind === 'full' ? 'full' : 'delta' } },
    );
  }
};

const registerPhased: Register = (queue, integrationId) => registerSchedules(queue, integrationId, INTERVALS);

function busiestMinuteShare(times: readonly number[]): number {
  const perMinute = new Map<number, number>();
  for (const time of times) {
    const minute = Math.floor(time / MINUTE_MS);
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
  }
  return Math.max(...perMinute.values()) / times.length;
}

async function spreadOf(
  redisUrl: string,
  ids: readonly string[],
  register: Register,
): Promise<ScheduleSpread> {
  const prefix = newQueuePrefix();
  const redis = createRedis(redisUrl, { role: 'client' });
  const queue = createSyncQueue(redis, { prefix });
  try {
    for (let i = 0; i < ids.length; i += BURST)
      await Promise.all(ids.slice(i, i + BURST).map((id) => register(queue, id)));
    const schedulers = await queue.getJobSchedulers();
    const nextOf = (kind: string) =>
      schedulers.filter((s) => s.key.startsWith(`${kind}:`)).map((s) => s.next as number);
    const safety = nextOf('safety');
    const full = nextOf('full');
    if (safety.length !== ids.length || full.length !== ids.length)
      throw new Error(
        `expected ${ids.length} schedulers of each kind, read ${safety.length} and ${full.length}`,
      );
    return { safetyNet: busiestMinuteShare(safety), full: busiestMinuteShare(full) };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
    await redis.quit();
  }
}

export async function benchSchedules(opts: {
  redisUrl: string;
  integrations: number;
}): Promise<SchedulesResult> {
  const ids = Array.from(
    { length: opts.integrations },
    () => `personio:${randomBytes(12).toString('base64url')}`,
  );
  const naive = await spreadOf(opts.redisUrl, ids, registerNaive);
  const phased = await spreadOf(opts.redisUrl, ids, registerPhased);
  return { integrations: ids.length, phased, naive };
}
