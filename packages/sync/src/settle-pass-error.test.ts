import { describe, expect, it } from '@jest/globals';
import { createModelPass } from './model-pass.js';
import { PassRestartError } from './resumable-pass.js';
import { RESTART_PASS, settlePassError } from './settle-pass-error.js';
import { FakePassStore, silentLogger } from './testing/fakes.js';
import type { ClassifyError } from './types.js';

class CodedError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}
const classifyError: ClassifyError = (error) =>
  error instanceof CodedError && error.code === 'MODEL_NOT_AVAILABLE'
    ? { kind: 'skip-model' }
    : { kind: 'fail-model' };

function setup() {
  const store = new FakePassStore();
  const pass = createModelPass(
    { logger: silentLogger, now: () => 0 },
    { integrationId: 'i', runId: 9, model: 'hris_employees', state: undefined, mode: 'full', overlapMs: 0 },
  );
  pass.counts.pages = 3;
  const settle = (error: unknown, runSignal = new AbortController().signal) =>
    settlePassError({ store, classifyError, now: () => 0 }, pass, error, runSignal);
  return { store, settle };
}

describe('settlePassError', () => {
  it('a refused checkpoint cursor discards the open pass and restarts it', async () => {
    const { store, settle } = setup();
    store.passes.set('hris_employees', { passId: 4, startedAt: new Date(0), cursor: 'x', pages: 2 });
    expect(await settle(new PassRestartError('hris_employees', new Error('400')))).toBe(RESTART_PASS);
    expect(store.passes.size).toBe(0);
  });

  it('a refused cursor whose pass cannot be discarded fails the model instead', async () => {
    const { store, settle } = setup();
    store.discardPass = async () => {
      throw new Error('database down');
    };
    const summary = await settle(new PassRestartError('hris_employees', new Error('400')));
    expect(summary).toMatchObject({ status: 'failed', error: { code: 'SYNC.CURSOR_REJECTED' } });
  });

  it('the run signal makes the pass cancelled, with nothing recorded', async () => {
    const { store, settle } = setup();
    const run = new AbortController();
    run.abort(new Error('shutdown'));
    expect(await settle(run.signal.reason, run.signal)).toMatchObject({ status: 'cancelled', pages: 3 });
    expect([...store.failures, ...store.skips]).toEqual([]);
  });

  it('records a skip for a skip-model error and a failure with the counts for any other', async () => {
    const { store, settle } = setup();
    expect(await settle(new CodedError('MODEL_NOT_AVAILABLE'))).toMatchObject({ status: 'skipped' });
    expect(store.skips).toMatchObject([{ code: 'MODEL_NOT_AVAILABLE', runId: 9 }]);
    expect(await settle(new CodedError('SERVER_ERROR'))).toMatchObject({ status: 'failed', watermark: null });
    expect(store.failures).toMatchObject([{ error: { code: 'SERVER_ERROR' }, counts: { pages: 3 } }]);
  });

  it('a store failure while recording does not mask the error', async () => {
    const { store, settle } = setup();
    store.recordModelFailure = async () => {
      throw new Error('database down');
    };
    expect(await settle(new CodedError('SERVER_ERROR'))).toMatchObject({
      status: 'failed',
      error: { code: 'SERVER_ERROR' },
    });
  });
});
