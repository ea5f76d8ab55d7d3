import { desc, eq, sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { safeErrorText } from './safe-error.js';
import type { ModelName } from '@kombo-sync/catalog';
import type { ModelCounts } from '@kombo-sync/sync';
import {
  syncRuns,
  type ModelRunStatus,
  type SyncKind,
  type SyncRunRow,
  type SyncRunStatus,
} from './schema/sync-runs.js';
import { toRunCounts } from './sync-state-store.js';

export interface StartRunInput {
  integrationId: string;
  kind: SyncKind;
  /** A webhook type (e.g. `data-changed`), `schedule` or `manual`. */
  trigger: string;
  /** Ingress request ids of the webhooks the run serves; default none. */
  requestIds?: readonly string[];
}

/**
 * Records a run as `running` and returns its id. The same statement makes it the integration's latest run
 * (`integrations.last_run_id`, never moved back), which the status views read.
 */
export async function startRun(db: DbLike, input: StartRunInput): Promise<number> {
  const requestIds = JSON.stringify([...(input.requestIds ?? [])]);
  const result = await toExecutor(db).execute<{ id: string }>(sql`
    WITH run AS (
      INSERT INTO sync_runs (integration_id, kind, trigger, request_ids)
      SELECT ${input.integrationId}::text, ${input.kind}::text, ${input.trigger}::text,
        ARRAY(SELECT json_array_elements_text(${requestIds}::json))
      RETURNING id
    ), latest AS (
      UPDATE integrations AS i SET last_run_id = run.id FROM run
      WHERE i.id = ${input.integrationId}::text AND (i.last_run_id IS NULL OR i.last_run_id < run.id)
    )
    SELECT id FROM run`);
  const row = result.rows[0];
  if (!row) throw new Error('startRun returned no row');
  return Number(row.id);
}

/** A model a run stopped at a page boundary (its time slice ended, a pause, a shutdown), with what it did. */
export type YieldedModelCounts = { readonly model: ModelName } & ModelCounts;

/**
 * Sets the run's final status (and error, if any) and its finish time; the `yielded` models' counts are added to
 * `counts` with status `yielded` (a model the run already recorded keeps its entry), so a sliced pass's runs each
 * show what they wrote.
 */
export async function finishRun(
  db: DbLike,
  runId: number,
  input: {
    status: Exclude<SyncRunStatus, 'running'>;
    error?: string | null;
    yielded?: readonly YieldedModelCounts[];
  },
): Promise<void> {
  const yielded = Object.fromEntries(
    (input.yielded ?? []).map(({ model, ...counts }) => [
      model,
      { ...toRunCounts(counts), status: 'yielded' satisfies ModelRunStatus },
    ]),
  );
  await toExecutor(db)
    .update(syncRuns)
    .set({
      status: input.status,
      error: input.error == null ? null : safeErrorText(input.error),
      finishedAt: sql`now()`,
      ...(input.yielded?.length
        ? { counts: sql`${JSON.stringify(yielded)}::jsonb || ${syncRuns.counts}` }
        : {}),
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
