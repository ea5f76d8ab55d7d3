import { emitChanges, type ModelPass, type SyncModelDeps } from './model-pass.js';
import type { PassStart } from './start-pass.js';

/**
 * After a complete full pass: marks the model's rows the pass did not see as deleted (over every run of a resumable
 * pass, which the store then closes) and reports them as changes. Never called for a delta or a partial pass.
 */
export async function reconcilePass(
  deps: Pick<SyncModelDeps, 'store' | 'onChangesCommitted'>,
  pass: ModelPass,
  { plan, progress }: PassStart,
  passStartedAt: Date,
): Promise<void> {
  const reconciled = await deps.store.reconcileDeletions({
    integrationId: pass.integrationId,
    model: pass.model,
    runId: pass.runId,
    passStartedAt,
    ...(progress && plan.passId !== undefined ? { passId: plan.passId } : {}),
  });
  pass.counts.deleted += reconciled.deleted;
  await emitChanges(deps, pass, {
    source: 'reconcile',
    page: pass.counts.pages,
    komboTime: passStartedAt,
    changedIds: [],
    deletedIds: reconciled.deletedIds,
  });
}
