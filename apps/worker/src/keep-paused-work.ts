import { getIntegration, type Database, type IntegrationRow } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import { parkIntent, requestSync, type Intent, type TakenIntent } from '@kombo-sync/queue';
import { isPausedState } from './decide-plan.js';
import type { JobContext } from './job-context.js';

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
  ctx: Pick<JobContext, 'database' | 'request'>,
  {
    integrationId,
    intent,
    before,
    log,
  }: { integrationId: string; intent: TakenIntent; before: PauseSnapshot; log: Logger },
): Promise<boolean> {
  if (intent.deleted) return false;
  const row = await getIntegration(ctx.database, integrationId);
  if (!row || row.deletedAt) return false;
  const isPauseRelated = before?.isPaused || row.isPaused || changedAtMs(before) !== changedAtMs(row);
  if (!isPauseRelated) return false;
  await parkWork(ctx, { integrationId, takeId: intent.takeId, work: pausedWorkOf(intent), log });
  return true;
}

/**
 * Puts `work` of the take `takeId` back into the pending intent of a paused integration ({@link parkIntent}: no job,
 * not marked dirty), where it waits for the resume. A resume that lands before the parking would miss the parked
 * work, so the pause is read again after parking: no longer paused (by an operator or by Kombo's state), the work
 * gets its job here. Does nothing when the take is no longer the latest (a later take holds the work).
 */
export async function parkWork(
  ctx: Pick<JobContext, 'database' | 'request'>,
  {
    integrationId,
    takeId,
    work,
    log,
  }: { integrationId: string; takeId: string; work: Partial<Intent>; log: Logger },
): Promise<void> {
  const { request } = ctx;
  const isLatestTake = await parkIntent(request.redis, request.prefix, integrationId, takeId, work);
  // Not the latest take: a later attempt took the in-flight intent, and this work with it.
  if (!isLatestTake) return;
  const now = await getIntegration(ctx.database, integrationId);
  if (now?.isPaused || isPausedState(now?.state)) {
    log.info('integration paused: its work waits for the resume');
    return;
  }
  await requestSync(request, { integrationId, intent: { models: [], triggers: [] } });
  log.info('integration resumed meanwhile: its work queued again');
}
