import { z } from 'zod';
import type { ModelName } from '@kombo-sync/catalog';
import { scheduleKeys } from './names.js';
import { requestSync, type RequestSyncDeps } from './request-sync.js';
import { registerSchedules, type ScheduleIntervals } from './schedules.js';
import type { RedisConnection } from './create-redis.js';

/** An integration's operator controls as stored (null: the fleet's default). */
export interface ControlValues {
  isPaused: boolean;
  models: readonly string[] | null;
  fullIntervalMs: number | null;
  safetyNetIntervalMs: number | null;
}

const intervalsSchema = z.object({
  fullEveryMs: z.number().positive(),
  safetyNetEveryMs: z.number().positive(),
});

/** Publishes the fleet's default schedule intervals (each worker at start), for {@link applyControlChange}. */
export async function publishScheduleDefaults(
  redis: RedisConnection,
  prefix: string,
  intervals: ScheduleIntervals,
): Promise<void> {
  await redis.set(scheduleKeys.defaults(prefix), JSON.stringify(intervals));
}

/** The fleet's default schedule intervals as the workers published them; undefined before any worker started. */
export async function readScheduleDefaults(
  redis: RedisConnection,
  prefix: string,
): Promise<ScheduleIntervals | undefined> {
  const json = await redis.get(scheduleKeys.defaults(prefix));
  if (json === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = intervalsSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export interface ControlChangeResult {
  /** A sync was asked for: the resume's catch-up, or the initial passes of models added to the subset. */
  requestId?: string;
  jobId?: string;
  /** The scheduler was registered again at new intervals (false: unchanged, or no worker published defaults yet). */
  isRescheduled: boolean;
}

/**
 * The Redis side of an operator's change to an integration's controls, after the change committed in Postgres
 * (`before` and `after` are the stored values). A resume asks for a delta of every model, which merges with the
 * work kept while paused (webhooks, schedules, manual syncs: the pending intent), so nothing recorded during the
 * pause is lost and models whose watermark is old catch up through `updated_after`. Models added to the subset of a
 * running integration get their initial pass. Changed intervals re-register the scheduler (on the same phase)
 * with the fleet's defaults for the intervals left unset; before any worker published those, the next worker
 * start registers it.
 */
export async function applyControlChange(
  deps: RequestSyncDeps,
  {
    integrationId,
    before,
    after,
    requestId,
  }: { integrationId: string; before: ControlValues; after: ControlValues; requestId: string },
): Promise<ControlChangeResult> {
  let isRescheduled = false;
  if (
    before.fullIntervalMs !== after.fullIntervalMs ||
    before.safetyNetIntervalMs !== after.safetyNetIntervalMs
  ) {
    const defaults = await readScheduleDefaults(deps.redis, deps.prefix);
    if (defaults) {
      await registerSchedules(deps.queues.delta, integrationId, {
        fullEveryMs: after.fullIntervalMs ?? defaults.fullEveryMs,
        safetyNetEveryMs: after.safetyNetIntervalMs ?? defaults.safetyNetEveryMs,
      });
      isRescheduled = true;
    }
  }
  if (after.isPaused) return { isRescheduled };
  let models: ModelName[] | 'all' | undefined;
  let trigger = '';
  if (before.isPaused) {
    models = 'all';
    trigger = 'resume';
  } else if (after.models !== null) {
    const had = before.models === null ? undefined : new Set(before.models);
    const added = had ? after.models.filter((model) => !had.has(model)) : [];
    if (added.length > 0) {
      models = added as ModelName[];
      trigger = 'models-changed';
    }
  } else if (before.models !== null) {
    // Back to every model: the ones outside the old subset get their initial passes, the others a delta.
    models = 'all';
    trigger = 'models-changed';
  }
  if (!models) return { isRescheduled };
  const { jobId } = await requestSync(deps, {
    integrationId,
    intent: { models, triggers: [trigger], requestIds: [requestId] },
    requestId,
  });
  return { isRescheduled, requestId, ...(jobId === undefined ? {} : { jobId }) };
}
