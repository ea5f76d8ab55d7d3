import { getModel, type ModelName, ALL_MODEL_NAMES } from '@kombo-sync/catalog';
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
import { KomboIntegrationNotFoundError, type KomboClient } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import { registerSchedules, removeSchedules, type Intent, type SyncQueues } from '@kombo-sync/queue';
import type { SyncMode } from '@kombo-sync/sync';
import type { WorkerConfig } from './worker-config.js';

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
}

/** Kombo states (and ours) in which an integration is not synced until it becomes ACTIVE again. */
const PAUSED_STATES = new Set(['INACTIVE', 'INVALID', 'NOT_FOUND']);
const isPausedState = (state: string | null | undefined): boolean => PAUSED_STATES.has(state ?? '');

/**
 * The enabled models of the integration's category, in catalog order. Kombo's category is kept as sent; only HRIS
 * and ATS have catalog models, so an LMS or ASSESSMENT integration is recorded and has nothing to sync.
 */
export function enabledModels(config: WorkerConfig, category: string): ModelName[] {
  const enabled = new Set(config.enabledModels ?? ALL_MODEL_NAMES);
  return ALL_MODEL_NAMES.filter((model) => enabled.has(model) && getModel(model).category === category);
}

async function registerIntegrationSchedules(deps: PlanDeps, integrationId: string): Promise<void> {
  await registerSchedules(deps.queues.delta, integrationId, {
    fullEveryMs: deps.config.fullIntervalMs,
    safetyNetEveryMs: deps.config.safetyNetIntervalMs,
  });
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
    let remote;
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

  const enabled = enabledModels(config, row.category);
  const isEverything =
    intent.models === 'all' || intent.full || Boolean(intent.created) || isResumed || isFirstSeen;
  const requested = intent.models === 'all' ? [] : intent.models;
  const models = isEverything ? enabled : enabled.filter((model) => requested.includes(model));
  if (models.length === 0) return null;
  const trigger =
    intent.triggers.length > 0 ? intent.triggers.join(',') : isResumed ? 'state:active' : 'unknown';
  return { models, mode: intent.full || isFirstSeen ? 'full' : 'delta', trigger };
}
