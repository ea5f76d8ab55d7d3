import { desc, eq, sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { safeErrorText } from './safe-error.js';
import { syncRuns, type SyncKind, type SyncRunRow, type SyncRunStatus } from './schema/sync-runs.js';

export interface StartRunInput {
  integrationId: string;
  kind: SyncKind;
  /** A webhook type (e.g. `data-changed`), `schedule` or `manual`. */
  trigger: string;
  /** Ingress request ids of the webhooks the run serves; default none. */
  requestIds?: readonly string[];
}

/** Records a run as `running` and returns its id. */
export async function startRun(db: DbLike, input: StartRunInput): Promise<number> {
  const [row] = await toExecutor(db)
    .insert(syncRuns)
    .values({
      integrationId: input.integrationId,
      kind: input.kind,
      trigger: input.trigger,
      requestIds: [...(input.requestIds ?? [])],
    })
    .returning({ id: syncRuns.id });
  if (!row) throw new Error('startRun returned no row');
  return row.id;
}

/** Sets the run's final status (and error, if any) and its finish time. */
export async function finishRun(
  db: DbLike,
  runId: number,
  input: { status: Exclude<SyncRunStatus, 'running'>; error?: string | null },
): Promise<void> {
  await toExecutor(db)
    .update(syncRuns)
    .set({
      status: input.status,
      error: input.error == null ? null : safeErrorText(input.error),
      finishedAt: sql`now()`,
    })
    .where(eq(syncRuns.id, runId));
}

/** The integration's latest runs, newest first; `limit` default 20. */
export async function getRecentRuns(db: DbLike, integrationId: string, limit = 20): Promise<SyncRunRow[]> {
  return toExecutor(db)
    .select()
    .from(syncRuns)
    .where(eq(syncRuns.integrationId, integrationId))
    .orderBy(desc(syncRuns.id))
    .limit(limit);
}
