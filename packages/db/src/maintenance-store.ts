import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';

/**
 * Claims the maintenance task `task` for this worker when nobody did in the last `intervalMs` (Postgres's clock):
 * true at most once per interval fleet-wide, whatever the number of workers, their restarts or their clocks. A
 * worker that dies mid-task leaves it to the next claim after the interval (tasks are idempotent and resumable).
 */
export async function claimMaintenance(db: DbLike, task: string, intervalMs: number): Promise<boolean> {
  const result = await toExecutor(db).execute(sql`
    INSERT INTO maintenance_runs AS m (task, claimed_at) VALUES (${task}::text, now())
    ON CONFLICT (task) DO UPDATE SET claimed_at = now(), finished_at = NULL
      WHERE m.claimed_at <= now() - ${intervalMs}::double precision * interval '1 millisecond'
    RETURNING task`);
  return result.rows.length > 0;
}

/** Records that the claimed run of `task` finished, with what it did. */
export async function finishMaintenance(
  db: DbLike,
  task: string,
  result: Record<string, number>,
): Promise<void> {
  await toExecutor(db).execute(sql`
    UPDATE maintenance_runs SET finished_at = now(), result = ${JSON.stringify(result)}::jsonb
    WHERE task = ${task}::text`);
}
