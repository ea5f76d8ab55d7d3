import {
  deleteIntegrationData,
  getIntegration,
  markIntegrationDataDeleted,
  markIntegrationDeleted,
  recordKomboState,
  setIntegrationState,
  upsertIntegration,
  withFencedTransaction,
  type Database,
  type Fence,
  type IntegrationRow,
} from '@kombo-sync/db';
import {
  KomboError,
  KomboIntegrationNotFoundError,
  type KomboClient,
  type KomboIntegration,
} from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import { removeSchedules, type Intent, type SyncQueues } from '@kombo-sync/queue';
import { decidePlan, enabledModels, isPausedState, type SyncPlan } from './decide-plan.js';
import { registerIntegrationSchedule } from './integration-schedule.js';
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

export { enabledModels, type SyncPlan };

async function registerIntegrationSchedules(deps: PlanDeps, integrationId: string): Promise<void> {
  await registerIntegrationSchedule(deps, integrationId);
}

/** `integration-deleted`: schedules removed, the rows deleted or marked deleted (INTEGRATION_DELETED), the row too. */
async function applyDeleted(
  deps: PlanDeps,
  integrationId: string,
  deleted: NonNullable<Intent['deleted']>,
  log: Logger,
): Promise<void> {
  await removeSchedules(deps.queues.delta, integrationId);
  const deletedAt = new Date(deleted.deleted_at);
  const isHardDelete = deps.config.onIntegrationDeleted === 'delete';
  const rows = await withFencedTransaction(deps.database, deps.fence, async (tx) => {
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
}

/** `integration-created`: the row recorded (live again if it was gone), schedules registered, Kombo's state read. */
async function applyCreated(
  deps: PlanDeps,
  integrationId: string,
  created: NonNullable<Intent['created']>,
  { row: known, log }: { row: IntegrationRow | undefined; log: Logger },
): Promise<{ row: IntegrationRow; remote?: KomboIntegration }> {
  const endUser = created.end_user as Record<string, unknown> | undefined;
  const text = (key: string): string | null =>
    typeof endUser?.[key] === 'string' ? (endUser[key] as string) : null;
  const wasGone = Boolean(known?.deletedAt) || known?.state === 'NOT_FOUND';
  // integration-created after integration-deleted (Kombo re-used the id): the integration is live again.
  const row = await upsertIntegration(deps.database, {
    id: integrationId,
    tool: created.tool,
    category: created.category,
    originId: text('origin_id'),
    organizationName: text('organization_name'),
    creatorEmail: text('creator_email'),
    deletedAt: null,
    notFoundSince: null,
    ...(wasGone ? { state: null } : {}),
  });
  await registerIntegrationSchedules(deps, integrationId);
  if (wasGone) log.info('integration re-created: live again, schedules registered');
  // The webhook carries no state: ask Kombo, so the integration never shows an unknown state (once: a retried or
  // recovered run of the same creation finds it known).
  if (row.state !== null) return { row };
  const remote = await readRemote(deps, integrationId, log);
  return remote ? { row: (await recordRemoteState(deps, row, remote)).row, remote } : { row };
}

/**
 * An integration never seen before, looked up at Kombo and recorded with its real category (null: an id Kombo does
 * not know, a stray or forged webhook or another environment's id: no row, no schedules, so it stays out of the
 * fleet's lists and nothing retries it).
 */
async function recordFirstSeen(
  deps: PlanDeps,
  integrationId: string,
  log: Logger,
): Promise<{ row: IntegrationRow; remote: KomboIntegration } | null> {
  let remote: KomboIntegration;
  try {
    remote = await deps.kombo.getIntegration(integrationId);
  } catch (error) {
    if (!(error instanceof KomboIntegrationNotFoundError)) throw error;
    log.warn('integration unknown to Kombo: not recorded, nothing to sync');
    return null;
  }
  let row = await upsertIntegration(deps.database, {
    id: integrationId,
    tool: remote.tool.id || (integrationId.split(':')[0] ?? 'unknown'),
    category: remote.category,
  });
  row = (await recordRemoteState(deps, row, remote)).row;
  await registerIntegrationSchedules(deps, integrationId);
  log.info(
    { category: row.category },
    'unknown integration recorded from Kombo: initial sync of every model',
  );
  return { row, remote };
}

/**
 * `integration-state-changed`: Kombo's state recorded unless a newer one is. The signal worker may have recorded this
 * state already (then it asked for the catch-up itself); of the two, whichever records the change from a paused
 * state resumes (and registers the schedules again).
 */
async function applyState(
  deps: PlanDeps,
  integrationId: string,
  intentState: NonNullable<Intent['state']>,
  row: IntegrationRow,
): Promise<{ row: IntegrationRow; isResumed: boolean }> {
  const { state, setup_status: setupStatus, qa_status: qaStatus, updated_at: updatedAt } = intentState;
  const recorded = await recordKomboState(deps.database, integrationId, {
    state,
    ...(setupStatus === undefined ? {} : { setupStatus }),
    ...(qaStatus === undefined ? {} : { qaStatus }),
    at: new Date(updatedAt),
  });
  const current = (await getIntegration(deps.database, integrationId)) ?? row;
  const isResumed = recorded.isRecorded && isPausedState(recorded.previousState) && !isPausedState(state);
  if (isResumed) await registerIntegrationSchedules(deps, integrationId);
  return { row: current, isResumed };
}

/**
 * Applies the intent's lifecycle parts (deleted, created, state) to the integrations table and the schedules, then
 * works out the run with {@link decidePlan} (reading Kombo's view of the integration when it asks for it).
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
    await applyDeleted(deps, integrationId, intent.deleted, log);
    return null;
  }
  let row: IntegrationRow | undefined = await getIntegration(database, integrationId);
  let remote: KomboIntegration | undefined;
  /** Recorded by this run from anything but `integration-created`: nothing of it was ever synced. */
  let isFirstSeen = false;
  if (intent.created) {
    ({ row, remote } = await applyCreated(deps, integrationId, intent.created, { row, log }));
  } else if (!row) {
    const seen = await recordFirstSeen(deps, integrationId, log);
    if (!seen) return null;
    ({ row, remote } = seen);
    isFirstSeen = true;
  } else if (row.deletedAt) {
    log.info('integration is deleted: nothing to sync');
    return null;
  }
  let isResumed = false;
  if (intent.state) ({ row, isResumed } = await applyState(deps, integrationId, intent.state, row));
  let decision = decidePlan(row, intent, config, remote, { isResumed, isFirstSeen });
  if (decision.action === 'read-remote') {
    remote = await deps.kombo.getIntegration(integrationId);
    // Kombo's view keeps the state current; a scheduled check of an INACTIVE/INVALID integration resumes it here
    // when Kombo serves it again, even if the webhook saying so was lost.
    const recorded = await recordRemoteState(deps, row, remote);
    row = recorded.row;
    if (recorded.isResumed) {
      isResumed = true;
      await registerIntegrationSchedules(deps, integrationId);
      log.info('Kombo serves the integration again: a delta of every model catches up');
    }
    decision = decidePlan(row, intent, config, remote, { isResumed, isFirstSeen });
  }
  if (decision.action === 'paused') {
    log.info({ state: row.state, isPaused: row.isPaused }, 'integration paused: not syncing');
    return null;
  }
  if (decision.action === 'read-remote') throw new Error('decidePlan asked for Kombo’s view twice');
  if (decision.dataExpiredAt) {
    await setIntegrationState(database, integrationId, { dataExpiredAt: decision.dataExpiredAt });
    log.info(
      { dataExpiredAt: decision.dataExpiredAt.toISOString() },
      'Kombo reports the synced data expired',
    );
  }
  if (decision.clearsDataExpired) log.info('Kombo cleared data_expired_at: full resync of every model');
  return decision.plan;
}

/**
 * Kombo's view of a just-created integration, for its state; best effort: on any error (Kombo does not know it yet,
 * a 429, a 5xx) the state stays unknown until the integration's next run asks again, and the initial sync runs as
 * it would have, its own requests meeting whatever fault persists.
 */
async function readRemote(
  deps: PlanDeps,
  integrationId: string,
  log: Logger,
): Promise<KomboIntegration | undefined> {
  try {
    return await deps.kombo.getIntegration(integrationId);
  } catch (error) {
    log.warn(
      { code: errorCodeOf(error) },
      error instanceof KomboIntegrationNotFoundError
        ? 'Kombo does not know the integration it announced yet: its state stays unknown for now'
        : "could not read the new integration's state from Kombo: asked again on its next run",
    );
    return undefined;
  }
}

const errorCodeOf = (error: unknown): string =>
  error instanceof KomboError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';

/**
 * Records the state and setup status of Kombo's view (as of now: newer than any webhook so far) and returns the
 * row after it, and whether it took the integration out of a paused state.
 */
async function recordRemoteState(
  deps: PlanDeps,
  row: IntegrationRow,
  remote: KomboIntegration,
): Promise<{ row: IntegrationRow; isResumed: boolean }> {
  const recorded = await recordKomboState(deps.database, row.id, {
    state: remote.status,
    setupStatus: remote.setup_status,
  });
  const isResumed =
    recorded.isRecorded && isPausedState(recorded.previousState) && !isPausedState(remote.status);
  return { row: (await getIntegration(deps.database, row.id)) ?? row, isResumed };
}
