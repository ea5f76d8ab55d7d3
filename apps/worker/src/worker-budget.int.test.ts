import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMetrics } from '@kombo-sync/metrics';
import { createRedis, createRedisRequestBudget } from '@kombo-sync/queue';
import { createKomboBudget } from './create-kombo-budget.js';
import {
  API_KEY,
  createHarness,
  HRIS_TEST_MODELS,
  logger,
  type WorkerHarness,
} from './testing/worker-harness.js';
import type { RedisConnection } from '@kombo-sync/queue';

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });
const MAX_RATE = 200;

describe('sync worker with the fleet request budget', () => {
  let h: WorkerHarness;
  let budgetRedis: RedisConnection;
  const metrics = createMetrics({ service: 'worker' });

  beforeAll(async () => {
    h = await createHarness();
    budgetRedis = createRedis(h.redisUrl, { role: 'worker' });
    const budget = createKomboBudget({
      environment: 'default',
      redis: budgetRedis,
      prefix: h.prefix,
      apiKey: API_KEY,
      maxRequestsPerSecond: MAX_RATE,
      logger,
      metrics,
    });
    h.startWorker({ kombo: budget ? { budget } : {} });
  });
  afterAll(async () => {
    await h.close();
    await budgetRedis.quit();
  });

  it('no budget without a rate', () => {
    expect(
      createKomboBudget({
        environment: 'default',
        redis: budgetRedis,
        prefix: h.prefix,
        apiKey: API_KEY,
        maxRequestsPerSecond: undefined,
        logger,
      }),
    ).toBeUndefined();
  });

  it('every Kombo request waits for the budget; a key-wide 429 halves it for the fleet, syncs still converge', async () => {
    h.sandbox.resetStats();
    const a = h.sandbox.createIntegration({ sizes: { employees: 30 } }).id;
    const b = h.sandbox.createIntegration({ sizes: { employees: 30 } }).id;
    h.sandbox.injectFault({ fault: 'rate_limit_key', integrationId: a, count: 1 });
    await h.trigger(a, { created: created(a), full: true });
    await h.trigger(b, { created: created(b), full: true });
    await h.waitForIdle();
    await h.expectExact(a, HRIS_TEST_MODELS);
    await h.expectExact(b, HRIS_TEST_MODELS);

    const requests = h.sandbox.stats().requests;
    const waits = (await metrics.komboBudgetWaitSeconds.get()).values.find(
      (value) => value.metricName === 'kombo_sync_kombo_budget_wait_seconds_count',
    );
    expect(requests).toBeGreaterThan(0);
    expect(waits).toMatchObject({ value: requests, labels: { environment: 'default' } });
    expect((await metrics.komboBudgetDecreases.get()).values).toEqual([
      expect.objectContaining({ value: 1, labels: { environment: 'default' } }),
    ]);
    // Another process of the fleet (same prefix and key) sees the halved rate (read with a recovery too slow to
    // move it while the test runs; the recovery itself is tested in packages/queue).
    const other = createRedisRequestBudget(budgetRedis, {
      prefix: h.prefix,
      apiKey: API_KEY,
      maxRequestsPerSecond: MAX_RATE,
      recoveryPerSecond: 0.001,
    });
    const { ratePerSecond } = await other.rate();
    expect(ratePerSecond).toBeGreaterThanOrEqual(MAX_RATE / 2);
    expect(ratePerSecond).toBeLessThan(MAX_RATE / 2 + 1);
  });
});
