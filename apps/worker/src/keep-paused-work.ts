import { getIntegration, type Database, type IntegrationRow } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import { parkIntent, requestSync, type Intent, type TakenIntent } from '@kombo-sync/queue';
import type { SyncWorkerDeps } from './job-context.js';

/** An integration's pause as a run read it before planning (undefined: not recorded yet). */
export type PauseSnapshot = Pick<IntegrationRow, 'isPaused' | 'pauseChangedAt'> | undefined;

/** Reads the integration's pause before the run plans, for {@link keepPausedWork}. */
export async function readPause(database: Database, integrationId: string): Promise<PauseSnapshot> {
  const row = await getIntegration(database, integrationId);
  return row && { isPaused: row.isPaused, pauseChangedAt: row.pauseChangedAt };
}

/**
 * The sync work of a taken intent, for the pending intent of a paused integration. Its lifecycle parts were applied
 * already; a creation or a state change (e.g. back to ACTIVE) asks for every model, as it would have unpaused.
 */
export function pausedWorkOf(intent: Intent): Partial<Intent> {
  return {
    models: intent.created || intent.state ? 'all' : intent.models,
    full: intent.full,
    triggers: intent.triggers,
    requestIds: intent.requestIds,
  };
}

const changedAtMs = (pause: PauseSnapshot) => pause?.pauseChangedAt?.getTime() ?? null;

/**
 * Called when a run's plan came back empty. When an operator's pause is why (paused before or after planning, or
 * paused and resumed meanwhile), the taken work goes back into the pending intent instead of being forgotten
 * ({@link parkIntent}), where it waits for the resume with everything recorded later; returns true. Returns false
 * when the pause has nothing to do with it (deleted, nothing enabled, paused by Kombo's state): the caller completes
 * the intent as before. A resume that lands between the planning and the parking would miss the parked work, so the
 * pause is read again after parking: resumed by then, the work gets its job here.
 */
export async function keepPausedWork(
  ctx: Pick<SyncWorkerDeps, 'database' | 'redis' | 'queues' | 'config'>,
  {
    integrationId,
    intent,
    before,
    log,
  }: { integrationId: string; intent: TakenIntent; before: PauseSnapshot; log: Logger },
): Promise<boolean> {
  if (intent.deleted) return false;
  const { config } = ctx;
  const deps = {
    database: ctx.database,
    logger: log,
    request: {
      redis: ctx.redis,
      queues: ctx.queues,
      prefix: config.queuePrefix,
      jobOptions: { attempts: config.jobAttempts, backoffMs: config.jobBackoffMs },
    },
  };
  const row = await getIntegration(deps.database, integrationId);
  if (!row || row.deletedAt) return false;
  const isPauseRelated = before?.isPaused || row.isPaused || changedAtMs(before) !== changedAtMs(row);
  if (!isPauseRelated) return false;
  const isLatestTake = await parkIntent(
    deps.request.redis,
    deps.request.prefix,
    integrationId,
    intent.takeId,
    pausedWorkOf(intent),
  );
  // Not the latest take: a later attempt took the in-flight intent, and this work with it.
  if (!isLatestTake) return true;
  const now = await getIntegration(deps.database, integrationId);
  if (now?.isPaused) {
    deps.logger.info('integration paused by an operator: its work waits for the resume');
    return true;
  }
  await requestSync(deps.request, { integrationId, intent: { models: [], triggers: [] } });
  deps.logger.info('integration resumed while this run planned: its work queued again');
  return true;
}
