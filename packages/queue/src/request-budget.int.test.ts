import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedis } from './create-redis.js';
import { budgetParams, effectiveRate } from './request-budget-params.js';
import {
  apiKeyHash,
  createRedisRequestBudget,
  type BudgetPermit,
  type RedisRequestBudget,
  type RedisRequestBudgetOptions,
} from './request-budget.js';
import type { RedisConnection } from './create-redis.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const prefix = `{test-budget-${randomUUID().slice(0, 8)}}`;
const connections: RedisConnection[] = [];
const connect = (): RedisConnection => {
  const redis = createRedis(TEST_REDIS_URL, { role: 'worker' });
  connections.push(redis);
  return redis;
};
let redis: RedisConnection;

beforeAll(() => {
  redis = connect();
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  for (const connection of connections) await connection.quit();
});

type Options = Omit<RedisRequestBudgetOptions, 'prefix'>;
const budgetOn = (connection: RedisConnection, options: Options): RedisRequestBudget =>
  createRedisRequestBudget(connection, { prefix, ...options });

interface Grant {
  integrationId: string;
  slotMs: number;
  by: string;
}

/** `callers` loops per integration, each acquiring until `count` grants were made in total; returns them in slot order. */
async function drain(
  budgets: Array<{ name: string; budget: RedisRequestBudget }>,
  callers: Record<string, number>,
  count: number,
): Promise<Grant[]> {
  const grants: Grant[] = [];
  const loops = budgets.flatMap(({ name, budget }) =>
    Object.entries(callers).flatMap(([integrationId, n]) =>
      Array.from({ length: n }, async () => {
        while (grants.length < count) {
          const permit = await budget.acquire({ integrationId });
          grants.push({ integrationId, slotMs: permit.grantedAtMs, by: name });
        }
      }),
    ),
  );
  await Promise.all(loops);
  return grants.sort((a, b) => a.slotMs - b.slotMs);
}

