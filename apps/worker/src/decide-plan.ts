import { ALL_MODEL_NAMES, getModel, isModelName, type ModelName } from '@kombo-sync/catalog';
import type { IntegrationRow } from '@kombo-sync/db';
import type { KomboIntegration } from '@kombo-sync/kombo';
import type { Intent } from '@kombo-sync/queue';
import type { SyncMode } from '@kombo-sync/sync';
import type { WorkerConfig } from './worker-config.js';

/** What a run must do, or null when the intent needs no sync (deleted, paused, nothing enabled). */
export interface SyncPlan {
  models: ModelName[];
  mode: SyncMode;
  /** Models that get a full pass in a delta plan: full passes a stopped run handed back (intent `fullModels`). */
  fullModels?: ModelName[];
  trigger: string;
  /** Enabled models Kombo lists with `read_models[].is_available=false`: left out, recorded as skipped. */
  unavailable?: ModelName[];
  /** Kombo cleared `data_expired_at`: this is the full resync; clear our copy once it succeeds. */
  clearsDataExpired?: boolean;
}

/** What the intent's lifecycle parts did to the integration (see planSync). */
export interface LifecycleFacts {
  /** The intent's state change took the integration out of a paused state. */
  isResumed: boolean;
  /** Recorded by this run from anything but `integration-created`: nothing of it was ever synced. */
  isFirstSeen: boolean;
}

/** The plan decision: pure, from the integration's row (lifecycle applied), the intent and Kombo's view. */
export type PlanDecision =
  | { action: 'paused' }
  /** Kombo's view of the integration is needed: read it and decide again with it. */
  | { action: 'read-remote' }
  | {
      action: 'plan';
      /** Null: nothing enabled (or nothing Kombo serves) to sync. */
      plan: SyncPlan | null;
      /** Kombo reports the synced data expired at this new time: record it. */
      dataExpiredAt?: Date;
      /** Kombo cleared `data_expired_at` that we had recorded. */
      clearsDataExpired: boolean;
    };

/**
 * Kombo states (and ours) in which an integration is not synced until it becomes ACTIVE again: no request is made
 * for it, except one `GET /integrations/{id}` per scheduled run while INACTIVE/INVALID (see decidePlan).
 */
const PAUSED_STATES = new Set(['INACTIVE', 'INVALID', 'NOT_FOUND']);
export const isPausedState = (state: string | null | undefined): boolean => PAUSED_STATES.has(state ?? '');

/**
 * The enabled models of the integration's category, in catalog order, within the integration's own model subset
 * when an operator set one. Kombo's category is kept as sent; only HRIS, ATS and LMS have catalog models, so an
 * ASSESSMENT integration is recorded and has nothing to sync.
 */
export function enabledModels(
  config: Pick<WorkerConfig, 'enabledModels'>,
  category: string,
  subset?: readonly string[] | null,
): ModelName[] {
  const enabled = new Set(config.enabledModels ?? ALL_MODEL_NAMES);
  const chosen = subset ? new Set(subset) : undefined;
  return ALL_MODEL_NAMES.filter(
    (model) => enabled.has(model) && getModel(model).category === category && (chosen?.has(model) ?? true),
  );
}

/**
 * Works out the run: models = the enabled set for `'all'`, full, created, resumed or first seen; else the
 * intersection with the intent's models and `fullModels` (which get a full pass in a delta plan). Runs of every model (except the initial one after `integration-created`)
 * need Kombo's view of the integration (`remote`): its `data_expired_at` and the models it does not serve.
 */
export function decidePlan(
  row: Pick<IntegrationRow, 'state' | 'isPaused' | 'category' | 'dataExpiredAt' | 'models'>,
  intent: Intent,
  config: Pick<WorkerConfig, 'enabledModels'>,
  remote: Pick<KomboIntegration, 'data_expired_at' | 'read_models'> | undefined,
  { isResumed, isFirstSeen }: LifecycleFacts,
): PlanDecision {
  if (row.isPaused) return { action: 'paused' };
  if (isPausedState(row.state)) {
    // INACTIVE/INVALID at Kombo: no request, except that a run of every model (a schedule) asks Kombo once whether
    // it serves the integration again, in case the webhook saying so was lost. NOT_FOUND is ours: nothing to ask.
    const isCheck = row.state !== 'NOT_FOUND' && !remote && (intent.models === 'all' || intent.full);
    return isCheck ? { action: 'read-remote' } : { action: 'paused' };
  }
  const enabled = enabledModels(config, row.category, row.models);
  const isEverything =
    intent.models === 'all' || intent.full || Boolean(intent.created) || isResumed || isFirstSeen;
  const requested = [...(intent.models === 'all' ? [] : intent.models), ...(intent.fullModels ?? [])];
  let models = isEverything ? enabled : enabled.filter((model) => requested.includes(model));
  let unavailable: ModelName[] = [];
  let clearsDataExpired = false;
  let dataExpiredAt: Date | undefined;
  if ((isEverything || row.state === null) && models.length > 0 && !intent.created) {
    // Kombo's view of the integration, read on runs of every model only (schedules, sync-finished, resumes, first
    // seen), never on a data-changed delta (no extra request) unless its state is still unknown (once), nor on the
    // initial sync after integration-created (every model is fetched anyway; one Kombo does not serve answers
    // MODEL_NOT_AVAILABLE and is skipped; its state was read before the plan).
    if (!remote) return { action: 'read-remote' };
    const expiredAt = remote.data_expired_at ? new Date(remote.data_expired_at) : null;
    if (expiredAt && expiredAt.getTime() !== row.dataExpiredAt?.getTime()) dataExpiredAt = expiredAt;
    clearsDataExpired = !expiredAt && Boolean(row.dataExpiredAt);
    const unavailableIds = new Set(
      (remote.read_models ?? []).filter((model) => !model.is_available).map((model) => model.id),
    );
    unavailable = models.filter((model) => isModelName(model) && unavailableIds.has(model));
    models = models.filter((model) => !unavailableIds.has(model));
  }
  const decided = { ...(dataExpiredAt ? { dataExpiredAt } : {}), clearsDataExpired };
  if (models.length === 0) return { action: 'plan', plan: null, ...decided };
  const trigger =
    intent.triggers.length > 0 ? intent.triggers.join(',') : isResumed ? 'state:active' : 'unknown';
  const fullModels = models.filter((model) => intent.fullModels?.includes(model));
  // A plan of nothing but full passes (e.g. what a stopped full sync handed back) is a full plan.
  const isAllFull = fullModels.length === models.length;
  const mode = intent.full || isFirstSeen || clearsDataExpired || isAllFull ? 'full' : 'delta';
  return {
    action: 'plan',
    plan: {
      models,
      mode,
      ...(mode === 'delta' && fullModels.length > 0 ? { fullModels } : {}),
      trigger,
      ...(unavailable.length > 0 ? { unavailable } : {}),
      ...(clearsDataExpired ? { clearsDataExpired } : {}),
    },
    ...decided,
  };
}
