import type { RedisConnection } from './create-redis.js';
import { runScript } from './intent-scripts.js';
import { workerKeys } from './names.js';

/** How often a worker process sends its heartbeat, ms. */
export const WORKER_HEARTBEAT_INTERVAL_MS = 10_000;
/** A worker whose last heartbeat is older than this is not live, ms (three missed beats). */
export const WORKER_LIVE_WINDOW_MS = 3 * WORKER_HEARTBEAT_INTERVAL_MS;
/** Heartbeats older than this are removed from the set (by the next beat of any worker), ms. */
const HEARTBEAT_FORGET_MS = 60 * 60 * 1000;

// Redis's clock, never a worker's: workers on machines whose clocks differ still count each other right.
const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const BEAT_LUA = `${NOW_MS}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return now`;

const COUNT_LIVE_LUA = `${NOW_MS}
return redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')`;

/**
 * Records that worker `workerId` (e.g. `<host>:<pid>`) is alive, in one sorted set of the fleet scored by Redis's
 * time; also forgets heartbeats older than an hour, so the set holds about as many members as there are workers.
 */
export async function beatWorkerHeartbeat(
  redis: RedisConnection,
  prefix: string,
  workerId: string,
): Promise<void> {
  await runScript(redis, BEAT_LUA, [workerKeys.heartbeats(prefix)], [workerId, HEARTBEAT_FORGET_MS]);
}

/** Removes the worker's heartbeat (a clean shutdown): it stops counting as live at once. */
export async function endWorkerHeartbeat(
  redis: RedisConnection,
  prefix: string,
  workerId: string,
): Promise<void> {
  await redis.zrem(workerKeys.heartbeats(prefix), workerId);
}

/** Worker processes whose last heartbeat is at most `windowMs` old (default {@link WORKER_LIVE_WINDOW_MS}). */
export async function countLiveWorkers(
  redis: RedisConnection,
  prefix: string,
  windowMs: number = WORKER_LIVE_WINDOW_MS,
): Promise<number> {
  return Number(await runScript(redis, COUNT_LIVE_LUA, [workerKeys.heartbeats(prefix)], [windowMs]));
}

/**
 * Beats at once and then every {@link WORKER_HEARTBEAT_INTERVAL_MS} until the returned stop is called, which also
 * removes the heartbeat. A failed beat (Redis down) is passed to `onError`; the next one tries again.
 */
export function startWorkerHeartbeat(
  redis: RedisConnection,
  { prefix, workerId, onError }: { prefix: string; workerId: string; onError: (err: unknown) => void },
): () => Promise<void> {
  const beat = () => void beatWorkerHeartbeat(redis, prefix, workerId).catch(onError);
  beat();
  const timer = setInterval(beat, WORKER_HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await endWorkerHeartbeat(redis, prefix, workerId).catch(onError);
  };
}
