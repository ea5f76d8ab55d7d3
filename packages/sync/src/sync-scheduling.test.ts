import { describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import { runTestSync } from './testing/run-test-sync.js';
import { Semaphore } from './semaphore.js';
import {
  EventLog,
  FakeSource,
  FakeStore,
  makePages,
  silentLogger,
  type FakeModelSpec,
} from './testing/fakes.js';
import type { RunSummary } from './types.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const EMPLOYEES: ModelName = 'hris_employees';
const GROUPS: ModelName = 'hris_groups';
const FIVE_MODELS: ModelName[] = [
  'hris_employees',
  'hris_groups',
  'hris_locations',
  'hris_absences',
  'ats_jobs',
];

function fiveModels(): Partial<Record<ModelName, FakeModelSpec>> {
  return Object.fromEntries(FIVE_MODELS.map((model) => [model, { pages: makePages(model, 3, 2, T0) }]));
}

function setup(specs: Partial<Record<ModelName, FakeModelSpec>>) {
  const events = new EventLog();
  return { events, source: new FakeSource(specs, events), store: new FakeStore(events) };
}

/** Fails the test instead of hanging when the run does not return within `boundMs`. */
function withinBound(run: Promise<RunSummary>, boundMs = 2000): Promise<RunSummary> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run did not return within ${boundMs} ms`)), boundMs);
  });
  return Promise.race([run, bound]).finally(() => clearTimeout(timer));
}

describe('runIntegrationSync scheduling', () => {
  it.each([1, 2, 3])('never has more than %i fetches in flight for the integration', async (concurrency) => {
    const { source, store } = setup(fiveModels());
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i', runId: 1, models: FIVE_MODELS, concurrency },
    );
    expect(summary.status).toBe('succeeded');
    expect(store.commits).toHaveLength(5);
    expect(source.maxInFlight).toBe(concurrency);
  });

  it('also holds the injected limiter around every fetch', async () => {
    const { source, store } = setup(fiveModels());
    await runTestSync(
      { source, store, logger: silentLogger, limiter: new Semaphore(1) },
      { integrationId: 'i', runId: 1, models: FIVE_MODELS, concurrency: 3 },
    );
    expect(source.maxInFlight).toBe(1);
  });

  it('fetches page n+1 while page n is being written', async () => {
    const { events, source, store } = setup({ [EMPLOYEES]: { pages: makePages('e', 3, 2, T0) } });
    const startedDuringWrite: boolean[] = [];
    store.writeGate = async (input, page) => {
      if (page < 3) startedDuringWrite.push(await events.waitFor(`fetch:${input.model}:${page + 1}`));
    };
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i', runId: 1, models: [EMPLOYEES] },
    );
    expect(summary.models[0]?.pages).toBe(3);
    expect(startedDuringWrite).toEqual([true, true]);
    const order = events.entries;
    expect(order.indexOf(`fetch:${EMPLOYEES}:2`)).toBeLessThan(order.indexOf(`write:${EMPLOYEES}:1`));
    expect(order.indexOf(`fetch:${EMPLOYEES}:3`)).toBeLessThan(order.indexOf(`write:${EMPLOYEES}:2`));
  });

  it('keeps at most one page fetched ahead of the write (writeConcurrency 1)', async () => {
    const { events, source, store } = setup({ [EMPLOYEES]: { pages: makePages('e', 4, 1, T0) } });
    const ranAhead: boolean[] = [];
    store.writeGate = async (input, page) => {
      // A few event-loop turns: each fake fetch takes one, so a greedy prefetcher would show up here.
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      ranAhead.push(events.has(`fetch:${input.model}:${page + 2}`));
    };
    await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i', runId: 1, models: [EMPLOYEES], writeConcurrency: 1 },
    );
    expect(ranAhead).toEqual([false, false, false, false]);
    expect(events.has(`fetch:${EMPLOYEES}:2`)).toBe(true);
  });

  it('on abort finishes the page being written, commits no unfinished model and returns', async () => {
    const { events, source, store } = setup({
      [EMPLOYEES]: { pages: makePages('e', 4, 2, T0) },
      [GROUPS]: { pages: makePages('g', 1, 1, T0) },
    });
    const controller = new AbortController();
    store.writeGate = async (input, page) => {
      if (input.model !== EMPLOYEES || page !== 2) return;
      controller.abort(new Error('SIGTERM'));
      await new Promise((resolve) => setImmediate(resolve));
    };
    const summary = await withinBound(
      runTestSync(
        { source, store, logger: silentLogger },
        { integrationId: 'i', runId: 1, models: [EMPLOYEES, GROUPS], signal: controller.signal },
      ),
    );
    expect(summary.status).toBe('cancelled');
    expect(events.has(`write:${EMPLOYEES}:2`)).toBe(true);
    expect(events.has(`write-start:${EMPLOYEES}:3`)).toBe(false);
    expect(summary.models[0]).toMatchObject({ status: 'cancelled', pages: 2, watermark: null });
    expect(store.commits.map((commit) => commit.model)).not.toContain(EMPLOYEES);
    expect(store.states.has(EMPLOYEES)).toBe(false);
    expect(store.failures).toHaveLength(0);
  });

  it('returns promptly on abort even when the source ignores the signal', async () => {
    const { events, source, store } = setup({ [EMPLOYEES]: { pages: makePages('e', 3, 1, T0), hangAt: 2 } });
    const controller = new AbortController();
    const run = runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i', runId: 1, models: [EMPLOYEES], signal: controller.signal },
    );
    expect(await events.waitFor(`fetch:${EMPLOYEES}:2`)).toBe(true);
    controller.abort();
    const summary = await withinBound(run);
    expect(summary.models[0]).toMatchObject({ status: 'cancelled', pages: 1 });
    expect(store.commits).toHaveLength(0);
  });

  it('starts nothing when the signal is already aborted', async () => {
    const { source, store } = setup(fiveModels());
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i', runId: 1, models: FIVE_MODELS, signal: AbortSignal.abort() },
    );
    expect(summary.status).toBe('cancelled');
    expect(summary.models.every((model) => model.status === 'cancelled')).toBe(true);
    expect(source.calls).toHaveLength(0);
  });

  it('rejects an invalid concurrency', async () => {
    const { source, store } = setup({});
    await expect(
      runTestSync(
        { source, store, logger: silentLogger },
        { integrationId: 'i', runId: 1, models: [], concurrency: 0 },
      ),
    ).rejects.toThrow(RangeError);
  });
});
