import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The fleet's periodic maintenance (retention), one row per task: a worker runs a task only after claiming it here,
 * which succeeds at most once per the task's interval fleet-wide (by Postgres's clock), however many workers run or
 * restart (see src/maintenance-store.ts).
 */
export const maintenanceRuns = pgTable('maintenance_runs', {
  task: text('task').primaryKey(),
  /** When a worker last claimed the task. */
  claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull(),
  /** When that run finished; null while it runs (or when its worker died). */
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  /** What the last finished run removed, per kind, for operators. */
  result: jsonb('result').$type<Record<string, number>>(),
});

export type MaintenanceRunRow = typeof maintenanceRuns.$inferSelect;
