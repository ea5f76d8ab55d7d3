import type { ModelName } from '@kombo-sync/catalog';
import type { Intent, TakenIntent } from '@kombo-sync/queue';
import type { SyncPlan } from './decide-plan.js';

/** A plan split for the delta lane: what it runs itself, and the work it hands on to the bulk lane. */
export interface DeltaLaneSplit {
  delta?: SyncPlan;
  handOn?: Partial<Intent>;
}

/**
 * Splits a plan for the delta lane: models with a watermark and no full pass asked for (the plan's mode or its
 * `fullModels`) are its deltas; full passes and models never synced (an initial pass is as long as the whole model) are bulk work, handed on to the bulk lane.
 * `hasWatermark` is not asked for a full plan.
 */
export function splitForDeltaLane(
  plan: SyncPlan,
  intent: Pick<TakenIntent, 'triggers' | 'requestIds' | 'traceparents'>,
  hasWatermark: (model: ModelName) => boolean,
): DeltaLaneSplit {
  const fullOf = (models: ModelName[]) => models.filter((model) => plan.fullModels?.includes(model));
  const handOnOf = (models: ModelName[]): Partial<Intent> => ({
    models,
    full: plan.mode === 'full',
    ...(fullOf(models).length > 0 ? { fullModels: fullOf(models) } : {}),
    triggers: intent.triggers,
    requestIds: intent.requestIds,
    ...(intent.traceparents ? { traceparents: intent.traceparents } : {}),
  });
  if (plan.mode === 'full') return { handOn: handOnOf(plan.models) };
  const isBulk = (model: ModelName): boolean =>
    plan.fullModels?.includes(model) === true || !hasWatermark(model);
  const bulk = plan.models.filter(isBulk);
  const delta = plan.models.filter((model) => !isBulk(model));
  const { fullModels: _bulkOnly, ...deltaPlan } = plan;
  return {
    ...(delta.length > 0 ? { delta: { ...deltaPlan, models: delta } } : {}),
    ...(bulk.length > 0 ? { handOn: handOnOf(bulk) } : {}),
  };
}
