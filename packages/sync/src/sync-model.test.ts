import { describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import { runTestSync } from './testing/run-test-sync.js';
import {
  FakeCursorRefusedError,
  FakePassStore,
  FakeSource,
  makePages,
  record,
  silentLogger,
} from './testing/fakes.js';
import type { ClassifyError } from './types.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const EMPLOYEES: ModelName = 'hris_employees';
const classifyError: ClassifyError = (error) => ({
  kind: 'fail-model',
  isRequestRejected: error instanceof FakeCursorRefusedError,
});

function setup(failAtPage?: number) {
  const source = new FakeSource({
    [EMPLOYEES]: {
      pages: makePages('e', 6, 2, T0),
      pagesSince: () => [{ komboTime: T0, records: [] }],
      ...(failAtPage ? { failAt: { page: failAtPage, error: new Error('502') } } : {}),
    },
  });
  const store = new FakePassStore(source.events);
  const run = (runId: number) =>
    runTestSync(
      { source, store, logger: silentLogger, classifyError },
      { integrationId: 'i', runId, models: [EMPLOYEES], mode: 'full', writeConcurrency: 1 },
    );
  return { source, store, run };
}

describe('syncModel through its steps', () => {
  it('a pass stopped by a failure resumes at its checkpoint in the next run, then reconciles the whole pass', async () => {
    const { source, store, run } = setup(4);
    await store.writePage({
      integrationId: 'i',
      model: EMPLOYEES,
      records: [record('ghost')],
      komboFetchedAt: new Date('2026-02-01T00:00:00.000Z'),
      runId: 1,
      pageIndex: 0,
      isFullPass: false,
    });
    const failed = await run(2);
    expect(failed.models[0]).toMatchObject({ status: 'failed', pages: 3 });
    expect(store.passes.get(EMPLOYEES)).toEqual({ passId: 2, startedAt: T0, cursor: 'c3', pages: 3 });

    (source.specs[EMPLOYEES] as { failAt?: unknown }).failAt = undefined;
    source.calls.length = 0;
    const resumed = await run(3);
    expect(resumed.models[0]).toMatchObject({ status: 'succeeded', watermark: T0, pages: 4 });
    // Pages 4 to 6 from the checkpoint, then the catch-up since the pass started.
    expect(source.calls.map((call) => call.cursor ?? call.updatedAfter?.toISOString())).toEqual([
      'c3',
      new Date(T0.getTime() - 5 * 60_000).toISOString(),
    ]);
    expect(store.reconciles).toMatchObject([{ runId: 3, passId: 2, passStartedAt: T0 }]);
    expect(store.rows.get(`${EMPLOYEES}:ghost`)?.deleted).toBe(true);
    expect(store.rows.get(`${EMPLOYEES}:e-0`)?.deleted).toBe(false);
    expect(store.passes.size).toBe(0);
  });

  it('a checkpointed cursor the source refuses starts the pass over from page 1 in the same run', async () => {
    const { source, store, run } = setup();
    store.passes.set(EMPLOYEES, { passId: 2, startedAt: T0, cursor: 'expired', pages: 3 });
    const summary = await run(3);
    expect(summary.models[0]).toMatchObject({ status: 'succeeded', pages: 6 });
    expect(source.calls.map((call) => call.cursor ?? null)).toEqual(['expired', null]);
    expect(store.events.entries).toContain(`discard-pass:${EMPLOYEES}`);
    expect(store.reconciles).toMatchObject([{ passId: 3 }]);
  });
});
