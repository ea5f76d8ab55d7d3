import { describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import { runTestSync } from './testing/run-test-sync.js';
import {
  FakePassStore,
  FakeSource,
  makePages,
  record,
  silentLogger,
  type FakeModelSpec,
} from './testing/fakes.js';
import type { RunIntegrationSyncInput } from './run-integration-sync.js';
import type { SyncSource } from './types.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const EMPLOYEES: ModelName = 'hris_employees';
const GROUPS: ModelName = 'hris_groups';
const LOCATIONS: ModelName = 'hris_locations';

/** A promise and the function that settles it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function setup(specs: Partial<Record<ModelName, FakeModelSpec>>) {
  const source = new FakeSource(specs);
  const store = new FakePassStore(source.events);
  const run = (
    runId: number,
    input: Partial<RunIntegrationSyncInput> & Pick<RunIntegrationSyncInput, 'models'>,
    deps: { source?: SyncSource } = {},
  ) =>
    runTestSync(
      { source: deps.source ?? source, store, logger: silentLogger },
      { integrationId: 'i', runId, ...input },
    );
  /** The pages of hris_employees requested so far, in order (a listing's page numbers). */
  const fetched = () =>
    source.events.entries.filter((e) => e.startsWith(`fetch:${EMPLOYEES}:`)).map((e) => e.split(':')[2]);
  return { source, store, run, fetched };
}

const employeesWithGate = (atPage: number) => {
  const held = gate();
  const spec: FakeModelSpec = {
    pages: makePages('e', 8, 2, T0),
    pagesSince: () => [{ komboTime: T0, records: [] }],
    gates: new Map([[atPage, held.promise]]),
  };
  return { spec, held };
};

