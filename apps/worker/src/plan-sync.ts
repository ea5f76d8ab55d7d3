import { getModel, isModelName, type ModelName, ALL_MODEL_NAMES } from '@kombo-sync/catalog';
import {
  deleteIntegrationData,
  getIntegration,
  markIntegrationDataDeleted,
  markIntegrationDeleted,
  setIntegrationState,
  upsertIntegration,
  withFencedTransaction,
  type Database,
  type Fence,
  type IntegrationRow,
} from '@kombo-sync/db';
import { KomboIntegrationNotFoundError, type KomboClient, type KomboIntegration } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import { removeSchedules, type Intent, type SyncQueues } from '@kombo-sync/queue';
import type { SyncMode } from '@kombo-sync/sync';
import type { WorkerConfig } from './worker-config.js';
import { registerIntegrationSchedule } from './integration-schedule.js';

export interface PlanDeps {
  database: Database;
  /** The run's fence: the lifecycle's writes to the integration's data check it like the sync's. */
  fence: Fence;
  /** Schedules live in the delta lane. */
  queues: SyncQueues;
  kombo: KomboClient;
  config: WorkerConfig;
}

/** What a run must do, or null when the intent needs no sync (deleted, paused, nothing enabled). */
export interface SyncPlan {
  models: ModelName[];
  mode: SyncMode;
  trigger: string;
  /** Enabled models Kombo lists with `read_models[].is_available=false`: left out, recorded as skipped. */
  unavailable?: ModelName[];
  /** Kombo cleared `data_expired_at`: this is the full resync; clear our copy once it succeeds. */
  clearsDataExpired?: boolean;
}

/** Kombo states (and ours) in which an integration is not synced until it becomes ACTIVE again. */
const PAUSED_STATES = new Set(['INACTIVE', 'INVALID', 'NOT_FOUND']);
const isPausedState = (state: string | null | undefined): boolean => PAUSED_STATES.has(state ?? '');

/**
 * The enabled models of the integration's category, in catalog order, within the integration's own model subset
 * when an operator set one. Kombo's category is kept as sent; only HRIS and ATS have catalog models, so an LMS or
 * ASSESSMENT integration is recorded and has nothing to sync.
 */
export function enabledModels(
  config: WorkerConfig,
  category: string,
  subset?: readonly string[] | null,
): ModelName[] {
  const enabled = new Set(config.enabledModels ?? ALL_MODEL_NAMES);
  const chosen = subset ? new Set(subset) : undefined;
  return ALL_MODEL_NAMES.filter(
    (model) => enabled.has(model) && getModel(model).category === category && (chosen?.has(model) ?? true),
  );
}

async function registerIntegrationSchedules(deps: PlanDeps, integrationId: string): Promise<void> {
  await registerIntegrationSchedule(deps, integrationId);
}

/**
 * Applies the intent's lifecycle parts (deleted, created, state) to the integrations table and the schedules, and
 * works out the run: models = the enabled set for `'all'`, full, created or resumed; else the intersection.
 * An integration never seen before (data changed before `integration-created`) is looked up at Kombo, recorded
 * with its real category and given a full sync of every model; an id Kombo does not know is not recorded.
 */
