import { describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import type { RunIntegrationSyncInput } from './run-integration-sync.js';
import { runTestSync, TEST_RUN_SETTINGS } from './testing/run-test-sync.js';
import {
  EventLog,
  FakeSource,
  FakeStore,
  makePages,
  record,
  silentLogger,
  type FakeModelSpec,
} from './testing/fakes.js';
import type { ChangesCommittedEvent, ClassifyError } from './types.js';

class FakeKomboError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly recordId?: string,
  ) {
    super(message);
  }
}

const classifyError: ClassifyError = (error) => {
  const code = error instanceof FakeKomboError ? error.code : undefined;
  if (code === 'INTEGRATION.MODEL_NOT_AVAILABLE') return { kind: 'skip-model' };
  if (code === 'PLATFORM.RATE_LIMIT_EXCEEDED') return { kind: 'abort-run' };
  return { kind: 'fail-model' };
};

const T0 = new Date('2026-03-01T10:00:00.000Z');
const EMPLOYEES: ModelName = 'hris_employees';
const GROUPS: ModelName = 'hris_groups';
const LOCATIONS: ModelName = 'hris_locations';

function setup(specs: Partial<Record<ModelName, FakeModelSpec>>) {
  const events = new EventLog();
  const source = new FakeSource(specs, events);
  const store = new FakeStore(events);
  const changes: ChangesCommittedEvent[] = [];
  const run = (input: Partial<RunIntegrationSyncInput> & Pick<RunIntegrationSyncInput, 'models'>) =>
    runTestSync(
      {
        source,
        store,
        logger: silentLogger,
        classifyError,
        onChangesCommitted: (event) => void changes.push(event),
      },
      { integrationId: 'personio:abc', runId: 7, ...input },
    );
  return { events, source, store, changes, run };
}