/** The most grants any window of slot times holds beyond what `rate` and `burst` allow (<= 0 when within). */
function worstExcess(grants: readonly Grant[], rate: number, burst: number): number {
  let worst = -Infinity;
  for (let i = 0; i < grants.length; i++) {
    for (let j = i; j < grants.length; j++) {
      const allowed = burst + (rate * ((grants[j]?.slotMs ?? 0) - (grants[i]?.slotMs ?? 0))) / 1000;
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  }
  return worst;
}

describe('the Redis request budget', () => {
  it('sleeps through a wait longer than Node’s longest timer: one script call, no early grant', async () => {
    let scriptCalls = 0;
    const budget = budgetOn(redis, {
      apiKey: `key-${randomUUID()}`,
      maxRequestsPerSecond: 1e-9,
      burst: 1,
      onRate: () => (scriptCalls += 1),
    });
    await budget.acquire({ integrationId: 'slow' });
    // The burst is spent: the next slot is about 10^12 ms (31 years) away, past what one setTimeout can wait.
    const controller = new AbortController();
    let isSettled = false;
    const waiting = budget.acquire({ integrationId: 'slow', signal: controller.signal });
    void waiting.then(
      () => (isSettled = true),
      () => (isSettled = true),
    );
    const deadline = Date.now() + 5_000;
    while (scriptCalls < 2) {
      if (Date.now() > deadline) throw new Error('the second acquire never reached Redis');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // A timer that fired at once would have granted it early, or called the script again, by now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect({ scriptCalls, isSettled }).toEqual({ scriptCalls: 2, isSettled: false });
    controller.abort(new Error('stopped waiting'));
    await expect(waiting).rejects.toThrow('stopped waiting');
  });

  it('is one budget for two processes: their grants together stay within rate and burst', async () => {
    const options = { apiKey: `key-${randomUUID()}`, maxRequestsPerSecond: 40, burst: 4 };
    const budgets = [
      { name: 'process-1', budget: budgetOn(connect(), options) },
      { name: 'process-2', budget: budgetOn(connect(), options) },
    ];
    const grants = await drain(budgets, { 'personio:a': 2, 'personio:b': 2, 'hibob:c': 1 }, 60);

    expect(worstExcess(grants, 40, 4)).toBeLessThanOrEqual(0.01);
    // Demand never stopped, so after the burst the slots follow each other at the rate: the budget was used.
    const spanS = ((grants.at(-1)?.slotMs ?? 0) - (grants[0]?.slotMs ?? 0)) / 1000;
    expect(grants.length).toBeGreaterThanOrEqual(4 + 40 * spanS - 1);
    expect(new Set(grants.map((grant) => grant.by))).toEqual(new Set(['process-1', 'process-2']));
  });

  it('keys the budget by a hash of the API key, never the key, under the prefix', async () => {
    const apiKey = `sk_live_${randomUUID()}`;
    await budgetOn(redis, { apiKey, maxRequestsPerSecond: 10 }).acquire({ integrationId: 'x' });
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.some((key) => key.includes(apiKey))).toBe(false);
    expect(keys).toContain(`${prefix}:kombo-budget:${apiKeyHash(apiKey)}`);
  });

  it('gives another API key its own budget', async () => {
    const busy = budgetOn(redis, { apiKey: `key-${randomUUID()}`, maxRequestsPerSecond: 2, burst: 1 });
    await busy.acquire({ integrationId: 'a' });
    const other = budgetOn(connect(), { apiKey: `key-${randomUUID()}`, maxRequestsPerSecond: 2, burst: 1 });
    const { rate } = other;
    const permit = await other.acquire({ integrationId: 'a' });
    expect(permit.grantedAtMs).toBeLessThanOrEqual((await rate()).nowMs);
  });

  it('halves the rate for every process on a key-wide 429, once per round, then recovers additively', async () => {
    const options = {
      apiKey: `key-${randomUUID()}`,
      maxRequestsPerSecond: 40,
      minRequestsPerSecond: 4,
      recoveryPerSecond: 10,
    };
    const decreases: number[] = [];
    const first = budgetOn(redis, { ...options, onDecrease: (rate) => decreases.push(rate) });
    const second = budgetOn(connect(), options);
    const params = budgetParams(options);

    const before = await first.acquire({ integrationId: 'a' });
    await first.onKeyRateLimited(before, new Error('429'));
    // Another process's request sent under the old rate: its 429 was already answered by the decrease.
    await second.onKeyRateLimited(before, new Error('429'));
    expect(decreases).toHaveLength(1);
    expect(decreases[0]).toBeCloseTo(20, 1);
    const seen = await second.rate();
    expect(seen.ratePerSecond).toBeGreaterThanOrEqual(20);
    expect(seen.ratePerSecond).toBeLessThan(21);

    const after = await second.acquire({ integrationId: 'b' });
    await first.onKeyRateLimited(after, new Error('429'));
    expect(decreases).toHaveLength(2);
    const decreased = decreases[1] ?? 0;
    expect(decreased).toBeGreaterThanOrEqual(10);
    expect(decreased).toBeLessThan(11);

    // Recovery: the rate grows by 10 req/s every second of Redis time, the same for both processes.
    const r1 = await first.rate();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const r2 = await second.rate();
    const grew = r2.ratePerSecond - r1.ratePerSecond;
    expect(grew).toBeCloseTo((params.recoveryPerSecond * (r2.nowMs - r1.nowMs)) / 1000, 1);
    expect(r2.ratePerSecond).toBeLessThan(40);
    // From the decrease it climbs back to the max and stays there (the same formula as effectiveRate).
    const at0 = r1.nowMs - ((r1.ratePerSecond - decreased) / params.recoveryPerSecond) * 1000;
    expect(effectiveRate(params, { rate0: decreased, at0 }, r2.nowMs)).toBeCloseTo(r2.ratePerSecond, 1);
  });

  it('never decreases below the floor, however many 429s', async () => {
    const budget = budgetOn(redis, {
      apiKey: `key-${randomUUID()}`,
      maxRequestsPerSecond: 64,
      minRequestsPerSecond: 8,
      recoveryPerSecond: 0.001,
    });
    for (let i = 0; i < 6; i++) {
      const permit = await budget.acquire({ integrationId: 'a' });
      await budget.onKeyRateLimited(permit, new Error('429'));
    }
    const { ratePerSecond } = await budget.rate();
    expect(ratePerSecond).toBeGreaterThanOrEqual(8);
    expect(ratePerSecond).toBeLessThan(8.01);
  });

  it('spaces grants at the decreased rate after a 429', async () => {
    const budget = budgetOn(redis, {
      apiKey: `key-${randomUUID()}`,
      maxRequestsPerSecond: 100,
      burst: 1,
      recoveryPerSecond: 0.001,
    });
    const permit: BudgetPermit = await budget.acquire({ integrationId: 'a' });
    await budget.onKeyRateLimited(permit, new Error('429'));
    const grants = await drain([{ name: 'p', budget }], { a: 1, b: 1, c: 1 }, 15);
    expect(worstExcess(grants, 50, 1)).toBeLessThanOrEqual(0.01);
  });

  it('shares the budget fairly: one caller of a small sync gets as much as six of a big one', async () => {
    const budget = budgetOn(redis, { apiKey: `key-${randomUUID()}`, maxRequestsPerSecond: 50, burst: 1 });
    const grants = await drain([{ name: 'p', budget }], { big: 6, small: 1 }, 40);
    const small = grants.filter((grant) => grant.integrationId === 'small').length;
    // Round robin among waiting integrations: 20 of 40 ideally; the first grant may go to either.
    expect(small).toBeGreaterThanOrEqual(18);
    expect(small).toBeLessThanOrEqual(22);
  });

  it('a caller whose signal aborts while it waits rejects with the reason', async () => {
    const budget = budgetOn(redis, { apiKey: `key-${randomUUID()}`, maxRequestsPerSecond: 1, burst: 1 });
    await budget.acquire({ integrationId: 'a' });
    const controller = new AbortController();
    const waiting = budget.acquire({ integrationId: 'a', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('shutdown')), 20);
    await expect(waiting).rejects.toThrow('shutdown');
  });
});