describe('the yield', () => {
  it('stops a full pass at the page boundary: the page in flight is written, the next run fetches no page twice', async () => {
    const { spec, held } = employeesWithGate(4);
    const { source, store, run, fetched } = setup({ [EMPLOYEES]: spec });
    const yielding = new AbortController();
    const first = run(1, { models: [EMPLOYEES], mode: 'full', yieldSignal: yielding.signal });
    expect(await source.events.waitFor(`fetch:${EMPLOYEES}:4`)).toBe(true);
    yielding.abort('shutdown');
    held.open();
    const summary = await first;

    expect(summary).toMatchObject({ status: 'yielded', yieldReason: 'shutdown' });
    expect(summary.models[0]).toMatchObject({ status: 'yielded', pages: 4, watermark: null });
    expect(source.events.has(`fetch:${EMPLOYEES}:5`)).toBe(false);
    expect(store.passes.get(EMPLOYEES)).toEqual({ passId: 1, startedAt: T0, cursor: 'c4', pages: 4 });
    expect(store.commits).toEqual([]);

    const fetchedBefore = fetched().length;
    const second = await run(2, { models: [EMPLOYEES], mode: 'full' });
    expect(second.models[0]).toMatchObject({ status: 'succeeded', watermark: T0, pages: 5 });
    // Pages 5 to 8 of the listing, then the catch-up's one page (what changed since the pass started).
    expect(fetched().slice(fetchedBefore)).toEqual(['5', '6', '7', '8', '1']);
    expect(source.calls.at(-1)?.updatedAfter).toBeDefined();
    expect(store.passes.size).toBe(0);
  });

  it('starts no model after the yield; a model that finished is committed and is not redone', async () => {
    const { spec, held } = employeesWithGate(2);
    const { source, store, run } = setup({
      [GROUPS]: { pages: makePages('g', 2, 1, T0) },
      [EMPLOYEES]: spec,
      [LOCATIONS]: { pages: makePages('l', 2, 1, T0) },
    });
    const yielding = new AbortController();
    const running = run(1, {
      models: [GROUPS, EMPLOYEES, LOCATIONS],
      concurrency: 1,
      yieldSignal: yielding.signal,
    });
    expect(await source.events.waitFor(`fetch:${EMPLOYEES}:2`)).toBe(true);
    yielding.abort('pause');
    held.open();
    const summary = await running;
    expect(summary.status).toBe('yielded');
    expect(summary.yieldReason).toBe('pause');
    expect(summary.models.map((m) => [m.model, m.status])).toEqual([
      [GROUPS, 'succeeded'],
      [EMPLOYEES, 'yielded'],
      [LOCATIONS, 'yielded'],
    ]);
    expect(store.commits.map((c) => c.model)).toEqual([GROUPS]);
    expect(source.calls.some((call) => call.model === LOCATIONS)).toBe(false);
  });

  it('a delta that yields keeps its watermark', async () => {
    const held = gate();
    const { source, store, run } = setup({
      [EMPLOYEES]: { pages: makePages('e', 4, 1, T0), gates: new Map([[2, held.promise]]) },
    });
    store.states.set(EMPLOYEES, { watermark: T0 });
    const yielding = new AbortController();
    const running = run(1, { models: [EMPLOYEES], yieldSignal: yielding.signal });
    await source.events.waitFor(`fetch:${EMPLOYEES}:2`);
    yielding.abort('slice');
    held.open();
    const summary = await running;
    expect(summary.models[0]).toMatchObject({ status: 'yielded', isFullPass: false, pages: 2 });
    expect(store.commits).toEqual([]);
    expect(store.failures).toEqual([]);
    expect(store.states.get(EMPLOYEES)?.watermark).toEqual(T0);
  });

  it('a failure takes precedence, and the hard signal after the yield cancels', async () => {
    const failing = setup({
      [GROUPS]: { pages: makePages('g', 2, 1, T0), failAt: { page: 1, error: new Error('502') } },
      [EMPLOYEES]: { pages: makePages('e', 2, 1, T0) },
    });
    const yielded = new AbortController();
    yielded.abort('shutdown');
    expect(
      (await failing.run(1, { models: [GROUPS], yieldSignal: new AbortController().signal })).status,
    ).toBe('failed');
    const summary = await failing.run(2, { models: [EMPLOYEES], yieldSignal: yielded.signal });
    expect(summary.models[0]?.status).toBe('yielded');

    const { spec, held } = employeesWithGate(2);
    const hard = setup({ [EMPLOYEES]: spec });
    const yielding = new AbortController();
    const stop = new AbortController();
    const running = hard.run(1, {
      models: [EMPLOYEES],
      yieldSignal: yielding.signal,
      signal: stop.signal,
    });
    await hard.source.events.waitFor(`fetch:${EMPLOYEES}:2`);
    yielding.abort('shutdown');
    stop.abort(new Error('shutdown deadline'));
    held.open();
    expect((await running).status).toBe('cancelled');
  });

  it('makes no quarantine re-fetch and no catch-up request after the yield', async () => {
    const { source, store, run } = setup({
      [EMPLOYEES]: {
        pages: makePages('e', 3, 1, T0),
        byIds: () => ({ komboTime: T0, records: [record('q')] }),
      },
    });
    store.quarantine.set(`${EMPLOYEES}:q`, 1);
    store.passes.set(EMPLOYEES, { passId: 1, startedAt: T0, cursor: null, pages: 3 });
    const yielded = new AbortController();
    const stopAfterIds: SyncSource = {
      async *pages(model, options) {
        yield* source.pages(model, options);
        // The quarantine re-fetch is done: the yield comes before the catch-up's request.
        if (options.ids) yielded.abort('shutdown');
      },
    };
    const summary = await run(
      2,
      { models: [EMPLOYEES], mode: 'full', yieldSignal: yielded.signal },
      {
        source: stopAfterIds,
      },
    );
    expect(summary.models[0]?.status).toBe('yielded');
    expect(source.calls.map((call) => (call.ids ? 'ids' : (call.cursor ?? 'listing')))).toEqual(['ids']);
    expect(store.passes.get(EMPLOYEES)).toMatchObject({ pages: 3, cursor: null });
  });

  it('writes the checkpoint a pass stopping now still owes when pages committed out of order', async () => {
    const { spec, held } = employeesWithGate(3);
    const { source, store, run } = setup({ [EMPLOYEES]: spec });
    const yielding = new AbortController();
    let checkpoints = 0;
    const checkpointPass = store.checkpointPass.bind(store);
    store.checkpointPass = async (input) => {
      checkpoints += 1;
      await checkpointPass(input);
    };
    // Pages 2 and 3 are each asked for their checkpoint before the other's commit is known.
    store.commitGate = async (_input, page) => {
      if (page === 2) await store.events.waitFor(`checkpoint-asked:${EMPLOYEES}:3`);
    };
    store.writeGate = async (_input, page) => {
      if (page === 3) await store.events.waitFor(`checkpoint-asked:${EMPLOYEES}:2`);
    };
    const running = run(1, {
      models: [EMPLOYEES],
      mode: 'full',
      writeConcurrency: 2,
      yieldSignal: yielding.signal,
    });
    await source.events.waitFor(`fetch:${EMPLOYEES}:3`);
    yielding.abort('shutdown');
    held.open();
    await running;
    // Page 2 carried the checkpoint of page 2, page 3 none: the pass wrote page 3's on its way out.
    expect(store.passes.get(EMPLOYEES)).toMatchObject({ pages: 3, cursor: 'c3' });
    expect(checkpoints).toBe(3);
  });

  it('shouldYield, asked before each request, stops the run with its reason', async () => {
    const { source, store } = setup({
      [EMPLOYEES]: { pages: makePages('e', 3, 1, T0) },
      [GROUPS]: { pages: makePages('g', 3, 1, T0) },
    });
    let asked = 0;
    const summary = await runTestSync(
      {
        source,
        store,
        logger: silentLogger,
        // Paused after the second request started.
        shouldYield: async () => ((asked += 1) > 2 ? 'pause' : undefined),
      },
      { integrationId: 'i', runId: 1, models: [EMPLOYEES, GROUPS], concurrency: 1, writeConcurrency: 1 },
    );
    expect(summary).toMatchObject({ status: 'yielded', yieldReason: 'pause' });
    expect(summary.models.map((m) => [m.status, m.pages])).toEqual([
      ['yielded', 2],
      ['yielded', 0],
    ]);
    expect(source.calls.map((call) => call.model)).toEqual([EMPLOYEES]);
    expect(asked).toBe(3);
  });
});
