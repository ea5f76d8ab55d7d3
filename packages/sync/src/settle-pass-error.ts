import { PassYieldedError, toSyncErrorInfo } from './errors.js';
import { bestEffort, passSummary, type ModelPass, type SyncModelDeps } from './model-pass.js';
import { PassRestartError } from './resumable-pass.js';
import type { ModelSummary } from './types.js';

/** The pass starts over from page 1 in the same run (its open pass was discarded). */
export const RESTART_PASS = Symbol('restart pass');

/**
 * What an error that stopped a model's pass means, recorded in the store where it is the model's outcome:
 * - a checkpointed cursor the source refused: the open pass is discarded and the pass starts over
 *   ({@link RESTART_PASS}; if the discard fails, the model fails with the refusal);
 * - the run's signal aborted: `cancelled`, nothing recorded (the watermark stays);
 * - the yield ({@link PassYieldedError}): `yielded`, nothing recorded (an open pass keeps its checkpoint);
 * - a `skip-model` error: `skipped`, recorded;
 * - anything else: `failed`, recorded with the counts of the pages written (the watermark stays).
 * Never throws: a store failure while recording is logged, not allowed to mask the error.
 */
export async function settlePassError(
  deps: Pick<SyncModelDeps, 'store' | 'classifyError' | 'now'>,
  pass: ModelPass,
  error: unknown,
  runSignal: AbortSignal,
): Promise<ModelSummary | typeof RESTART_PASS> {
  const { integrationId, model, runId, log, counts } = pass;
  if (error instanceof PassRestartError && !runSignal.aborted) {
    log.warn({ err: error.cause }, 'checkpointed cursor refused: the pass starts over from page 1');
    let isDiscarded = true;
    await bestEffort(log, 'discardPass', async () => {
      isDiscarded = false;
      await deps.store.discardPass?.({ integrationId, model });
      isDiscarded = true;
    });
    if (isDiscarded) return RESTART_PASS;
  }
  if (runSignal.aborted) {
    log.info({ pages: counts.pages }, 'model pass cancelled; watermark kept');
    return passSummary(pass, deps.now(), 'cancelled', null);
  }
  if (error instanceof PassYieldedError) {
    log.info(
      { pages: counts.pages, reason: error.reason },
      'model pass yielded at a page boundary; checkpoint kept',
    );
    return passSummary(pass, deps.now(), 'yielded', null);
  }
  const info = toSyncErrorInfo(error, deps.classifyError);
  if (info.kind === 'skip-model') {
    await bestEffort(log, 'recordModelSkipped', () =>
      deps.store.recordModelSkipped({ integrationId, model, runId, code: info.code, reason: info.message }),
    );
    log.info({ code: info.code }, 'model skipped');
    return passSummary(pass, deps.now(), 'skipped', null, info);
  }
  await bestEffort(log, 'recordModelFailure', () =>
    deps.store.recordModelFailure({ integrationId, model, runId, error: info, counts: { ...counts } }),
  );
  log.warn(
    { err: error, code: info.code, kind: info.kind, pages: counts.pages },
    'model failed; watermark kept',
  );
  return passSummary(pass, deps.now(), 'failed', null, info);
}