describe('runIntegrationSync', () => {
  it('runs a first sync as a full pass and later syncs as deltas from watermark minus overlap', async () => {
    const { source, store, run } = setup({ [EMPLOYEES]: { pages: makePages('e', 2, 3, T0) } });

    const first = await run({ models: [EMPLOYEES] });
    expect(first.status).toBe('succeeded');
    expect(source.calls[0]).toEqual({ model: EMPLOYEES, updatedAfter: undefined });
    expect(store.writes.every((write) => write.isFullPass && write.isInitialPass)).toBe(true);
    expect(first.models[0]).toMatchObject({ isFullPass: true, pages: 2, upserted: 6, watermark: T0 });

    const second = await run({ models: [EMPLOYEES] });
    expect(source.calls[1]?.updatedAfter).toEqual(new Date(T0.getTime() - TEST_RUN_SETTINGS.overlapMs));
    expect(store.writes.slice(2).every((write) => !write.isFullPass && !write.isInitialPass)).toBe(true);
    expect(second.models[0]).toMatchObject({ isFullPass: false, upserted: 0, unchanged: 6 });
    expect(store.reconciles).toHaveLength(1);
  });

  it("hands the store each page's record texts as received, when the source has them", async () => {
    const [withTexts, withoutTexts] = makePages('e', 2, 2, T0);
    const rawResults = withTexts!.records.map((record) => ` ${JSON.stringify(record)} `);
    const { store, run } = setup({
      [EMPLOYEES]: { pages: [{ ...withTexts!, rawResults }, withoutTexts!] },
    });
    expect((await run({ models: [EMPLOYEES] })).status).toBe('succeeded');
    const writes = [...store.writes].sort((a, b) => a.pageIndex - b.pageIndex);
    expect(writes.map((write) => write.rawRecords)).toEqual([rawResults, undefined]);
    expect(writes[0]?.records).toBe(withTexts!.records);
  });

  it('subtracts a custom overlap and ignores the watermark in full mode', async () => {
    const { source, store, run } = setup({ [EMPLOYEES]: { pages: makePages('e', 1, 1, T0) } });
    const watermark = new Date('2026-02-01T00:00:00.000Z');
    store.states.set(EMPLOYEES, { watermark });

    await run({ models: [EMPLOYEES], overlapMs: 60_000 });
    expect(source.calls[0]?.updatedAfter).toEqual(new Date(watermark.getTime() - 60_000));

    const full = await run({ models: [EMPLOYEES], mode: 'full' });
    expect(source.calls[1]?.updatedAfter).toBeUndefined();
    // A scheduled full pass of a model that has a watermark is not an initial one (its rows are mostly stored).
    expect(store.writes.at(-1)).toMatchObject({ isFullPass: true, isInitialPass: false });
    expect(full.models[0]).toMatchObject({ isFullPass: true, updatedAfter: null });
    expect(store.reconciles).toHaveLength(1);
  });

  it("takes the watermark from the first page's komboTime, never the worker's clock", async () => {
    const { source, store } = setup({ [EMPLOYEES]: { pages: makePages('e', 3, 1, T0) } });
    // The worker's clock is 3 hours ahead of Kombo's; later pages carry later komboTimes (T0+1s, T0+2s).
    const skewedWorkerClock = (): number => T0.getTime() + 3 * 60 * 60 * 1000;
    const summary = await runTestSync(
      { source, store, logger: silentLogger, now: skewedWorkerClock },
      { integrationId: 'personio:abc', runId: 1, models: [EMPLOYEES] },
    );
    expect(summary.models[0]?.watermark).toEqual(T0);
    expect(store.commits.map((commit) => commit.watermark)).toEqual([T0]);
    expect(store.states.get(EMPLOYEES)?.watermark).toEqual(T0);
  });

  it('keeps the old watermark of a failed model while the others advance', async () => {
    const old = new Date('2026-02-01T00:00:00.000Z');
    const { store, run } = setup({
      [EMPLOYEES]: {
        pages: makePages('e', 3, 2, T0),
        failAt: { page: 2, error: new Error('socket hang up') },
      },
      [GROUPS]: { pages: makePages('g', 2, 2, T0) },
    });
    store.states.set(EMPLOYEES, { watermark: old });
    store.states.set(GROUPS, { watermark: old });

    const summary = await run({ models: [EMPLOYEES, GROUPS] });
    expect(summary.status).toBe('failed');
    expect(store.states.get(EMPLOYEES)?.watermark).toEqual(old);
    expect(store.states.get(GROUPS)?.watermark).toEqual(T0);
    expect(summary.models[0]).toMatchObject({ status: 'failed', pages: 1, watermark: null });
    expect(summary.models[0]?.error).toMatchObject({
      kind: 'fail-model',
      code: 'SYNC.ERROR',
      message: 'socket hang up',
    });
    expect(store.failures).toHaveLength(1);
    expect(store.failures[0]?.counts.pages).toBe(1);
  });

  it('fails only the model with malformed data, naming the record id', async () => {
    const malformed = new FakeKomboError('CLIENT.MALFORMED_RESPONSE', 'schema violation', 'e-42');
    const { run } = setup({
      [EMPLOYEES]: { pages: makePages('e', 2, 1, T0), failAt: { page: 1, error: malformed } },
      [GROUPS]: { pages: makePages('g', 1, 1, T0) },
    });
    const summary = await run({ models: [EMPLOYEES, GROUPS] });
    expect(summary.models[0]?.error).toMatchObject({ code: 'CLIENT.MALFORMED_RESPONSE', recordId: 'e-42' });
    expect(summary.models[0]?.error?.message).toContain('e-42');
    expect(summary.models[1]?.status).toBe('succeeded');
  });

  it('records skip-model errors as skipped and still succeeds', async () => {
    const unavailable = new FakeKomboError('INTEGRATION.MODEL_NOT_AVAILABLE', 'model not available');
    const { store, run } = setup({
      [EMPLOYEES]: { pages: makePages('e', 1, 1, T0), failAt: { page: 1, error: unavailable } },
      [GROUPS]: { pages: makePages('g', 1, 1, T0) },
    });
    const summary = await run({ models: [EMPLOYEES, GROUPS] });
    expect(summary.status).toBe('succeeded');
    expect(summary.models[0]?.status).toBe('skipped');
    expect(store.skips).toEqual([
      {
        integrationId: 'personio:abc',
        model: EMPLOYEES,
        runId: 7,
        code: 'INTEGRATION.MODEL_NOT_AVAILABLE',
        reason: 'model not available',
      },
    ]);
    expect(store.states.has(EMPLOYEES)).toBe(false);
  });

  it('aborts the whole run on an integration-wide error, committing nothing unfinished', async () => {
    const rateLimited = new FakeKomboError('PLATFORM.RATE_LIMIT_EXCEEDED', 'rate limited');
    const { store, run } = setup({
      [EMPLOYEES]: { pages: makePages('e', 2, 1, T0), failAt: { page: 2, error: rateLimited } },
      [GROUPS]: {
        pages: makePages('g', 5, 1, T0),
        gates: new Map([[2, new Promise<void>(() => undefined)]]),
      },
      [LOCATIONS]: { pages: makePages('l', 1, 1, T0) },
    });
    const summary = await run({ models: [EMPLOYEES, GROUPS, LOCATIONS] });
    expect(summary.status).toBe('aborted');
    expect(summary.abortError).toMatchObject({ kind: 'abort-run', code: 'PLATFORM.RATE_LIMIT_EXCEEDED' });
    expect(summary.abortError?.cause).toBe(rateLimited);
    expect(summary.models.map((model) => model.status)).toEqual(['failed', 'cancelled', 'cancelled']);
    expect(store.commits).toHaveLength(0);
    expect(store.reconciles).toHaveLength(0);
  });

  it('reconciles deletions only after a complete full pass, before committing', async () => {
    const { store, changes, run } = setup({ [EMPLOYEES]: { pages: makePages('e', 2, 2, T0) } });
    // A row from an older pass that Kombo no longer returns.
    store.rows.set(`${EMPLOYEES}:gone`, {
      record: record('gone'),
      komboFetchedAt: new Date(T0.getTime() - 1),
      deleted: false,
    });

    const summary = await run({ models: [EMPLOYEES], mode: 'full' });
    expect(store.reconciles).toEqual([
      { integrationId: 'personio:abc', model: EMPLOYEES, runId: 7, passStartedAt: T0 },
    ]);
    expect(store.events.entries.indexOf(`reconcile:${EMPLOYEES}`)).toBeLessThan(
      store.events.entries.indexOf(`commit:${EMPLOYEES}`),
    );
    expect(summary.models[0]).toMatchObject({ deleted: 1, upserted: 4 });
    expect(store.commits[0]?.counts.deleted).toBe(1);
    expect(changes.at(-1)).toMatchObject({ source: 'reconcile', deletedIds: ['gone'], komboTime: T0 });
  });

  it('never reconciles after a partial full pass', async () => {
    const { store, run } = setup({
      [EMPLOYEES]: { pages: makePages('e', 3, 2, T0), failAt: { page: 3, error: new Error('502') } },
    });
    store.rows.set(`${EMPLOYEES}:gone`, {
      record: record('gone'),
      komboFetchedAt: new Date(T0.getTime() - 1),
      deleted: false,
    });
    const summary = await run({ models: [EMPLOYEES], mode: 'full' });
    expect(summary.status).toBe('failed');
    expect(store.reconciles).toHaveLength(0);
    expect(store.rows.get(`${EMPLOYEES}:gone`)?.deleted).toBe(false);
  });

  it('fails a model whose source yields no page', async () => {
    const { run } = setup({ [EMPLOYEES]: { pages: [] } });
    const summary = await run({ models: [EMPLOYEES] });
    expect(summary.models[0]?.error).toMatchObject({ code: 'SYNC.SOURCE_CONTRACT' });
  });
});
