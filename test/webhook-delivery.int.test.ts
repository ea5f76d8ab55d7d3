// Outbound webhooks end to end: changes synced from the sandbox into Postgres are delivered to a receiver process
// that verifies every signature with the `standardwebhooks` package. The dispatcher's clock is injected where time
// matters (10 minutes of 500s, then 200); real worker processes are SIGKILLed and Redis restarted mid-delivery.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createWebhookEndpoint,
  listDeliveryAttempts,
  listDeliveries,
  listEndpointDeliveryStats,
  nextDeliveryDueAt,
  rotateWebhookSecret,
  type Database,
} from '@kombo-sync/db';
import { DEFAULT_RETRY_POLICY, generateWebhookSecret } from '@kombo-sync/delivery';
import { sql } from 'drizzle-orm';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startRedis, type LocalRedis } from '../scripts/local-services.mjs';
import { createDeliveryDispatcher, deliveryConfigOf, type DeliveryConfig } from '@kombo-sync/worker/testing';
import {
  createdIntent,
  createHarness,
  logger,
  spawnWorkerProcess,
  type WorkerHarness,
} from '@kombo-sync/worker/testing';
import { spawnFleetProcess, type FleetProcess } from './support/fleet.js';
import { buildConfig, deliverySettings } from '@kombo-sync/config';

const MINUTE = 60_000;

interface ReceiverState {
  requests: number;
  failures: number;
  invalid: string[];
  duplicates: string[];
  processed: { id: string; timestamp: number; data: Record<string, unknown> }[];
}

interface Receiver {
  proc: FleetProcess;
  url: string;
  control(body: { clockMs?: number; failUntilMs?: number; delayMs?: number }): Promise<void>;
  state(): Promise<ReceiverState>;
}

async function startReceiver(secrets: string[]): Promise<Receiver> {
  const proc = spawnFleetProcess({
    name: 'receiver',
    entry: 'test/support/webhook-receiver.ts',
    env: { RECEIVER_SECRETS: secrets.join(',') },
  });
  const deadline = Date.now() + 20_000;
  let port: number | undefined;
  while (port === undefined) {
    const match = /\{"port":(\d+)\}/.exec(proc.tail());
    if (match) port = Number(match[1]);
    else if (!proc.isRunning() || Date.now() > deadline)
      throw new Error(`receiver did not start:\n${proc.tail()}`);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    proc,
    url: `${base}/hooks`,
    async control(body) {
      const response = await fetch(`${base}/__control`, { method: 'POST', body: JSON.stringify(body) });
      if (response.status !== 204) throw new Error(`control: ${response.status}`);
    },
    async state() {
      return (await (await fetch(`${base}/__state`)).json()) as ReceiverState;
    },
  };
}

const deliveryConfig = (overrides: Partial<DeliveryConfig> = {}): DeliveryConfig => ({
  ...deliveryConfigOf(
    buildConfig(deliverySettings, {
      webhookTimeoutMs: 2_000,
      isWebhookPrivateTargetAllowed: true,
      webhookPollIntervalMs: 60_000,
    }),
  ),
  ...overrides,
});

/** Every message of the database, as the receiver should see them: `msg_<id>` → (integration, model, seq). */
async function messages(database: Database) {
  const rows = await database.db.execute<{ id: string; integration_id: string; model: string; seq: string }>(
    sql`SELECT id, integration_id, model, seq FROM webhook_messages ORDER BY id`,
  );
  return rows.rows.map((row) => ({
    id: `msg_${row.id}`,
    group: `${row.integration_id}/${row.model}`,
    seq: Number(row.seq),
  }));
}

/** The ids of an integration's model in the mirror, live and deleted. */
async function mirrorIds(database: Database, integrationId: string, model: string) {
  const rows = await database.db.execute<{ id: string; deleted: boolean }>(
    sql`SELECT id, remote_deleted_at IS NOT NULL AS deleted FROM ${sql.identifier(model)} WHERE integration_id = ${integrationId}`,
  );
  return {
    live: new Set(rows.rows.filter((r) => !r.deleted).map((r) => r.id)),
    deleted: new Set(rows.rows.filter((r) => r.deleted).map((r) => r.id)),
  };
}

