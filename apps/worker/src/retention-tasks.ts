import { pruneHistory, purgeDeletedRows, type Database } from '@kombo-sync/db';
import type { MaintenanceTask } from './start-maintenance.js';
import type { WorkerConfig } from './worker-config.js';

/**
 * The fleet's retention tasks: `prune-history` (SYNC_RUN_RETENTION_DAYS: old runs, stale passes, seen ids left
 * behind, the quarantine and tombstones of long-deleted integrations) and, with SYNC_DELETED_RETENTION_DAYS set,
 * `purge-deleted-rows` (rows Kombo deleted, each leaving a tombstone); each once per `taskIntervalMs` fleet-wide.
 */
export function retentionTasks(
  config: Pick<WorkerConfig, 'runRetentionDays' | 'deletedRetentionDays' | 'maintenanceTaskIntervalMs'>,
  database: Database,
): MaintenanceTask[] {
  const intervalMs = config.maintenanceTaskIntervalMs;
  const tasks: MaintenanceTask[] = [
    {
      name: 'prune-history',
      intervalMs,
      run: async (signal) => ({
        ...(await pruneHistory(database, { retentionDays: config.runRetentionDays, signal })),
      }),
    },
  ];
  const { deletedRetentionDays } = config;
  if (deletedRetentionDays !== undefined)
    tasks.push({
      name: 'purge-deleted-rows',
      intervalMs,
      run: async (signal) => ({
        rows: await purgeDeletedRows(database, { retentionDays: deletedRetentionDays, signal }),
      }),
    });
  return tasks;
}
