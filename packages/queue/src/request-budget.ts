import { createHash } from 'node:crypto';
import { MAX_TIMER_MS } from '@kombo-sync/config';
import { runScript } from './intent-scripts.js';
import { budgetKeys } from './names.js';
import { budgetParams, type RequestBudgetOptions } from './request-budget-params.js';
import { ACQUIRE_LUA, RATE_LIMITED_LUA, RATE_LUA_READ } from './request-budget-scripts.js';
import type { RedisConnection } from './create-redis.js';

/** How long the budget's state outlives its last use (plus any promised slots), ms: long past a full recovery. */
const STATE_TTL_MS = 10 * 60 * 1000;
/** Share of requests that belong to no integration (checkApiKey, komboTime). */
const KEY_LEVEL_SHARE = '-';

/** A request waiting for the budget (structurally `KomboBudgetRequest` of packages/kombo). */
export interface BudgetRequest {
  readonly integrationId?: string;
  readonly signal?: AbortSignal;
}

/** A granted request: when it may go, Redis ms. */
export interface BudgetPermit {
  readonly grantedAtMs: number;
}

export interface RedisRequestBudgetOptions extends RequestBudgetOptions {
  /** The fleet's QUEUE_PREFIX: the budget's keys live under it (same Cluster slot as the rest of the fleet). */
  prefix: string;
  /** The Kombo API key the budget is for; only a hash of it is used, in key names. */
  apiKey: string;
  /** Called once per granted request with how long it waited for the budget, ms (metrics). */
  onWait?: (waitMs: number) => void;
  /** Called with the fleet's effective rate, req/s, whenever a script reports it (metrics). */
  onRate?: (ratePerSecond: number) => void;
  /** Called when a key-wide 429 halved the rate, with the new rate (req/s). */
  onDecrease?: (ratePerSecond: number) => void;
}

/** The fleet's budget (structurally `KomboRequestBudget` of packages/kombo), plus a read of its rate. */
export interface RedisRequestBudget {
  acquire(request: BudgetRequest): Promise<BudgetPermit>;
  onKeyRateLimited(permit: BudgetPermit, error: unknown): Promise<void>;
  /** The effective rate now (req/s) and Redis's time (ms), without taking a token. */
  rate(): Promise<{ ratePerSecond: number; nowMs: number }>;
}

/** A short, stable, non-reversible name for an API key: the first 16 hex digits of its SHA-256. */
export function apiKeyHash(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. A wait longer than Node's longest
 * timer ({@link MAX_TIMER_MS}, which `setTimeout` would fire at once) is slept in steps of at most that.
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const done = (): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const wait = (leftMs: number): void => {
      timer =
        leftMs <= MAX_TIMER_MS
          ? setTimeout(done, leftMs)
          : setTimeout(() => wait(leftMs - MAX_TIMER_MS), MAX_TIMER_MS);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    wait(ms);
  });
}

/** Rejects with the signal's reason if it aborts before `promise` settles. */
function unlessAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * One Kombo request budget per API key, shared by every process that uses the same Redis and `prefix`:
 *
 * - **Rate**: a token bucket (`burst` tokens, refilled at the effective rate) kept in Redis and timed by Redis's
 *   clock. A request takes a token; when none is left it reserves the next slot (the bucket goes into debt) and
 *   sleeps until it, so one script call per request, no polling while the budget is merely busy.
 * - **Adaptive**: a key-wide 429 halves the effective rate (not below `minRequestsPerSecond`) for every process, at
 *   most once per round (a 429 of a request sent before the last decrease is ignored); the rate then grows back by
 *   `recoveryPerSecond` every second up to `maxRequestsPerSecond` (AIMD).
 * - **Fair**: each integration may have at most one request waiting for its slot; its other requests ask again
 *   when that slot comes. The slots form one FIFO line, so among integrations that are waiting, grants go round
 *   robin: a big sync with many requests in flight gets no more of the budget than a small one.
 *
 * `redis` is the caller's (a `worker` connection); it is not closed here.
 */
export function createRedisRequestBudget(
  redis: RedisConnection,
  options: RedisRequestBudgetOptions,
): RedisRequestBudget {
  const params = budgetParams(options);
  const keyHash = apiKeyHash(options.apiKey);
  const stateKey = budgetKeys.state(options.prefix, keyHash);
  const args = [params.maxRate, params.burst, params.minRate, params.recoveryPerSecond, STATE_TTL_MS];

  return {
    async acquire({ integrationId, signal }) {
      const waitingKey = budgetKeys.waiting(options.prefix, keyHash, integrationId ?? KEY_LEVEL_SHARE);
      let waitedMs = 0;
      for (;;) {
        const [isGranted, waitMs, rate, slotMs] = (
          (await unlessAborted(
            runScript(redis, ACQUIRE_LUA, [stateKey, waitingKey], args),
            signal,
          )) as string[]
        ).map(Number) as [number, number, number, number];
        options.onRate?.(rate);
        if (waitMs > 0) await sleep(waitMs, signal);
        waitedMs += waitMs;
        if (isGranted === 1) {
          options.onWait?.(waitedMs);
          return { grantedAtMs: slotMs };
        }
      }
    },

    async onKeyRateLimited(permit) {
      const [isDecreased, rate] = (
        (await runScript(redis, RATE_LIMITED_LUA, [stateKey], [...args, permit.grantedAtMs])) as string[]
      ).map(Number) as [number, number];
      options.onRate?.(rate);
      if (isDecreased === 1) options.onDecrease?.(rate);
    },

    async rate() {
      const [rate, nowMs] = ((await runScript(redis, RATE_LUA_READ, [stateKey], args)) as string[]).map(
        Number,
      ) as [number, number];
      options.onRate?.(rate);
      return { ratePerSecond: rate, nowMs };
    },
  };
}