/** Checks what the receiver processed against the database: every message once, in `sequence` order per group. */
async function expectEveryChangeOnceInOrder(database: Database, state: ReceiverState): Promise<void> {
  expect(state.invalid).toEqual([]);
  const expected = await messages(database);
  expect(expected.length).toBeGreaterThan(0);
  expect(state.processed.map((p) => p.id).sort()).toEqual(expected.map((m) => m.id).sort());
  const bySeq = new Map<string, number[]>();
  for (const { data } of state.processed) {
    const group = `${String(data['integrationId'])}/${String(data['model'])}`;
    bySeq.set(group, [...(bySeq.get(group) ?? []), Number(data['sequence'])]);
  }
  for (const [group, seqs] of bySeq) {
    // Arrival order is commit order: 1, 2, 3… with no gap.
    expect({ group, seqs }).toEqual({ group, seqs: seqs.map((_, i) => i + 1) });
  }
}

function changedIdsOf(
  state: ReceiverState,
  integrationId: string,
  model: string,
  key: 'changedIds' | 'deletedIds',
) {
  return new Set(
    state.processed
      .filter((p) => p.data['integrationId'] === integrationId && p.data['model'] === model)
      .flatMap((p) => p.data[key] as string[]),
  );
}

describe('outbound webhooks, simulated time', () => {
  let h: WorkerHarness;
  let receiver: Receiver;
  const oldSecret = generateWebhookSecret();
  beforeAll(async () => {
    h = await createHarness({ pageSize: 10 });
    h.startWorker();
    // The receiver trusts only the secret from before the rotation: the second signature carries it.
    receiver = await startReceiver([oldSecret]);
  }, 30_000);
  afterAll(async () => {
    await receiver.proc.kill('SIGTERM');
    await h.close();
  });

  it('a receiver failing for 10 minutes gets every change once, in order, each signature verified', async () => {
    const endpoint = await createWebhookEndpoint(h.database, { url: receiver.url, secret: oldSecret });
    await rotateWebhookSecret(h.database, endpoint.id, {
      secret: generateWebhookSecret(),
      keepPreviousMs: 24 * 60 * MINUTE,
    });
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    h.sandbox.mutate(id, { updates: 4, deletes: 2, creates: 3, models: ['hris_employees'] });
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();

    const start = Date.now();
    let clock = start;
    await receiver.control({ clockMs: clock, failUntilMs: start + 10 * MINUTE });
    const dispatcher = createDeliveryDispatcher({
      database: h.database,
      config: deliveryConfig(),
      logger,
      now: () => clock,
    });
    try {
      // Run what is due, then jump the clock (dispatcher's and receiver's) to the next due retry.
      for (let step = 0; step < 500; step++) {
        await dispatcher.whenIdle();
        const next = await nextDeliveryDueAt(h.database);
        if (next === null) break;
        clock = Math.max(clock, next.getTime());
        await receiver.control({ clockMs: clock });
      }
    } finally {
      await dispatcher.close();
    }
    const state = await receiver.state();
    expect(state.failures).toBeGreaterThan(0);
    expect(state.duplicates).toEqual([]);
    await expectEveryChangeOnceInOrder(h.database, state);
    // Nothing was accepted before the receiver's 10 minutes were over, and it took several backed-off attempts.
    expect(Math.min(...state.processed.map((p) => p.timestamp * 1000))).toBeGreaterThanOrEqual(
      start + 10 * MINUTE - 1000,
    );
    const log = await listDeliveries(h.database, { endpointId: endpoint.id, limit: 1000 });
    expect(log.every((d) => d.state === 'delivered')).toBe(true);
    const first = log[log.length - 1]!;
    const attempts = await listDeliveryAttempts(h.database, first.id);
    expect(attempts.length).toBeGreaterThanOrEqual(5);
    expect(attempts.slice(0, -1).every((a) => a.statusCode === 500)).toBe(true);
    expect(attempts[attempts.length - 1]?.statusCode).toBe(200);

    // Every employee the mirror holds arrived as changed, and the deleted ones as deleted.
    const ids = await mirrorIds(h.database, id, 'hris_employees');
    const changed = changedIdsOf(state, id, 'hris_employees', 'changedIds');
    for (const employeeId of ids.live) expect(changed.has(employeeId)).toBe(true);
    expect(changedIdsOf(state, id, 'hris_employees', 'deletedIds')).toEqual(ids.deleted);
    expect(ids.deleted.size).toBe(2);
  }, 120_000);

  it('a dead receiver: deliveries die after the 24 h retry window, the endpoint is disabled after 5 days', async () => {
    await h.database.db.execute(sql`TRUNCATE webhook_endpoints, webhook_messages CASCADE`);
    const endpoint = await createWebhookEndpoint(h.database, { url: receiver.url, secret: oldSecret });
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 5 } });
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    const start = Date.now();
    let clock = start;
    await receiver.control({ clockMs: clock, failUntilMs: start + 30 * 24 * 60 * MINUTE });
    const dispatcher = createDeliveryDispatcher({
      database: h.database,
      config: deliveryConfig(),
      logger,
      now: () => clock,
    });
    let firstDeadAt: number | undefined;
    let stats: Awaited<ReturnType<typeof listEndpointDeliveryStats>>[number] | undefined;
    try {
      for (let step = 0; step < 2_000; step++) {
        await dispatcher.whenIdle();
        [stats] = await listEndpointDeliveryStats(h.database);
        if (!stats?.isEnabled) break;
        if (stats.dead > 0 && firstDeadAt === undefined) firstDeadAt = clock;
        const next = await nextDeliveryDueAt(h.database);
        if (next === null) {
          // Everything died: the product keeps changing data, half a day later.
          clock += 12 * 60 * MINUTE;
          h.sandbox.mutate(id, { updates: 1, models: ['hris_employees'] });
          await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
          await h.waitForIdle();
        } else clock = Math.max(clock, next.getTime());
        await receiver.control({ clockMs: clock });
      }
    } finally {
      await dispatcher.close();
    }
    expect(firstDeadAt! - start).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.retryWindowMs);
    expect(stats).toMatchObject({ endpointId: endpoint.id, isEnabled: false, pending: 0, inFlight: 0 });
    expect(stats?.disabledReason).toMatch(/every attempt failed for 120 h/);
    expect(clock - start).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.disableAfterMs);
    expect((await receiver.state()).processed.filter((p) => p.data['integrationId'] === id)).toEqual([]);
  }, 120_000);
});

