import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { Worker, type Job } from 'bullmq';
import { ALL_MODEL_NAMES, MODELS, modelsForChangedNames } from '@kombo-sync/catalog';
import { completeIntent, createRedis, SYNC_QUEUE, takeIntent, type Intent } from '@kombo-sync/queue';
import { events, startHarness, type IngressHarness } from './testing/ingress-harness.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

let h: IngressHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('replays (event id = idempotency key)', () => {
  it('a sequential replay answers 200 and adds no second piece of work', async () => {
    const body = events.dataChanged('int-replay', ['hris_employees']);
    expect((await h.post(body, { headers: { 'x-request-id': 'first' } })).status).toBe(200);
    expect((await h.post(body, { headers: { 'x-request-id': 'second' } })).status).toBe(200);
    expect((await h.intent('int-replay'))?.requestIds).toEqual(['first']);
    expect((await h.waitingIntegrations()).filter((id) => id === 'int-replay')).toHaveLength(1);

    // After a run took the work, a replay must not start another one.
    const [job] = (await h.queue.getWaiting()).filter((j) => j.data.integrationId === 'int-replay');
    const taken = await takeIntent(h.redis, h.prefix, 'int-replay');
    await completeIntent(h.redis, h.prefix, 'int-replay', taken!.takeId);
    await job?.remove();
    expect((await h.post(body, { headers: { 'x-request-id': 'third' } })).status).toBe(200);
    expect(await h.intent('int-replay')).toBeNull();
    expect(await h.waitingIntegrations()).not.toContain('int-replay');
  });

  it('concurrent deliveries of one event id record it once', async () => {
    const body = events.dataChanged('int-replay-c', ['ats_jobs']);
    const answers = await Promise.all(Array.from({ length: 25 }, () => h.post(body)));
    expect(answers.map((res) => res.status)).toEqual(Array(25).fill(200));
    expect((await h.intent('int-replay-c'))?.requestIds).toHaveLength(1);
    expect((await h.waitingIntegrations()).filter((id) => id === 'int-replay-c')).toHaveLength(1);
  });
});

describe('coalescing', () => {
  it('1,000 concurrent webhooks for 10 integrations leave one waiting job each and the union of models', async () => {
    const names = MODELS.flatMap((model) => model.changedModelNames);
    const expected = new Map<string, Set<string>>();
    const bodies = Array.from({ length: 1_000 }, (_, i) => {
      const integrationId = `storm-${i % 10}`;
      const changed = [names[i % names.length] as string, names[(i * 7) % names.length] as string];
      return { integrationId, body: events.dataChanged(integrationId, changed) };
    });
    const answers = await Promise.all(bodies.map(({ body }) => h.post(body)));
    expect(answers.every((res) => res.status === 200)).toBe(true);
    for (const { integrationId, body } of bodies) {
      const set = expected.get(integrationId) ?? new Set<string>();
      modelsForChangedNames(body.data.changed_models.map((m) => m.name)).models.forEach((m) => set.add(m));
      expected.set(integrationId, set);
    }
    const waiting = (await h.waitingIntegrations()).filter((id) => id.startsWith('storm-'));
    expect(waiting).toEqual(Array.from({ length: 10 }, (_, i) => `storm-${i}`));
    for (const [integrationId, models] of expected) {
      const intent = await h.intent(integrationId);
      expect(intent?.models).toEqual(ALL_MODEL_NAMES.filter((name) => models.has(name)));
    }
  });

  it('a webhook while the integration job runs guarantees a follow-up run that sees its models', async () => {
    const integrationId = 'int-running';
    const workerRedis = createRedis(TEST_REDIS_URL, { role: 'worker' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const taken: (Intent | null)[] = [];
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const worker = new Worker(
      SYNC_QUEUE,
      async (job: Job) => {
        if (job.data.integrationId !== integrationId) return;
        const intent = await takeIntent(workerRedis, h.prefix, integrationId);
        taken.push(intent);
        if (taken.length === 1) {
          started();
          await held;
        }
        if (intent) await completeIntent(workerRedis, h.prefix, integrationId, intent.takeId);
      },
      { connection: workerRedis, prefix: h.prefix, autorun: false },
    );
    worker.on('error', () => undefined);
    const done: string[] = [];
    const secondDone = new Promise<void>((resolve) =>
      worker.on('completed', (job) => {
        if (job.data.integrationId === integrationId) done.push(job.id ?? '');
        if (done.length === 2) resolve();
      }),
    );
    try {
      await h.post(events.dataChanged(integrationId, ['hris_employees']));
      void worker.run();
      await firstStarted;
      expect((await h.post(events.dataChanged(integrationId, ['ats_jobs']))).status).toBe(200);
      // A third webhook while the follow-up waits merges into the same pending intent.
      expect((await h.post(events.dataChanged(integrationId, ['ats_candidates']))).status).toBe(200);
      release();
      await secondDone;
      const { models: expectedFollowUp } = modelsForChangedNames(['ats_jobs', 'ats_candidates']);
      // Performance reviews embed employees, and their updated_after follows them.
      expect(taken.map((intent) => intent?.models)).toEqual([
        ['hris_employees', 'hris_performance_reviews'],
        expectedFollowUp,
      ]);
    } finally {
      release();
      await worker.close();
      if (workerRedis.status !== 'end') {
        workerRedis.disconnect();
        await once(workerRedis, 'end');
      }
    }
  });
});
