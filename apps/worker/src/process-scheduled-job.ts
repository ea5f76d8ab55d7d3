import { getIntegration, getSyncStates, type Database } from '@kombo-sync/db';
import {
  isFullSyncDue,
  requestSync,
  scheduledSyncJobDataSchema,
  type RequestSyncDeps,
} from '@kombo-sync/queue';
import type { Job } from 'bullmq';
import { scheduleIntervalsOf } from './integration-schedule.js';
import type { WorkerConfig } from './worker-config.js';

export interface ScheduledJobDeps {
  database: Database;
  config: WorkerConfig;
  request: RequestSyncDeps;
  /** Epoch ms; default `Date.now`. */
  now?: () => number;
}

/**
 * Whether this scheduled run of the integration is its full sync: due by its full interval ({@link isFullSyncDue})
 * since its last full sync, i.e. the latest `last_full_sync_at` of its models, or since it was recorded when it
 * never had one (its initial sync read everything).
 */
export async function isScheduledFullDue(
  deps: Omit<ScheduledJobDeps, 'request'>,
  integrationId: string,
): Promise<boolean> {
  const row = await getIntegration(deps.database, integrationId);
  if (!row) return false;
  let lastFullAtMs = row.createdAt.getTime();
  for (const state of (await getSyncStates(deps.database, integrationId)).values()) {
    const at = state.lastFullSyncAt?.getTime();
    if (at !== undefined && at > lastFullAtMs) lastFullAtMs = at;
  }
  return isFullSyncDue({
    integrationId,
    fullEveryMs: scheduleIntervalsOf(deps.config, row).fullEveryMs,
    lastFullAtMs,
    nowMs: (deps.now ?? Date.now)(),
  });
}

/**
 * Processes a `scheduled-sync` job of the integration's scheduler: decides full or safety-net delta (jobs of the
 * two schedulers of earlier versions carry their kind) and asks for it like any other request, so it coalesces with
 * webhooks. A paused integration records it too: its run keeps the work for the resume.
 */
export async function processScheduledJob(
  deps: ScheduledJobDeps,
  job: Job,
): Promise<{ outcome: 'scheduled'; kind: 'full' | 'delta' }> {
  const data = scheduledSyncJobDataSchema.parse(job.data);
  const { integrationId } = data;
  const kind = data.kind ?? ((await isScheduledFullDue(deps, integrationId)) ? 'full' : 'delta');
  await requestSync(deps.request, {
    integrationId,
    intent: { models: 'all', full: kind === 'full', triggers: [`schedule:${kind}`] },
  });
  return { outcome: 'scheduled', kind };
}
