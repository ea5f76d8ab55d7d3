// The delivery tables on a real Postgres: fan-out in the change's transaction, the claim rules (due, order per
// group, one in flight per group, the per-endpoint bound, expired leases), finishing, replay and retention.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { finishDelivery } from './delivery-attempts-store.js';
import { claimDeliveries, type ClaimedDelivery } from './delivery-claims-store.js';
import { listDeliveries, listDeliveryAttempts, replayDeliveries } from './delivery-log-store.js';
import { pruneDeliveries } from './prune-deliveries.js';
import { listEndpointDeliveryStats } from './webhook-endpoint-health-store.js';
import { MAX_IDS_PER_MESSAGE, writeWebhookMessages } from './webhook-messages-store.js';
import { createWebhookEndpoint, updateWebhookEndpoint } from './webhook-endpoints-store.js';
import { withTransaction } from './with-transaction.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase(TEST_DATABASE_URL, { poolSize: 4 });
});
afterAll(async () => {
  await test.drop();
});
beforeEach(async () => {
  await test.database.db.execute(
    sql`TRUNCATE webhook_endpoints, webhook_messages, webhook_deliveries, webhook_sequences CASCADE`,
  );
});

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const T = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T.getTime() + ms);
const change = (integrationId: string, model: string, changedIds: string[], deletedIds: string[] = []) => ({
  integrationId,
  model,
  runId: 7,
  changedIds,
  deletedIds,
  komboTime: T,
});
const claim = (now: Date, perEndpoint = 10) =>
  claimDeliveries(test.database, { now, limit: 100, perEndpoint, leaseMs: 30_000 });
const deliver = (d: ClaimedDelivery, now: Date) =>
  finishDelivery(test.database, {
    delivery: d,
    startedAt: now,
    latencyMs: 3,
    statusCode: 200,
    outcome: 'delivered',
    error: null,
    next: { kind: 'delivered' },
    now,
  });

