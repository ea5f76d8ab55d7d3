/**
 * Schedule spread: a burst of integrations registers its schedules at once (as when a batch of customers is
 * onboarded), and the share of their scheduled runs due in the busiest minute is read back from Redis
 * (`getJobSchedulers()`), for the id-hashed phases (`registerSchedules`: one scheduler per integration, whose run is
 * the full sync when `isFullSyncDue`) and for the naive baseline of two schedulers that start one interval after
 * their registration (the rule before phases), on two fresh queue prefixes. For the one scheduler, a full sync's
 * time is its first tick at or after the integration's full-interval phase slot, as the worker decides it.
 */
import { randomBytes } from 'node:crypto';
import {
  createRedis,
  createSyncQueue,
  isFullSyncDue,
  nextPhaseSlotMs,
  registerSchedules,
  SCHEDULED_SYNC_JOB_NAME,
  schedulePhaseMs,
} from '@kombo-sync/queue';
import type { Queue } from 'bullmq';
import { newQueuePrefix } from './fleet.js';
import { k, type SectionContext } from './report.js';
import { print } from './services.js';

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

/**
 * When the one scheduler's run is first a full sync: its first tick (from `nextRunMs`, every tick interval) at or
 * after the full-interval phase slot, checked with the worker's own rule.
 */
function firstFullRunMs(integrationId: string, nextRunMs: number, createdAtMs: number): number {
  const tickMs = Math.min(INTERVALS.safetyNetEveryMs, INTERVALS.fullEveryMs);
  const slot = nextPhaseSlotMs(
    schedulePhaseMs(integrationId, INTERVALS.fullEveryMs),
    INTERVALS.fullEveryMs,
    createdAtMs + INTERVALS.fullEveryMs / 2,
  );
  const tick = nextRunMs + Math.max(0, Math.ceil((slot - nextRunMs) / tickMs)) * tickMs;
  const isDue = (nowMs: number) =>
    isFullSyncDue({ integrationId, fullEveryMs: INTERVALS.fullEveryMs, lastFullAtMs: createdAtMs, nowMs });
  if (!isDue(tick) || (tick - tickMs >= nextRunMs && isDue(tick - tickMs)))
    throw new Error(`full-sync tick of ${integrationId} disagrees with isFullSyncDue`);
  return tick;
}

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
    const registeredAtMs = Date.now();
    for (let i = 0; i < ids.length; i += BURST)
      await Promise.all(ids.slice(i, i + BURST).map((id) => register(queue, id)));
    const schedulers = await queue.getJobSchedulers();
    const ofKind = (kind: string) => schedulers.filter((s) => s.key.startsWith(`${kind}:`));
    const one = ofKind('sync');
    let safety: number[];
    let full: number[];
    if (one.length > 0) {
      safety = one.map((s) => s.next as number);
      full = one.map((s) => firstFullRunMs(s.key.slice('sync:'.length), s.next as number, registeredAtMs));
    } else {
      safety = ofKind('safety').map((s) => s.next as number);
      full = ofKind('full').map((s) => s.next as number);
    }
    if (safety.length !== ids.length || full.length !== ids.length)
      throw new Error(`expected ${ids.length} runs of each kind, read ${safety.length} and ${full.length}`);
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

/**
 * The schedules section: Redis only, a few seconds; the same 1,000 integrations under BENCH_QUICK (the figure is
 * about that size).
 */
export async function schedulesSection({ redisUrl, int, compared }: SectionContext): Promise<void> {
  const r = await benchSchedules({ redisUrl, integrations: int('BENCH_SCHEDULE_INTEGRATIONS', 1_000) });
  const pct = (share: number) => +(share * 100).toFixed(2);
  print(
    `schedules, ${r.integrations} integrations registered at once, due in the busiest minute: 6 h safety net ` +
      `${pct(r.phased.safetyNet)}% (naive ${pct(r.naive.safetyNet)}%), weekly full ${pct(r.phased.full)}% ` +
      `(naive ${pct(r.naive.full)}%)`,
  );
  for (const [label, kind] of [
    ['6 h safety net', 'safetyNet'],
    ['weekly full', 'full'],
  ] as const) {
    compared(
      `fleet: schedules due in the busiest minute (${k(r.integrations)} integrations, ${label})`,
      pct(r.phased[kind]),
      '%',
      { name: 'start one interval after registration', value: pct(r.naive[kind]) },
      '≤ 2 %',
      () => r.phased[kind] <= 0.02,
    );
  }
}
