import type { Queue } from 'bullmq';
import { SCHEDULED_SYNC_JOB_NAME } from './names.js';
import type { ScheduledSyncJobData } from './job-schemas.js';

const fullSchedulerId = (integrationId: string) => `full:${integrationId}`;
const safetySchedulerId = (integrationId: string) => `safety:${integrationId}`;

/**
 * Upserts the integration's two job schedulers on the sync queue: a full sync every `fullEveryMs` and a
 * safety-net delta sync every `safetyNetEveryMs`. Each produces `scheduled-sync` jobs; the worker turns them into
 * an intent (`schedule:full` / `schedule:delta`) plus a coalesced sync job. Idempotent. The first iteration comes
 * one interval after the first registration (BullMQ would run an `every` scheduler at once; the integration was
 * just synced); re-registering an existing scheduler keeps its next iteration.
 */
export async function registerSchedules(
  queue: Queue,
  integrationId: string,
  { fullEveryMs, safetyNetEveryMs }: { fullEveryMs: number; safetyNetEveryMs: number },
): Promise<void> {
  const full: ScheduledSyncJobData = { integrationId, kind: 'full' };
  const delta: ScheduledSyncJobData = { integrationId, kind: 'delta' };
  const opts = { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };
  await queue.upsertJobScheduler(
    fullSchedulerId(integrationId),
    { every: fullEveryMs, startDate: Date.now() + fullEveryMs },
    { name: SCHEDULED_SYNC_JOB_NAME, data: full, opts },
  );
  await queue.upsertJobScheduler(
    safetySchedulerId(integrationId),
    { every: safetyNetEveryMs, startDate: Date.now() + safetyNetEveryMs },
    { name: SCHEDULED_SYNC_JOB_NAME, data: delta, opts },
  );
}

/** Removes the integration's job schedulers (e.g. after `integration-deleted`). */
export async function removeSchedules(queue: Queue, integrationId: string): Promise<void> {
  await queue.removeJobScheduler(fullSchedulerId(integrationId));
  await queue.removeJobScheduler(safetySchedulerId(integrationId));
}
