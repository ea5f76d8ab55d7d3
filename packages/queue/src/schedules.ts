import type { Queue } from 'bullmq';
import { SCHEDULED_SYNC_JOB_NAME } from './names.js';
import { QUEUE_DATA_VERSION } from './data-version.js';
import type { ScheduledSyncJobData } from './job-schemas.js';
import { isOnPhase, nextPhaseSlotMs, schedulePhaseMs } from './schedule-phase.js';
import { SCHEDULED_JOB_RETENTION } from './job-retention.js';

/** The integration's one scheduler. */
const schedulerId = (integrationId: string) => `sync:${integrationId}`;
/** The two schedulers of each integration before one did both (removed when it is registered again). */
const legacySchedulerIds = (integrationId: string) => [`full:${integrationId}`, `safety:${integrationId}`];

/** How far ahead of "now" a moved scheduler's start must lie, so BullMQ does not clamp it to now (off-phase). */
const MOVE_MARGIN_MS = 1_000;

/** The integration's schedule intervals, in ms. */
export interface ScheduleIntervals {
  fullEveryMs: number;
  safetyNetEveryMs: number;
}

/** How often the integration's one scheduler runs: the shorter interval (normally the safety net's). */
export const scheduleTickMs = ({ fullEveryMs, safetyNetEveryMs }: ScheduleIntervals): number =>
  Math.min(fullEveryMs, safetyNetEveryMs);

/**
 * Upserts the integration's job scheduler on the sync queue: one `scheduled-sync` job every
 * {@link scheduleTickMs}. The worker decides at run time whether that run is a full sync (the integration's full
 * interval has passed since its last full sync, see `isFullSyncDue`) or a safety-net delta, and turns it into an
 * intent (`schedule:full` / `schedule:delta`) plus a coalesced sync job. One scheduler instead of one per kind
 * halves the Redis each idle integration holds. Idempotent; removes the two schedulers of earlier versions.
 *
 * The scheduler runs on its integration's phase ({@link schedulePhaseMs}): at epoch multiples of the interval
 * plus an offset hashed from the integration id, so integrations created together are due spread over the whole
 * interval instead of in the same minute. The first run is the first phase slot at least half an interval after
 * the first registration (the integration was just synced; on average one interval later, as before phases).
 * Re-registering (every worker start) keeps the next run; a new interval restarts on the same phase; a scheduler
 * registered off its phase (before phases existed) moves to the phase slot nearest its next run.
 */
export async function registerSchedules(
  queue: Queue,
  integrationId: string,
  intervals: ScheduleIntervals,
): Promise<void> {
  const data: ScheduledSyncJobData = { v: QUEUE_DATA_VERSION, integrationId };
  await upsertOnPhase(queue, schedulerId(integrationId), integrationId, scheduleTickMs(intervals), data);
  for (const legacy of legacySchedulerIds(integrationId)) await queue.removeJobScheduler(legacy);
}

async function upsertOnPhase(
  queue: Queue,
  schedulerId: string,
  integrationId: string,
  everyMs: number,
  data: ScheduledSyncJobData,
): Promise<void> {
  const phaseMs = schedulePhaseMs(integrationId, everyMs);
  const existing = await queue.getJobScheduler(schedulerId);
  // Used by BullMQ only when it has no next run to keep: a new scheduler, or a changed interval.
  let startDate = nextPhaseSlotMs(phaseMs, everyMs, Date.now() + everyMs / 2);
  if (
    existing?.every === everyMs &&
    typeof existing.next === 'number' &&
    !isOnPhase(existing.next, phaseMs, everyMs)
  ) {
    // Registered before phases: BullMQ keeps a known scheduler's next run, so it is removed and added again at the
    // phase slot nearest that run (never in the past: a start BullMQ clamps to now would leave the phase).
    startDate = Math.max(
      nextPhaseSlotMs(phaseMs, everyMs, existing.next - everyMs / 2),
      nextPhaseSlotMs(phaseMs, everyMs, Date.now() + MOVE_MARGIN_MS),
    );
    await queue.removeJobScheduler(schedulerId);
  }
  // `offset` keeps later runs (and BullMQ's catch-up after missed runs) on the phase.
  await queue.upsertJobScheduler(
    schedulerId,
    { every: everyMs, offset: phaseMs, startDate },
    {
      name: SCHEDULED_SYNC_JOB_NAME,
      data,
      opts: SCHEDULED_JOB_RETENTION,
    },
  );
}

/** Removes the integration's job scheduler(s) (e.g. after `integration-deleted`). */
export async function removeSchedules(queue: Queue, integrationId: string): Promise<void> {
  for (const id of [schedulerId(integrationId), ...legacySchedulerIds(integrationId)])
    await queue.removeJobScheduler(id);
}
