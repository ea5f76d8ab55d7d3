// Versions side by side: during a rolling deploy an old worker meets jobs and intents a newer release wrote. It
// leaves them (delayed, no attempt used, the intent untouched) instead of failing them, and a newer worker runs them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns } from '@kombo-sync/db';
import {
  createSignalQueue,
  intentKeys,
  laneQueues,
  QUEUE_DATA_VERSION,
  queueSignal,
} from '@kombo-sync/queue';
import type { Job } from 'bullmq';
import {
  createdIntent,
  createHarness,
  HRIS_TEST_MODELS,
  waitFor,
  type WorkerHarness,
} from './testing/worker-harness.js';

const NEWER = QUEUE_DATA_VERSION + 1;
/** How long a job may take to reach the state a test waits for. */
const STATE_WAIT_MS = 20_000;

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** Rewrites the integration's pending intent as a newer release would have stamped it. */
async function stampIntentNewer(integrationId: string): Promise<void> {
  const key = intentKeys.pending(h.prefix, integrationId);
  const stored = JSON.parse((await h.redis.get(key))!) as Record<string, unknown>;
  await h.redis.set(key, JSON.stringify({ ...stored, v: NEWER }));
}

/** Queues the integration's initial sync while no worker may take it, and returns its job and its handle. */
async function queueInitialSync(integrationId: string): Promise<QueuedJob> {
  await Promise.all(laneQueues(h.queues).map((queue) => queue.pause()));
  const handle = await h.trigger(integrationId, createdIntent(integrationId));
  const job = await h.getJob(handle);
  expect(job).toBeDefined();
  return { job: job!, handle };
}

/** A job and its harness handle (`<lane>/<job id>`: a new integration's first job waits in the onboarding lane). */
interface QueuedJob {
  job: Job;
  handle: string;
}

/** Runs an old worker until it has left the job delayed; checks nothing was failed, taken or synced. */
async function expectLeftByOldWorker({ job, handle }: QueuedJob, integrationId: string): Promise<void> {
  const old = h.startWorker();
  await Promise.all(laneQueues(h.queues).map((queue) => queue.resume()));
  await waitFor(
    'the old worker to leave the job',
    async () => ((await job.getState()) === 'delayed' ? true : undefined),
    STATE_WAIT_MS,
  );
  await old.close(5_000);
  const left = (await h.getJob(handle))!;
  expect({
    state: await left.getState(),
    attemptsMade: left.attemptsMade,
    failedReason: left.failedReason,
  }).toEqual({
    state: 'delayed',
    attemptsMade: 0,
    failedReason: undefined,
  });
  const pending = await h.redis.get(intentKeys.pending(h.prefix, integrationId));
  expect(JSON.parse(pending!)).toMatchObject({ v: NEWER, full: true });
  expect(await h.redis.exists(intentKeys.inFlight(h.prefix, integrationId))).toBe(0);
  expect(await getRecentRuns(h.database, integrationId, 1)).toEqual([]);
}

/** A worker of the newer release takes the left job (promoted, rather than waiting out its delay) and syncs. */
async function expectRunByNewerWorker({ job }: QueuedJob, integrationId: string): Promise<void> {
  const newer = h.startWorker({ config: { dataVersion: NEWER } });
  await job.promote();
  await h.waitForIdle(60_000);
  await newer.close(5_000);
  expect(await job.getState()).toBe('completed');
  const [run] = await getRecentRuns(h.database, integrationId, 1);
  expect(run).toMatchObject({ kind: 'full', status: 'succeeded' });
  await h.expectExact(integrationId, HRIS_TEST_MODELS);
}

describe('data written by a newer release', () => {
  it('a job of a future version is not failed, not lost, and a newer worker runs it', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    const queued = await queueInitialSync(id);
    await queued.job.updateData({ ...queued.job.data, v: NEWER });
    await stampIntentNewer(id);
    await expectLeftByOldWorker(queued, id);
    await expectRunByNewerWorker(queued, id);
  }, 90_000);

  it('an intent of a future version behind a job of this version is not taken by an old worker', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    const queued = await queueInitialSync(id);
    expect(queued.job.data).toMatchObject({ v: QUEUE_DATA_VERSION });
    await stampIntentNewer(id);
    await expectLeftByOldWorker(queued, id);
    await expectRunByNewerWorker(queued, id);
  }, 90_000);

  it('a Kombo signal of a future version waits for a newer worker, not failed', async () => {
    const signals = createSignalQueue(h.redis, { prefix: h.prefix });
    try {
      const eventId = 'evt-future-signal';
      await queueSignal(signals, {
        eventId,
        signal: {
          kind: 'state',
          integrationId: 'personio:x',
          state: 'ACTIVE',
          updatedAt: new Date().toISOString(),
        },
      });
      const job = (await signals.getJob(`signal-${eventId}`))!;
      await job.updateData({ ...job.data, v: NEWER });
      const old = h.startWorker();
      await waitFor(
        'the old worker to leave the signal',
        async () => ((await job.getState()) === 'delayed' ? true : undefined),
        STATE_WAIT_MS,
      );
      await old.close(5_000);
      const left = (await signals.getJob(`signal-${eventId}`))!;
      expect({ attemptsMade: left.attemptsMade, failedReason: left.failedReason }).toEqual({
        attemptsMade: 0,
        failedReason: undefined,
      });
      const newer = h.startWorker({ config: { dataVersion: NEWER } });
      await left.promote();
      await waitFor(
        'a newer worker to record the signal',
        async () => ((await left.getState()) === 'completed' ? true : undefined),
        STATE_WAIT_MS,
      );
      await newer.close(5_000);
    } finally {
      await signals.close();
    }
  }, 60_000);
});