export async function planSync(
  deps: PlanDeps,
  integrationId: string,
  intent: Intent,
  log: Logger,
): Promise<SyncPlan | null> {
  const { database, config } = deps;
  if (intent.deleted) {
    await removeSchedules(deps.queues.delta, integrationId);
    const deletedAt = new Date(intent.deleted.deleted_at);
    const isHardDelete = config.onIntegrationDeleted === 'delete';
    const rows = await withFencedTransaction(database, deps.fence, async (tx) => {
      const count = isHardDelete
        ? await deleteIntegrationData(tx, integrationId)
        : await markIntegrationDataDeleted(tx, integrationId, deletedAt);
      await markIntegrationDeleted(tx, integrationId, deletedAt);
      return count;
    });
    log.info(
      { rows },
      isHardDelete
        ? 'integration deleted: its rows were removed'
        : 'integration deleted: its rows marked deleted',
    );
    return null;
  }

  let row: IntegrationRow | undefined = await getIntegration(database, integrationId);
  let remote: KomboIntegration | undefined;
  /** Recorded by this run from anything but `integration-created`: nothing of it was ever synced. */
  let isFirstSeen = false;
  if (intent.created) {
    const endUser = intent.created.end_user as Record<string, unknown> | undefined;
    const text = (key: string): string | null =>
      typeof endUser?.[key] === 'string' ? (endUser[key] as string) : null;
    const wasGone = Boolean(row?.deletedAt) || row?.state === 'NOT_FOUND';
    // integration-created after integration-deleted (Kombo re-used the id): the integration is live again.
    row = await upsertIntegration(database, {
      id: integrationId,
      tool: intent.created.tool,
      category: intent.created.category,
      originId: text('origin_id'),
      organizationName: text('organization_name'),
      creatorEmail: text('creator_email'),
      deletedAt: null,
      notFoundSince: null,
      ...(wasGone ? { state: null } : {}),
    });
    await registerIntegrationSchedules(deps, integrationId);
    if (wasGone) log.info('integration re-created: live again, schedules registered');
  } else if (!row) {
    try {
      remote = await deps.kombo.getIntegration(integrationId);
    } catch (error) {
      // An id Kombo does not know (a stray or forged webhook, another environment's id): no row, no schedules, so
      // it stays out of the fleet's lists and nothing retries it.
      if (!(error instanceof KomboIntegrationNotFoundError)) throw error;
      log.warn('integration unknown to Kombo: not recorded, nothing to sync');
      return null;
    }
    row = await upsertIntegration(database, {
      id: integrationId,
      tool: remote.tool.id || (integrationId.split(':')[0] ?? 'unknown'),
      category: remote.category,
      state: remote.status,
      setupStatus: remote.setup_status,
    });
    await registerIntegrationSchedules(deps, integrationId);
    isFirstSeen = true;
    log.info(
      { category: row.category },
      'unknown integration recorded from Kombo: initial sync of every model',
    );
  } else if (row.deletedAt) {
    log.info('integration is deleted: nothing to sync');
    return null;
  }

  let isResumed = false;
  if (intent.state) {
    const wasPaused = isPausedState(row.state);
    const { state, setup_status: setupStatus, qa_status: qaStatus } = intent.state;
    await setIntegrationState(database, integrationId, {
      state,
      ...(setupStatus === undefined ? {} : { setupStatus }),
      ...(qaStatus === undefined ? {} : { qaStatus }),
    });
    row = { ...row, state };
    isResumed = wasPaused && !isPausedState(state);
    if (isResumed) await registerIntegrationSchedules(deps, integrationId);
  }
  if (row.isPaused || isPausedState(row.state)) {
    log.info({ state: row.state, isPaused: row.isPaused }, 'integration paused: not syncing');
    return null;
  }

  const enabled = enabledModels(config, row.category, row.models);
  const isEverything =
    intent.models === 'all' || intent.full || Boolean(intent.created) || isResumed || isFirstSeen;
  const requested = intent.models === 'all' ? [] : intent.models;
  let models = isEverything ? enabled : enabled.filter((model) => requested.includes(model));
  let unavailable: ModelName[] = [];
  let clearsDataExpired = false;
  if (isEverything && models.length > 0 && !intent.created) {
    // Kombo's view of the integration, read on runs of every model only (schedules, sync-finished, resumes, first
    // seen), never on a data-changed delta (no extra request) nor on the initial sync after integration-created
    // (every model is fetched anyway; one Kombo does not serve answers MODEL_NOT_AVAILABLE and is skipped).
    remote ??= await deps.kombo.getIntegration(integrationId);
    const expiredAt = remote.data_expired_at ? new Date(remote.data_expired_at) : null;
    if (expiredAt && expiredAt.getTime() !== row.dataExpiredAt?.getTime()) {
      await setIntegrationState(database, integrationId, { dataExpiredAt: expiredAt });
      log.info({ dataExpiredAt: expiredAt.toISOString() }, 'Kombo reports the synced data expired');
    }
    if (!expiredAt && row.dataExpiredAt) {
      clearsDataExpired = true;
      log.info('Kombo cleared data_expired_at: full resync of every model');
    }
    const unavailableIds = new Set(
      (remote.read_models ?? []).filter((model) => !model.is_available).map((model) => model.id),
    );
    unavailable = models.filter((model) => isModelName(model) && unavailableIds.has(model));
    models = models.filter((model) => !unavailableIds.has(model));
  }
  if (models.length === 0) return null;
  const trigger =
    intent.triggers.length > 0 ? intent.triggers.join(',') : isResumed ? 'state:active' : 'unknown';
  return {
    models,
    mode: intent.full || isFirstSeen || clearsDataExpired ? 'full' : 'delta',
    trigger,
    ...(unavailable.length > 0 ? { unavailable } : {}),
    ...(clearsDataExpired ? { clearsDataExpired } : {}),
  };
}
