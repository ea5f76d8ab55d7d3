import type { ModelPass } from './model-pass.js';
import { PassProgress, planPass, type PassPlan } from './resumable-pass.js';
import type { SyncStore } from './types.js';

/** How a model's pass starts: new, resumed or not resumable, and what it re-fetches first. */
export interface PassStart {
  readonly plan: PassPlan;
  /** Tracks the listing's committed pages, for the checkpoint of a resumable full pass (new or resumed). */
  readonly progress?: PassProgress;
  /** The model's quarantined ids, re-fetched by id before the listing. */
  readonly quarantinedIds: readonly string[];
}

/**
 * The first step of a model's pass, before any Kombo request: opens or resumes it ({@link planPass}: a full pass
 * resumes the model's open pass at its checkpoint, or starts a new resumable one; a delta joins the open pass's
 * seen ids) and lists the quarantined ids to re-fetch.
 */
export async function startPass(
  store: SyncStore,
  pass: ModelPass,
  { cursorMaxAgeMs }: { readonly cursorMaxAgeMs: number },
): Promise<PassStart> {
  const { integrationId, model, log } = pass;
  log.debug({ isFullPass: pass.isFullPass, updatedAfter: pass.updatedAfter }, 'model pass started');
  const plan = await planPass(store, log, {
    integrationId,
    model,
    runId: pass.runId,
    isFullPass: pass.isFullPass,
    state: pass.state,
    cursorMaxAgeMs,
  });
  const isCheckpointed = pass.isFullPass && plan.passId !== undefined && (plan.resume || plan.isNew);
  const quarantinedIds = (await store.listQuarantinedIds?.({ integrationId, model })) ?? [];
  if (quarantinedIds.length > 0)
    log.info({ quarantined: quarantinedIds.length }, 'retrying quarantined records');
  return {
    plan,
    ...(isCheckpointed && plan.passId !== undefined
      ? { progress: new PassProgress(plan.passId, plan.resume?.pages ?? 0) }
      : {}),
    quarantinedIds,
  };
}
