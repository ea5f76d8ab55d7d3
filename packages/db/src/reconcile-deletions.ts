import type { ReconcileDeletionsInput, ReconcileDeletionsResult } from '@kombo-sync/sync';
import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { lastFetchOrder } from './fetch-order.js';
import { releaseUnseenHashedSql } from './quarantine-store.js';
import { tableIdent } from './sql-names.js';
import { PASS_MARKER_ID } from './sync-passes-store.js';

/**
 * The ids a resumable pass saw are gone (sync_seen_ids is UNLOGGED: Postgres crashed or failed over since the pass
 * opened): reconciling would mark them deleted, so nothing is marked and the pass must start over.
 */
export class PassLostError extends Error {
  readonly code = 'SYNC.PASS_LOST';
  constructor(model: string) {
    super(`the ids the open pass of ${model} saw are gone (Postgres restarted): the pass starts over`);
    this.name = 'PassLostError';
  }
}

/**
 * Ends a complete full pass: soft-deletes (remote_deleted_at = passStartedAt) the model's rows of the integration
 * that the pass did not see — neither wrote (last_run_id) nor recorded in sync_seen_ids — that are not in
 * quarantined_records (a quarantined record exists in Kombo: counted as seen) and that are not deleted already.
 * Releases the records quarantined under a hashed key (an id too long to store) that the pass did not see. Then
 * clears the pass's seen ids and closes it (its sync_passes row), and removes the model's tombstones of purged
 * records the pass did not see or that are back in the mirror. One statement. With `passId` (a resumable pass,
 * src/sync-passes-store.ts) its marker must still be there, else {@link PassLostError}.
 *
 * Exact only because the whole pass ran under one fence (src/sync-leases-store.ts): no other run wrote the
 * integration meanwhile, so every row the pass did not see is one Kombo no longer serves, whatever its fetch time
 * says (a row fetched under a Kombo clock that ran ahead is no exception). The caller runs it in a fenced
 * transaction.
 *
 * A marked row takes `(passStartedAt, lastFetchOrder(runId))` as its fetch time and order, so a later delta that
 * sees the record again (it is back, or was never gone) revives it.
 */
export async function reconcileDeletions(
  db: DbLike,
  input: ReconcileDeletionsInput,
): Promise<ReconcileDeletionsResult> {
  const passStartedAt = input.passStartedAt.toISOString();
  const markOrder = lastFetchOrder(input.runId);
  const passId = input.passId ?? input.runId;
  const executor = toExecutor(db);
  if (input.passId !== undefined) {
    const marker = await executor.execute(sql`
      SELECT 1 FROM sync_seen_ids
      WHERE run_id = ${passId}::bigint AND model = ${input.model}::text AND id = ${PASS_MARKER_ID}::text`);
    if (marker.rows.length === 0) throw new PassLostError(input.model);
  }
  const result = await executor.execute<{ id: string }>(sql`
    WITH marked AS (
      UPDATE ${sql.raw(tableIdent(input.model))} AS t
      SET remote_deleted_at = ${passStartedAt}::timestamptz, kombo_fetched_at = ${passStartedAt}::timestamptz,
        kombo_fetch_order = ${markOrder}::bigint, last_run_id = ${input.runId}::bigint
      WHERE t.integration_id = ${input.integrationId}::text
        AND t.remote_deleted_at IS NULL
        -- Rows the pass wrote carry the id of one of its runs, all from passId on; so do rows a delta wrote while
        -- the pass was open (no other run writes the integration meanwhile: the fence). writePage records seen
        -- ids only for rows it did not write.
        AND (t.last_run_id IS NULL OR t.last_run_id < ${passId}::bigint)
        -- OFFSET 0 keeps this a per-row primary-key probe. Without it the planner turns it into an anti join,
        -- and with the fresh (unanalyzed) seen ids it picks a nested loop that rescans the run's ids for every
        -- row: quadratic (6 s for 5k rows, hours for 1M) whenever the pass saw rows it did not rewrite.
        AND NOT EXISTS (
          SELECT 1 FROM sync_seen_ids s
          WHERE s.run_id = ${passId}::bigint AND s.model = ${input.model}::text AND s.id = t.id
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
      DELETE FROM sync_seen_ids WHERE run_id = ${passId}::bigint AND model = ${input.model}::text
    ), released AS (
      -- Records quarantined under a hashed key are never refetched by id: the complete pass is what tells whether
      -- Kombo still has them.
      ${releaseUnseenHashedSql(input.integrationId, input.model, passId)}
    ), unpurged AS (
      -- Tombstones of the deleted-rows retention go once Kombo no longer serves the record (the complete pass did
      -- not see it) or it is back in the mirror.
      DELETE FROM purged_records p
      WHERE p.integration_id = ${input.integrationId}::text AND p.model = ${input.model}::text
        AND (NOT EXISTS (
            SELECT 1 FROM sync_seen_ids s
            WHERE s.run_id = ${passId}::bigint AND s.model = ${input.model}::text AND s.id = p.record_id
            OFFSET 0
          )
          OR EXISTS (
            SELECT 1 FROM ${sql.raw(tableIdent(input.model))} t
            WHERE t.integration_id = p.integration_id AND t.id = p.record_id
          ))
    ), closed AS (
      DELETE FROM sync_passes
      WHERE integration_id = ${input.integrationId}::text AND model = ${input.model}::text
        AND pass_id = ${passId}::bigint
    )
    SELECT id FROM marked`);
  const deletedIds = result.rows.map((row) => row.id);
  return { deleted: deletedIds.length, deletedIds };
}