describe('outbound webhooks, bounds', () => {
  let h: WorkerHarness;
  let receiver: Receiver;
  const secret = generateWebhookSecret();
  beforeAll(async () => {
    h = await createHarness({ pageSize: 10 });
    h.startWorker();
    receiver = await startReceiver([secret]);
  }, 30_000);
  afterAll(async () => {
    await receiver.proc.kill('SIGTERM');
    await h.close();
  });

  it('a receiver on 127.0.0.1 is refused unless private targets are allowed; nothing reaches it', async () => {
    const endpoint = await createWebhookEndpoint(h.database, { url: receiver.url, secret });
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 5 } });
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    const refusing = createDeliveryDispatcher({
      database: h.database,
      config: deliveryConfig({ isPrivateAllowed: false }),
      logger,
    });
    await refusing.whenIdle();
    await refusing.close();
    expect((await receiver.state()).requests).toBe(0);
    const [refused] = await listDeliveries(h.database, { endpointId: endpoint.id, limit: 1 });
    expect(refused).toMatchObject({ state: 'pending', attempts: 1, lastStatus: null });
    expect(refused?.lastError).toMatch(/^target refused: 127\.0\.0\.1 is in a loopback range$/);
    expect((await listDeliveryAttempts(h.database, refused!.id))[0]?.outcome).toBe('refused');

    await h.database.db.execute(
      sql`UPDATE webhook_deliveries SET next_attempt_at = NULL WHERE state = 'pending'`,
    );
    const allowing = createDeliveryDispatcher({ database: h.database, config: deliveryConfig(), logger });
    await allowing.whenIdle();
    await allowing.close();
    await expectEveryChangeOnceInOrder(h.database, await receiver.state());
    await h.database.db.execute(sql`DELETE FROM webhook_endpoints`);
  }, 60_000);

  it('a hanging receiver is cut at the timeout and does not hold up another endpoint', async () => {
    const hanging = await createWebhookEndpoint(h.database, {
      url: receiver.url.replace('/hooks', '/hang'),
      secret,
    });
    const healthy = await createWebhookEndpoint(h.database, { url: receiver.url, secret });
    const before = (await receiver.state()).processed.length;
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    const dispatcher = createDeliveryDispatcher({
      database: h.database,
      config: deliveryConfig({ timeoutMs: 3_000, concurrencyPerEndpoint: 2 }),
      logger,
    });
    try {
      // The healthy endpoint gets all its deliveries while the hanging one's first attempts are still open.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const stats = await listEndpointDeliveryStats(h.database);
        const ok = stats.find((s) => s.endpointId === healthy.id);
        const hung = stats.find((s) => s.endpointId === hanging.id);
        if (ok && ok.pending + ok.inFlight === 0) {
          expect(hung?.delivered).toBe(0);
          break;
        }
        if (Date.now() > deadline) throw new Error(`healthy endpoint not drained: ${JSON.stringify(stats)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const processed = (await receiver.state()).processed.slice(before);
      expect(new Set(processed.map((p) => p.data['integrationId']))).toEqual(new Set([id]));
      // The hanging endpoint's attempts end as timeouts, each at the deadline, and are retried later.
      const deadline2 = Date.now() + 20_000;
      let attempts: Awaited<ReturnType<typeof listDeliveryAttempts>> = [];
      // Any of its deliveries: they are listed newest first, and the oldest are attempted first.
      while (attempts.length === 0 && Date.now() < deadline2) {
        for (const delivery of await listDeliveries(h.database, { endpointId: hanging.id })) {
          attempts = await listDeliveryAttempts(h.database, delivery.id);
          if (attempts.length > 0) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(attempts[0]).toMatchObject({
        outcome: 'timeout',
        statusCode: null,
        error: 'timed out after 3000 ms',
      });
    } finally {
      await dispatcher.close();
    }
  }, 60_000);
});

describe('outbound webhooks from worker processes', () => {
  let redis: LocalRedis;
  let h: WorkerHarness;
  let receiver: Receiver;
  const children: ChildProcess[] = [];
  const secret = generateWebhookSecret();
  beforeAll(async () => {
    redis = await startRedis({ appendonly: true });
    h = await createHarness({ pageSize: 10 }, { redisUrl: redis.url });
    receiver = await startReceiver([secret]);
  }, 30_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await receiver.proc.kill('SIGTERM');
    await h.close();
    await redis.stop();
  });

  const startWorker = () => {
    const child = spawnWorkerProcess(h, {
      env: {
        SYNC_PAGE_SIZE: '10',
        WORKER_LOCK_DURATION_MS: '5000',
        WORKER_STALLED_INTERVAL_MS: '1000',
        SYNC_LEASE_TTL_MS: '3000',
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        WEBHOOK_TIMEOUT_MS: '1000',
        WEBHOOK_CONCURRENCY_PER_ENDPOINT: '1',
        WEBHOOK_POLL_INTERVAL_MS: '100',
      },
    });
    children.push(child);
    return child;
  };

  it('SIGKILL of the worker and a Redis restart mid-delivery lose nothing and repeat at most the one in flight', async () => {
    await createWebhookEndpoint(h.database, { url: receiver.url, secret });
    // Each delivery takes a while, so the kill finds one in flight.
    await receiver.control({ delayMs: 300 });
    const first = startWorker();
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 40 } });
    await h.trigger(id, createdIntent(id));
    const deadline = Date.now() + 60_000;
    while ((await receiver.state()).requests < 3) {
      if (Date.now() > deadline) throw new Error('no deliveries');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    await once(first, 'exit');
    const { port, dir } = redis;
    await redis.stop({ keepDir: true });
    redis = await startRedis({ port, dir, appendonly: true });
    await receiver.control({ delayMs: 0 });
    startWorker();
    await h.waitForIdle(60_000);
    const end = Date.now() + 60_000;
    for (;;) {
      const [stats] = await listEndpointDeliveryStats(h.database);
      if (stats && stats.pending + stats.inFlight === 0 && (await messages(h.database)).length > 0) break;
      if (Date.now() > end) throw new Error(`deliveries not done: ${JSON.stringify(stats)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const state = await receiver.state();
    expect(state.duplicates.length).toBeLessThanOrEqual(1);
    await expectEveryChangeOnceInOrder(h.database, state);
    const ids = await mirrorIds(h.database, id, 'hris_employees');
    expect(ids.live.size).toBeGreaterThan(0);
    const changed = changedIdsOf(state, id, 'hris_employees', 'changedIds');
    for (const employeeId of ids.live) expect(changed.has(employeeId)).toBe(true);
  }, 120_000);
});