describe('webhook deliveries', () => {
  it('fans a change out to the matching enabled endpoints only, numbered per (integration, model)', async () => {
    const all = await createWebhookEndpoint(test.database, { url: 'https://a.example/', secret: SECRET });
    const employees = await createWebhookEndpoint(test.database, {
      url: 'https://b.example/',
      secret: SECRET,
      models: ['hris_employees'],
      integrationIds: ['int-1'],
    });
    const off = await createWebhookEndpoint(test.database, { url: 'https://c.example/', secret: SECRET });
    await updateWebhookEndpoint(test.database, off.id, { isEnabled: false });

    expect(await writeWebhookMessages(test.database, change('int-1', 'hris_employees', ['e1']))).toBe(2);
    expect(await writeWebhookMessages(test.database, change('int-2', 'hris_employees', ['e2']))).toBe(1);
    expect(await writeWebhookMessages(test.database, change('int-1', 'hris_groups', ['g1']))).toBe(1);
    expect(await writeWebhookMessages(test.database, change('int-1', 'hris_employees', [], ['e1']))).toBe(2);
    // A reconciliation of many ids is split into messages of at most MAX_IDS_PER_MESSAGE ids, in order.
    const many = Array.from({ length: MAX_IDS_PER_MESSAGE + 1 }, (_, i) => `d${i}`);
    expect(await writeWebhookMessages(test.database, change('int-1', 'hris_groups', [], many))).toBe(2);

    const claimed = await claim(T);
    const seqs = (endpointId: string) =>
      claimed.filter((d) => d.endpointId === endpointId).map((d) => `${d.integrationId}/${d.model}#${d.seq}`);
    // Only the head of each group is claimed.
    expect(seqs(all.id).sort()).toEqual([
      'int-1/hris_employees#1',
      'int-1/hris_groups#1',
      'int-2/hris_employees#1',
    ]);
    expect(seqs(employees.id)).toEqual(['int-1/hris_employees#1']);
    expect(claimed.every((d) => d.secrets.length === 1 && d.secrets[0] === SECRET && d.attempt === 1)).toBe(
      true,
    );

    for (const d of claimed) await deliver(d, T);
    const next = await claim(T);
    expect(next.map((d) => `${d.integrationId}/${d.model}#${d.seq}:${d.deletedIds.length}`).sort()).toEqual([
      'int-1/hris_employees#2:1',
      'int-1/hris_employees#2:1',
      'int-1/hris_groups#2:250',
    ]);
  });

  it('writes nothing when no endpoint matches, and nothing when the transaction rolls back', async () => {
    expect(await writeWebhookMessages(test.database, change('int-1', 'hris_employees', ['e1']))).toBe(0);
    await createWebhookEndpoint(test.database, { url: 'https://a.example/', secret: SECRET });
    await expect(
      withTransaction(test.database, async (tx) => {
        await writeWebhookMessages(tx, change('int-1', 'hris_employees', ['e1']));
        throw new Error('page failed');
      }),
    ).rejects.toThrow('page failed');
    const rows = await test.database.db.execute(sql`SELECT 1 FROM webhook_messages`);
    expect(rows.rowCount).toBe(0);
  });

  it('keeps one in flight per group, bounds each endpoint, retries when due and takes over expired leases', async () => {
    const ep = await createWebhookEndpoint(test.database, { url: 'https://a.example/', secret: SECRET });
    for (const model of ['m1', 'm2', 'm3'])
      await writeWebhookMessages(test.database, change('i', model, ['x']));
    await writeWebhookMessages(test.database, change('i', 'm1', ['y']));

    const first = await claim(T, 2);
    expect(first).toHaveLength(2);
    expect(await claim(T, 2)).toHaveLength(0);
    const [a, b] = first as [ClaimedDelivery, ClaimedDelivery];
    await finishDelivery(test.database, {
      delivery: a,
      startedAt: T,
      latencyMs: 5,
      statusCode: 500,
      outcome: 'failed',
      error: 'HTTP 500',
      next: { kind: 'retry', at: at(60_000) },
      now: T,
    });
    // a's group waits for its retry; the freed slot goes to the third group.
    const third = await claim(T, 2);
    expect(third.map((d) => d.model)).toEqual(['m3']);
    expect(third[0]?.model).not.toBe(a.model);
    // b's worker "died": its lease expires and another dispatcher takes it over, as a new attempt.
    const retaken = await claim(at(31_000), 3);
    expect(retaken.map((d) => [d.id, d.attempt])).toEqual(
      expect.arrayContaining([
        [b.id, 2],
        [third[0]!.id, 2],
      ]),
    );
    // The dead holder's late result is not recorded over the new claim.
    expect((await deliver(b, at(31_500))).isCurrent).toBe(false);
    const retry = await claim(at(60_000), 3);
    expect(retry.map((d) => [d.id, d.attempt])).toEqual([[a.id, 2]]);
    await deliver(retry[0]!, at(60_001));
    const log = await listDeliveries(test.database, { endpointId: ep.id });
    expect(log.find((d) => d.id === a.id)).toMatchObject({
      state: 'delivered',
      attempts: 2,
      lastStatus: 200,
    });
    expect((await listDeliveryAttempts(test.database, a.id)).map((x) => x.statusCode)).toEqual([500, 200]);
  });

  it('replays dead letters in order and prunes what is past retention', async () => {
    const ep = await createWebhookEndpoint(test.database, { url: 'https://a.example/', secret: SECRET });
    await writeWebhookMessages(test.database, change('i', 'm', ['x']));
    await writeWebhookMessages(test.database, change('i', 'm', ['y']));
    const [first] = await claim(T);
    await finishDelivery(test.database, {
      delivery: first!,
      startedAt: T,
      latencyMs: 1,
      statusCode: 500,
      outcome: 'failed',
      error: 'HTTP 500',
      next: { kind: 'dead' },
      now: T,
    });
    const [second] = await claim(T);
    expect(second?.seq).toBe(2);
    await deliver(second!, T);
    expect((await listEndpointDeliveryStats(test.database))[0]).toMatchObject({
      dead: 1,
      delivered: 1,
      pending: 0,
    });

    expect(await replayDeliveries(test.database, { endpointId: ep.id, isDead: true, at: T })).toBe(1);
    const [again] = await claim(T);
    expect([again?.seq, again?.attempt]).toEqual([1, 2]);
    await deliver(again!, T);

    expect(await pruneDeliveries(test.database, { deliveredBefore: T, deadBefore: T })).toBe(0);
    expect(await pruneDeliveries(test.database, { deliveredBefore: at(1), deadBefore: at(1) })).toBe(2);
    const left = await test.database.db.execute(sql`SELECT 1 FROM webhook_messages`);
    expect(left.rowCount).toBe(0);
  });

  it('a delivered head passes its slot to the next of its group when that one is due', async () => {
    await createWebhookEndpoint(test.database, { url: 'https://a.example/', secret: SECRET });
    for (const id of ['x', 'y', 'z']) await writeWebhookMessages(test.database, change('i', 'm', [id]));
    const [first] = await claim(T);
    const finished = await finishDelivery(test.database, {
      delivery: first!,
      startedAt: T,
      latencyMs: 2,
      statusCode: 204,
      outcome: 'delivered',
      error: null,
      next: { kind: 'delivered' },
      now: T,
      claimNext: { leaseMs: 30_000 },
    });
    expect(finished.isCurrent).toBe(true);
    expect([finished.next?.seq, finished.next?.attempt, finished.next?.changedIds]).toEqual([2, 1, ['y']]);
    // The group has one in flight (the chained one): no claim round takes its third.
    expect(await claim(T)).toEqual([]);
    // A stale claim passes nothing on.
    expect((await deliver(first!, T)).isCurrent).toBe(false);
    const log = await listDeliveries(test.database, { endpointId: finished.next!.endpointId });
    expect(log.map((d) => [d.seq, d.state])).toEqual([
      [3, 'pending'],
      [2, 'in_flight'],
      [1, 'delivered'],
    ]);
  });

  it('disabling an endpoint dead-letters its waiting deliveries', async () => {
    const ep = await createWebhookEndpoint(test.database, { url: 'https://a.example/', secret: SECRET });
    await writeWebhookMessages(test.database, change('i', 'm', ['x']));
    await updateWebhookEndpoint(test.database, ep.id, { isEnabled: false, disabledReason: 'test' });
    expect(await claim(T)).toEqual([]);
    expect((await listEndpointDeliveryStats(test.database))[0]).toMatchObject({
      isEnabled: false,
      disabledReason: 'test',
      dead: 1,
    });
  });
});
