import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countChangeOutbox } from '@kombo-sync/db';
import {
  changeFeedKeys,
  CHANGES_QUEUE,
  createChangesQueue,
  createRedis,
  type ChangeMessage,
} from '@kombo-sync/queue';
import { Worker, type Job, type Queue } from 'bullmq';
import { createHarness, type WorkerHarness } from './testing/worker-harness.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

let h: WorkerHarness;
// Opened by the second test only: a BullMQ Queue writes its meta key when opened.
let changes: Queue | undefined;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await changes?.close();
  await h.close();
});

const feedKeys = async () => [
  ...(await h.redis.keys(`${h.prefix}:${CHANGES_QUEUE}:*`)),
  ...(await h.redis.keys(changeFeedKeys.dropped(h.prefix))),
];

describe('change feed off and bounded', () => {
  it('is off by default: a sync writes no outbox rows and creates no feed keys', async () => {
    const worker = h.startWorker();
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 60 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    h.sandbox.mutate(id, { updates: 3, deletes: 2, models: ['hris_employees'] });
    await h.trigger(id, { models: ['hris_employees'] });
    await h.waitForIdle();
    await worker.close(5_000);
    expect((await h.mirror(id, 'hris_employees')).size).toBeGreaterThan(0);
    expect(await countChangeOutbox(h.database)).toBe(0);
    expect(await feedKeys()).toEqual([]);
  });

  it('on with no consumer: never more than the bound waiting after many pages; the rest dropped and counted', async () => {
    const maxMessages = 5;
    const feed = (changes = createChangesQueue(h.redis, { prefix: h.prefix }));
    const worker = h.startWorker({ config: { isChangeFeedOn: true, changeFeedMaxMessages: maxMessages } });
    // 200 employees, 20 per page: 10 pages of employees alone, plus employments and groups.
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 200 } });
    let mostWaiting = 0;
    let isSyncing = true;
    const sampling = (async () => {
      while (isSyncing) {
        mostWaiting = Math.max(mostWaiting, await feed.getWaitingCount());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    // The relay runs after each page and every 200 ms here; wait for the outbox to empty.
    const deadline = Date.now() + 10_000;
    while ((await countChangeOutbox(h.database)) > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    isSyncing = false;
    await sampling;
    await worker.close(5_000);

    expect(await countChangeOutbox(h.database)).toBe(0);
    const waiting = await feed.getWaiting();
    expect(waiting).toHaveLength(maxMessages);
    expect(mostWaiting).toBeLessThanOrEqual(maxMessages);
    const dropped = Number(await h.redis.get(changeFeedKeys.dropped(h.prefix)));
    expect(dropped).toBeGreaterThan(10);
    // The newest message says how many were dropped before it.
    expect(Math.max(...waiting.map((job) => (job.data as ChangeMessage).droppedCount))).toBe(dropped);
    // One hash per waiting message, plus a few fixed keys (wait, meta, id, events, marker, dropped).
    expect((await feedKeys()).length).toBeLessThanOrEqual(maxMessages + 6);
  });

  it('on with a consumer: every message arrives once, none dropped', async () => {
    const worker = h.startWorker({ config: { isChangeFeedOn: true } });
    const feedQueue = createChangesQueue(h.redis, { prefix: h.prefix });
    const received: { jobId: string; message: ChangeMessage }[] = [];
    const consumerRedis = createRedis(TEST_REDIS_URL, { role: 'worker' });
    const consumer = new Worker(
      CHANGES_QUEUE,
      async (job: Job) => void received.push({ jobId: job.id as string, message: job.data as ChangeMessage }),
      { connection: consumerRedis, prefix: h.prefix, concurrency: 1 },
    );
    const droppedBefore = Number(await h.redis.get(changeFeedKeys.dropped(h.prefix)));
    try {
      const { id } = h.sandbox.createIntegration({ sizes: { employees: 120 } });
      await h.trigger(id, { created: created(id), full: true });
      await h.waitForIdle();
      // The outbox row is deleted in the transaction that published it: none left and none waiting or active
      // means the consumer has had every message.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const outbox = await countChangeOutbox(h.database);
        if (outbox === 0 && (await feedQueue.getJobCountByTypes('wait', 'active')) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const ours = received.filter(({ message }) => message.integrationId === id);
      const employees = h.sandbox.truth(id, 'hris_employees').map((record) => record['id']);
      expect(
        new Set(
          ours.filter((r) => r.message.model === 'hris_employees').flatMap((r) => r.message.changedIds),
        ),
      ).toEqual(new Set(employees));
      // Each outbox row is published once. Ids are not asserted ascending: a page written concurrently may take a
      // lower outbox id yet commit after a later one, and the relay publishes what has committed, oldest first.
      const outboxIds = ours.map(({ jobId }) => Number(jobId.replace('outbox-', '')));
      expect(new Set(outboxIds).size).toBe(outboxIds.length);
      expect(ours.length).toBeGreaterThan(6);
      expect(ours.every(({ message }) => message.droppedCount === droppedBefore)).toBe(true);
      expect(Number(await h.redis.get(changeFeedKeys.dropped(h.prefix)))).toBe(droppedBefore);
    } finally {
      await consumer.close();
      await consumerRedis.quit();
      await feedQueue.close();
      await worker.close(5_000);
    }
  });
});
