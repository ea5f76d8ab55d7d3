import { getIntegration, type Database, type IntegrationRow } from '@kombo-sync/db';
import { registerSchedules, type ScheduleIntervals, type SyncQueues } from '@kombo-sync/queue';
import type { WorkerConfig } from './worker-config.js';

/** The integration's schedule intervals: its own where an operator set them, else the fleet's. */
export function scheduleIntervalsOf(
  config: Pick<WorkerConfig, 'fullIntervalMs' | 'safetyNetIntervalMs'>,
  row: Pick<IntegrationRow, 'fullIntervalMs' | 'safetyNetIntervalMs'> | undefined,
): ScheduleIntervals {
  return {
    fullEveryMs: row?.fullIntervalMs ?? config.fullIntervalMs,
    safetyNetEveryMs: row?.safetyNetIntervalMs ?? config.safetyNetIntervalMs,
  };
}

/** Registers the integration's scheduler (delta lane) at its intervals, read from its row. */
export async function registerIntegrationSchedule(
  deps: { database: Database; queues: SyncQueues; config: WorkerConfig },
  integrationId: string,
): Promise<void> {
  const row = await getIntegration(deps.database, integrationId);
  await registerSchedules(deps.queues.delta, integrationId, scheduleIntervalsOf(deps.config, row));
}
