import type { ModelName } from '@kombo-sync/catalog';
import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { fetchOrder, lastFetchOrder } from './fetch-order.js';
import { tableIdent } from './sql-names.js';

export interface ReconcileDeletionsInput {
  integrationId: string;
  model: ModelName;
  /** The full pass's run: rows it wrote carry it as last_run_id; the ids it saw unchanged are in sync_seen_ids. */
  runId: number;
  /** Kombo-side time at which the full pass started. */
  passStartedAt: Date;
}

/**
 * Ends a full pass: soft-deletes (remote_deleted_at = passStartedAt) the model's rows of the integration that the
 * pass did not see (neither wrote, as last_run_id tells, nor recorded in sync_seen_ids) and that are not in
 * quarantined_records (counted as seen), that are not deleted already and that were fetched before the pass started, by
 * `(kombo_fetched_at, kombo_fetch_order)` against the pass's first page `(passStartedAt, fetchOrder(runId, 0))`:
 * a row fetched since, e.g. by a concurrent delta sync, is newer than the pass's view. Then clears the run's seen
 * ids. One statement.
 *
 * A marked row takes `(passStartedAt, lastFetchOrder(runId))` as its fetch time and order, so a page fetched
 * before the pass (a stale worker writing late) cannot revive it, while any fetch in a later Kombo second, or in
 * the same second by a later run, does (the record is back, or was never gone).
 */
export async function reconcileDeletions(
  db: DbLike,
  input: ReconcileDeletionsInput,
): Promise<{ deleted: number; deletedIds: string[] }> {
  const passStartedAt = input.passStartedAt.toISOString();
  const passFirstOrder = fetchOrder(input.runId, 0);
  const markOrder = lastFetchOrder(input.runId);
  const result = await toExecutor(db).execute<{ id: string }>(sql`
    WITH marked AS (
      UPDATE ${sql.raw(tableIdent(input.model))} AS t
      SET remote_deleted_at = ${passStartedAt}::timestamptz, kombo_fetched_at = ${passStartedAt}::timestamptz,
        kombo_fetch_order = ${markOrder}::bigint, last_run_id = ${input.runId}::bigint
      WHERE t.integration_id = ${input.integrationId}::text
        AND t.remote_deleted_at IS NULL
        AND (t.kombo_fetched_at, t.kombo_fetch_order) < (${passStartedAt}::timestamptz, ${passFirstOrder}::bigint)
        -- Rows the pass wrote carry its run id; writePage records seen ids only for rows it did not rewrite.
        AND t.last_run_id IS DISTINCT FROM ${input.runId}::bigint
        -- OFFSET 0 keeps this a per-row primary-key probe. Without it the planner turns it into an anti join,
        -- and with the fresh (unanalyzed) seen ids it picks a nested loop that rescans the run's ids for every
        -- row: quadratic (6 s for 5k rows, hours for 1M) whenever the pass saw rows it did not rewrite.
        AND NOT EXISTS (
          SELECT 1 FROM sync_seen_ids s
          WHERE s.run_id = ${input.runId}::bigint AND s.model = ${input.model}::text AND s.id = t.id
          OFFSET 0
        )
        -- A quarantined record exists in Kombo (it could only not be stored): never marked deleted for it.
        AND NOT EXISTS (
          SELECT 1 FROM quarantined_records q
          WHERE q.integration_id = ${input.integrationId}::text AND q.model = ${input.model}::text
            AND q.record_id = t.id
          OFFSET 0
        )
      RETURNING t.id
    ), cleared AS (
      DELETE FROM sync_seen_ids WHERE run_id = ${input.runId}::bigint AND model = ${input.model}::text
    )
    SELECT id FROM marked`);
  const deletedIds = result.rows.map((row) => row.id);
  return { deleted: deletedIds.length, deletedIds };
}
