import { claimMaintenance, finishMaintenance, type Database } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';

/** One periodic maintenance task of the fleet (retention): idempotent, resumable, stoppable between batches. */
export interface MaintenanceTask {
  /** Fleet-wide name of the task: it runs once per `intervalMs` across all workers. */
  name: string;
  intervalMs: number;
  /** Does the work; returns what it removed, per kind (logged and kept in maintenance_runs). */
  run(signal: AbortSignal): Promise<Record<string, number>>;
}

export interface Maintenance {
  /** Stops checking, aborts a running task between its batches and waits for it. */
  close(): Promise<void>;
}

/**
 * Runs the fleet's maintenance tasks from this worker: a first check `firstCheckMs` after start (so a fleet whose
 * workers restart more often than a task's interval still runs it), then every `checkMs`. At each check the worker
 * claims each task in Postgres (`claimMaintenance`: at most once per task interval fleet-wide, by Postgres's
 * clock) and runs the ones it claimed, one after the other. Tasks never hold a sync's slot or its lease: they run
 * beside the BullMQ workers, in batches of their own.
 */
export function startMaintenance({
  database,
  logger,
  tasks,
  firstCheckMs,
  checkMs,
}: {
  database: Database;
  logger: Logger;
  tasks: readonly MaintenanceTask[];
  firstCheckMs: number;
  checkMs: number;
}): Maintenance {
  const controller = new AbortController();
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const runTask = async (task: MaintenanceTask) => {
    if (!(await claimMaintenance(database, task.name, task.intervalMs))) return;
    const startedAt = performance.now();
    const result = await task.run(controller.signal);
    await finishMaintenance(database, task.name, result);
    logger.info(
      { task: task.name, ...result, durationMs: Math.round(performance.now() - startedAt) },
      'maintenance task done',
    );
  };
  const check = async () => {
    for (const task of tasks) {
      if (controller.signal.aborted) return;
      await runTask(task).catch((err: unknown) =>
        logger.warn({ err, task: task.name }, 'maintenance task failed'),
      );
    }
  };
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      running = check().finally(() => {
        if (!controller.signal.aborted) schedule(checkMs);
      });
    }, delayMs);
    timer.unref();
  };
  if (tasks.length > 0) schedule(firstCheckMs);
  return {
    async close() {
      controller.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
