import type { Queue } from 'bullmq';
import { SCHEDULED_SYNC_JOB_NAME } from './names.js';
import type { ScheduledSyncJobData } from './job-schemas.js';
import { isOnPhase, nextPhaseSlotMs, schedulePhaseMs } from './schedule-phase.js';

const fullSchedulerId = (integrationId: string) => `full:${integrationId}`;
const safetySchedulerId = (integrationId: string) => `safety:${integrationId}`;

/** How far ahead of "now" a moved scheduler's start must lie, so BullMQ does not clamp it to now (off-phase). */
const MOVE_MARGIN_MS = 1_000;

/**
 * Upserts the integration's two job schedulers on the sync queue: a full sync every `fullEveryMs` and a
 * safety-net delta sync every `safetyNetEveryMs`. Each produces `scheduled-sync` jobs; the worker turns them into
 * an intent (`schedule:full` / `schedule:delta`) plus a coalesced sync job. Idempotent.
 *
 * Each scheduler runs on its integration's phase ({@link schedulePhaseMs}): at epoch multiples of the interval
 * plus an offset hashed from the integration id, so integrations created together are due spread over the whole
 * interval instead of in the same minute. The first run is the first phase slot at least half an interval after
 * the first registration (the integration was just synced; on average one interval later, as before phases).
 * Re-registering (every worker start) keeps the next run; a new interval restarts on the same phase; a scheduler
 * registered off its phase (before phases existed) moves to the phase slot nearest its next run.
 */
export async function registerSchedules(
  queue: Queue,
  integrationId: string,
  { fullEveryMs, safetyNetEveryMs }: { fullEveryMs: number; safetyNetEveryMs: number },
): Promise<void> {
  const full: ScheduledSyncJobData = { integrationId, kind: 'full' };
  const delta: ScheduledSyncJobData = { integrationId, kind: 'delta' };
  await upsertOnPhase(queue, fullSchedulerId(integrationId), integrationId, fullEveryMs, full);
  await upsertOnPhase(queue, safetySchedulerId(integrationId), integrationId, safetyNetEveryMs, delta);
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
      opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    },
  );
}

/** Removes the integration's job schedulers (e.g. after `integration-deleted`). */
export async function removeSchedules(queue: Queue, integrationId: string): Promise<void> {
  await queue.removeJobScheduler(fullSchedulerId(integrationId));
  await queue.removeJobScheduler(safetySchedulerId(integrationId));
}
