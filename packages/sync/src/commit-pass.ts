import { passSummary, type ModelPass, type SyncModelDeps } from './model-pass.js';
import type { ModelSummary } from './types.js';

/**
 * The last step of a model's pass, once every page (and a full pass's reconciliation) committed: the watermark
 * (the pass's start, Kombo's time) and the run's counts for the model, in one store transaction.
 */
export async function commitPass(
  deps: Pick<SyncModelDeps, 'store' | 'now'>,
  pass: ModelPass,
  passStartedAt: Date,
): Promise<ModelSummary> {
  const { isFullPass } = pass;
  await deps.store.commitModelSuccess({
    integrationId: pass.integrationId,
    model: pass.model,
    runId: pass.runId,
    watermark: passStartedAt,
    isFullPass,
    counts: { ...pass.counts },
  });
  const done = passSummary(pass, deps.now(), 'succeeded', passStartedAt);
  const { pages, upserted, deleted, quarantined } = done;
  pass.log.info({ pages, upserted, deleted, quarantined, isFullPass }, 'model synced');
  return done;
}
