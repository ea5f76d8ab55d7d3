// Runs that stop early keep what they did (in-process workers, real Postgres, Redis and sandbox): an operator's pause
// or Kombo's INACTIVE state stops a running pass at the next page boundary, the run is closed `interrupted` and its
// unfinished work waits for the resume, which continues at the checkpoint without fetching a page again; a model that
// fails does not make its retry fetch the models that finished.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getOpenPasses, getRecentRuns } from '@kombo-sync/db';
import { intentKeys, peekIntent } from '@kombo-sync/queue';
import {
  createdIntent,
  createHarness,
  HRIS_TEST_MODELS,
  type WorkerHarness,
  waitFor,
} from './testing/worker-harness.js';

const MODEL = 'hris_employees' as const;
/** 400 employees in pages of 20. */
const EMPLOYEES = 400;

let h: WorkerHarness;
/** Pages Kombo answered per model since the test reset it. */
let pages = new Map<string, number>();
let onPage: ((model: string, count: number) => void) | undefined;

beforeAll(async () => {
  h = await createHarness({ enabledModels: [...HRIS_TEST_MODELS], jobBackoffMs: 200 });
  h.startWorker({
    kombo: {
      onRequest: (event) => {
        if (event.model === undefined || event.status !== 200) return;
        const count = (pages.get(event.model) ?? 0) + 1;
        pages.set(event.model, count);
        onPage?.(event.model, count);
      },
    },
  });
});
afterAll(async () => {
  h.sandbox.setFaults({});
  await h.close();
});

const stats = (id: string) =>
  h.sandbox.stats().byIntegration[id] ?? { requests: 0, inFlight: 0, maxInFlight: 0, repeatedPages: 0 };

/** The integration's latest run once it is no longer running. */
const finishedRun = (id: string) =>
  waitFor('the run to end', async () => {
    const [run] = await getRecentRuns(h.database, id, 1);
    return run && run.status !== 'running' ? run : undefined;
  });

/** Starts the initial sync of a new integration (employees only, slowed down) and waits for `atPage` pages. */
async function initialSyncUnderway(atPage: number): Promise<string> {
  // The other models are tiny: done within the first pages, they leave employees the only model running.
  const { id } = h.sandbox.createIntegration({
    sizes: { employees: EMPLOYEES, hris_employments: 0, hris_groups: 1 },
  });
  h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 30 });
  pages = new Map();
  const reached = new Promise<void>((resolve) => {
    onPage = (model, count) => {
      if (model === MODEL && count === atPage) resolve();
    };
  });
  await h.trigger(id, { ...createdIntent(id), models: [MODEL] });
  await reached;
  return id;
}

describe('a run that stops early', () => {
  it('pause stops a running pass at the next page boundary; the resume continues at its checkpoint', async () => {
    const id = await initialSyncUnderway(6);
    await h.control(id, { isPaused: true });
    const atPause = stats(id);

    const run = await finishedRun(id);
    expect(run).toMatchObject({ status: 'interrupted', error: 'SYNC.INTERRUPTED: pause' });
    // No request started after the pause but the one in flight: one model fetches one page at a time, and that
    // request was either at Kombo or already past its page-boundary check when the pause committed.
    expect(stats(id).requests - atPause.requests).toBeLessThanOrEqual(Math.max(1, atPause.inFlight));
    const pass = (await getOpenPasses(h.database, id)).get(MODEL);
    expect(pass?.pages).toBeGreaterThanOrEqual(6);
    // The rest waits in the pending intent: its full pass, no job, not marked for the sweeper.
    await h.waitForIdle();
    expect(await peekIntent(h.redis, h.prefix, id)).toMatchObject({
      fullModels: expect.arrayContaining([MODEL]),
    });
    expect(await h.redis.sismember(intentKeys.dirty(h.prefix), id)).toBe(0);
    const requestsWhilePaused = stats(id).requests;

    h.sandbox.setFaults({});
    await h.control(id, { isPaused: false });
    await h.waitForIdle();
    expect((await getRecentRuns(h.database, id, 5)).map((r) => r.status)).toContain('succeeded');
    expect(stats(id).requests).toBeGreaterThan(requestsWhilePaused);
    expect(stats(id).repeatedPages).toBe(0);
    expect((await getOpenPasses(h.database, id)).size).toBe(0);
    await h.expectExact(id, HRIS_TEST_MODELS);
  }, 90_000);

  it("Kombo's INACTIVE state recorded while the run goes stops it too; ACTIVE again continues the pass", async () => {
    const id = await initialSyncUnderway(6);
    const state = (value: string) => ({
      integration_id: id,
      state: value,
      setup_status: 'COMPLETED',
      updated_at: new Date().toISOString(),
    });
    // What the ingress records for an integration-state-changed webhook.
    await h.trigger(id, { state: state('INACTIVE'), triggers: ['integration-state-changed'] });

    const run = await finishedRun(id);
    expect(run).toMatchObject({ status: 'interrupted', error: 'SYNC.INTERRUPTED: pause' });
    await h.waitForIdle();
    const pass = (await getOpenPasses(h.database, id)).get(MODEL);
    expect(pass?.pages).toBeGreaterThan(0);

    h.sandbox.setFaults({});
    await h.trigger(id, { state: state('ACTIVE'), triggers: ['integration-state-changed'] });
    await h.waitForIdle();
    expect(stats(id).repeatedPages).toBe(0);
    await h.expectExact(id, [MODEL]);
  }, 90_000);

  it('a model that fails does not make the retry fetch the models that finished', async () => {
    const { id } = h.sandbox.createIntegration({
      sizes: { employees: 60, hris_employments: 60, hris_groups: 10 },
    });
    pages = new Map();
    let isFailed = false;
    onPage = (model) => {
      // Once employments has answered, hris_groups' next request fails (the client does not retry it here).
      if (model === 'hris_employments' && !isFailed) {
        isFailed = true;
        h.sandbox.injectFault({ fault: 'server_error', integrationId: id, model: 'hris_groups' });
      }
    };
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();

    const runs = await getRecentRuns(h.database, id, 5);
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'failed']);
    const retried = Object.keys(runs[0]?.counts ?? {});
    expect(retried).toEqual(['hris_groups']);
    // The only list page requested twice is the one that failed (a 500, then its retry).
    expect(stats(id).repeatedPages).toBe(1);
    await h.expectExact(id, HRIS_TEST_MODELS);
  }, 90_000);
});
