import { ALL_MODEL_NAMES, type ModelName } from '@kombo-sync/catalog';
import { MAX_DELETED_RETENTION_DAYS } from '@kombo-sync/config';
import { eq, sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { purgedRecords } from './schema/purged-records.js';
import { syncProgress } from './schema/sync-progress.js';
import { syncState } from './schema/sync-state.js';
import { literal, tableIdent } from './sql-names.js';
import { discardPendingEmbedded } from './embedded-refresh-pending-store.js';
import { discardPasses } from './sync-passes-store.js';
import { deleteFieldDefinitions } from './field-definitions-store.js';

/**
 * Deletes the integration's rows from every model table, its field definitions, its sync state and its tombstones
 * (sync_runs are kept as history, until retention).
 * Returns the number of model rows deleted. Run it in a transaction to make it all-or-nothing.
 */
export async function deleteIntegrationData(db: DbLike, integrationId: string): Promise<number> {
  const executor = toExecutor(db);
  let deleted = 0;
  for (const model of ALL_MODEL_NAMES) {
    const result = await executor.execute(
      sql`DELETE FROM ${sql.raw(tableIdent(model))} WHERE integration_id = ${integrationId}::text`,
    );
    deleted += result.rowCount ?? 0;
  }
  await executor.delete(syncState).where(eq(syncState.integrationId, integrationId));
  await discardPasses(executor, integrationId);
  await executor.delete(syncProgress).where(eq(syncProgress.integrationId, integrationId));
  await discardPendingEmbedded(executor, integrationId);
  await deleteFieldDefinitions(executor, integrationId);
  await executor.delete(purgedRecords).where(eq(purgedRecords.integrationId, integrationId));
  return deleted;
}

/**
 * Soft-deletes the integration's data (SYNC_ON_INTEGRATION_DELETED=soft): every row of every model table that is not
 * deleted already gets remote_deleted_at = `deletedAt` (raw and the other columns are kept); rows Kombo deleted
 * earlier keep their own time. Returns the number of rows marked. Run it in a transaction with the integration's
 * own deletion mark to make it all-or-nothing.
 */
export async function markIntegrationDataDeleted(
  db: DbLike,
  integrationId: string,
  deletedAt: Date,
): Promise<number> {
  const executor = toExecutor(db);
  let marked = 0;
  for (const model of ALL_MODEL_NAMES) {
    const result = await executor.execute(
      sql`UPDATE ${sql.raw(tableIdent(model))} SET remote_deleted_at = ${deletedAt.toISOString()}::timestamptz
        WHERE integration_id = ${integrationId}::text AND remote_deleted_at IS NULL`,
    );
    marked += result.rowCount ?? 0;
  }
  await discardPasses(executor, integrationId);
  await discardPendingEmbedded(executor, integrationId);
  return marked;
}

/**
 * Marks the rows of one model of the integration that are not deleted already as deleted at `deletedAt` (raw kept):
 * what Kombo does to a model it stopped serving. Returns the number of rows marked.
 */
export async function markModelDataDeleted(
  db: DbLike,
  integrationId: string,
  model: ModelName,
  deletedAt: Date,
): Promise<number> {
  const result = await toExecutor(db).execute(
    sql`UPDATE ${sql.raw(tableIdent(model))} SET remote_deleted_at = ${deletedAt.toISOString()}::timestamptz
      WHERE integration_id = ${integrationId}::text AND remote_deleted_at IS NULL`,
  );
  await discardPasses(db, integrationId, model);
  return result.rowCount ?? 0;
}

export interface RowCounts {
  /** Rows stored, deleted ones included. */
  total: number;
  /** Rows with remote_deleted_at set. */
  deleted: number;
}

/** Rows stored per model for the integration, in one query; every catalog model is present. */
export async function countRows(db: DbLike, integrationId: string): Promise<Record<ModelName, RowCounts>> {
  const selects = ALL_MODEL_NAMES.map(
    (model) =>
      sql`SELECT ${sql.raw(literal(model))} AS model, count(*) AS total, count(remote_deleted_at) AS deleted
        FROM ${sql.raw(tableIdent(model))} WHERE integration_id = ${integrationId}::text`,
  );
  const result = await toExecutor(db).execute<{ model: ModelName; total: string; deleted: string }>(
    sql.join(selects, sql` UNION ALL `),
  );
  const counts = {} as Record<ModelName, RowCounts>;
  for (const row of result.rows)
    counts[row.model] = { total: Number(row.total), deleted: Number(row.deleted) };
  return counts;
}

/**
 * Retention (SYNC_DELETED_RETENTION_DAYS): hard-deletes the rows of every model table that Kombo reported deleted
 * (`remote_deleted_at`) more than `retentionDays` days ago by Postgres's clock, `batchSize` rows per statement
 * (default 1,000) found through each table's partial index of deleted rows, and leaves a tombstone per row in
 * `purged_records` in the same statement, so a later sync does not store the record again while Kombo still serves
 * it deleted and unchanged (see `writePage`). Live rows are never touched. Stops between batches when `signal`
 * aborts. Returns the number of rows removed.
 */
export async function purgeDeletedRows(
  db: DbLike,
  {
    retentionDays,
    batchSize = 1_000,
    signal,
  }: {
    retentionDays: number;
    batchSize?: number;
    signal?: AbortSignal;
  },
): Promise<number> {
  if (!Number.isInteger(retentionDays) || retentionDays < 0 || retentionDays > MAX_DELETED_RETENTION_DAYS) {
    throw new RangeError(
      `retentionDays must be a whole number from 0 to ${MAX_DELETED_RETENTION_DAYS}, got ${retentionDays}`,
    );
  }
  const executor = toExecutor(db);
  let purged = 0;
  for (const model of ALL_MODEL_NAMES) {
    const table = sql.raw(tableIdent(model));
    while (!signal?.aborted) {
      const result = await executor.execute<{ count: string }>(sql`
        WITH gone AS (
          DELETE FROM ${table} WHERE ctid IN (
            SELECT ctid FROM ${table}
            WHERE remote_deleted_at < now() - ${retentionDays}::int * interval '1 day'
            LIMIT ${batchSize}::int
          )
          RETURNING integration_id, id, changed_at
        ), tombstones AS (
          INSERT INTO purged_records AS p (integration_id, model, record_id, changed_at)
          SELECT integration_id, ${model}::text, id, changed_at FROM gone
          ON CONFLICT (integration_id, model, record_id) DO UPDATE
            SET changed_at = greatest(p.changed_at, excluded.changed_at), purged_at = now()
        )
        SELECT count(*) AS count FROM gone`);
      const count = Number(result.rows[0]?.count ?? 0);
      purged += count;
      if (count < batchSize) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return purged;
}
