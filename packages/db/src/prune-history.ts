import { sql, type SQL } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { CONNECTION_FLOW_FAILURE_RETENTION_DAYS } from './integration-health-store.js';

/** What {@link pruneHistory} removed, per kind. */
export interface HistoryPruned {
  /** sync_runs rows. */
  runs: number;
  /** Open passes no run touched for the retention (sync_passes rows). */
  passes: number;
  /** Seen ids of passes and runs that ended without clearing them (sync_seen_ids rows). */
  seenIds: number;
  /** Quarantined records of integrations deleted longer ago than the retention. */
  quarantined: number;
  /** Tombstones of purged records (purged_records) of integrations deleted longer ago than the retention. */
  tombstones: number;
  /** Failed connection flows older than their own retention (CONNECTION_FLOW_FAILURE_RETENTION_DAYS). */
  connectionFlows: number;
}

export interface PruneHistoryOptions {
  /** Days of history kept, by Postgres's clock (SYNC_RUN_RETENTION_DAYS). */
  retentionDays: number;
  /** Rows per statement; default 1,000, so no statement holds many locks or runs long. */
  batchSize?: number;
  /** Stops between batches (a worker shutting down); what is left is pruned by the next run. */
  signal?: AbortSignal;
}

const olderThan = (column: SQL, days: number) => sql`${column} < now() - ${days}::int * interval '1 day'`;

/** Runs `statement` (one batch; it returns its row count) until a batch is short or `signal` aborts. */
async function inBatches(
  db: DbLike,
  statement: SQL,
  { batchSize, signal }: { batchSize: number; signal?: AbortSignal | undefined },
): Promise<number> {
  let total = 0;
  while (!signal?.aborted) {
    const result = await toExecutor(db).execute(statement);
    const count = result.rowCount ?? 0;
    total += count;
    if (count < batchSize) break;
    // Let the process's other work (page writes of running syncs) in between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return total;
}

/**
 * History retention (SYNC_RUN_RETENTION_DAYS), in batches of `batchSize` rows, each its own statement, by
 * Postgres's clock. Removes what accumulates per run and nothing a live run, the status views or the change feed
 * still need:
 * - finished sync runs started longer ago than the retention, except each integration's latest run
 *   (`integrations.last_run_id`, which the status views show) and runs still `running`;
 * - open full passes whose checkpoint no run moved for the retention, and whose integration no live lease holds
 *   (a pass so old restarts anyway: its cursor expired), with their seen ids;
 * - seen ids (sync_seen_ids) of runs that are no longer running and have no open pass: left by a run that died
 *   mid-pass on an endpoint without cursors;
 * - quarantined records and tombstones of purged records of integrations deleted longer ago than the retention
 *   (nothing retries or syncs them any more);
 * - failed connection flows older than their own 30 days.
 * Published change-outbox rows are deleted when published, finished progress rows (one per integration and model)
 * and the integration's sync state are overwritten, not accumulated: there is nothing of theirs to prune.
 */
export async function pruneHistory(db: DbLike, options: PruneHistoryOptions): Promise<HistoryPruned> {
  const { retentionDays, batchSize = 1_000, signal } = options;
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new RangeError(`retentionDays must be a whole number of at least 1, got ${retentionDays}`);
  const batch = { batchSize, signal };
  const runs = await inBatches(
    db,
    sql`DELETE FROM sync_runs WHERE id IN (
      SELECT r.id FROM sync_runs r
      WHERE ${olderThan(sql`r.started_at`, retentionDays)} AND r.status <> 'running'
        AND NOT EXISTS (SELECT 1 FROM integrations i WHERE i.last_run_id = r.id)
      ORDER BY r.started_at LIMIT ${batchSize}::int)`,
    batch,
  );
  const passes = await inBatches(
    db,
    sql`DELETE FROM sync_passes WHERE (integration_id, model) IN (
      SELECT p.integration_id, p.model FROM sync_passes p
      WHERE ${olderThan(sql`p.checkpointed_at`, retentionDays)}
        AND NOT EXISTS (SELECT 1 FROM sync_leases l WHERE l.integration_id = p.integration_id AND l.expires_at > now())
      LIMIT ${batchSize}::int)`,
    batch,
  );
  const seenIds = await pruneOrphanSeenIds(db, batch);
  // Per-record bookkeeping that nothing retries or syncs any more once its integration is long deleted.
  const ofDeletedIntegrations = (table: 'quarantined_records' | 'purged_records') =>
    inBatches(
      db,
      sql`DELETE FROM ${sql.raw(table)} WHERE (integration_id, model, record_id) IN (
        SELECT t.integration_id, t.model, t.record_id FROM ${sql.raw(table)} t
        JOIN integrations i ON i.id = t.integration_id
        WHERE ${olderThan(sql`i.deleted_at`, retentionDays)}
        LIMIT ${batchSize}::int)`,
      batch,
    );
  const quarantined = await ofDeletedIntegrations('quarantined_records');
  const tombstones = await ofDeletedIntegrations('purged_records');
  // Also pruned when a new one arrives; this keeps their bound when none does.
  const connectionFlows = await inBatches(
    db,
    sql`DELETE FROM connection_flow_failures WHERE event_id IN (
      SELECT event_id FROM connection_flow_failures
      WHERE ${olderThan(sql`received_at`, CONNECTION_FLOW_FAILURE_RETENTION_DAYS)}
      LIMIT ${batchSize}::int)`,
    batch,
  );
  return { runs, passes, seenIds, quarantined, tombstones, connectionFlows };
}

/**
 * Deletes the seen ids of every run id that has no open pass and is not a running run. The run ids are found by
 * skipping through the primary key (one probe per distinct run id, however many ids a pass saw); each batch
 * checks again that the run id is still unclaimed, in the statement that deletes.
 */
async function pruneOrphanSeenIds(
  db: DbLike,
  batch: { batchSize: number; signal?: AbortSignal | undefined },
): Promise<number> {
  const runIds = await toExecutor(db).execute<{ run_id: string }>(sql`
    WITH RECURSIVE ids AS (
      SELECT min(run_id) AS run_id FROM sync_seen_ids
      UNION ALL
      SELECT (SELECT min(s.run_id) FROM sync_seen_ids s WHERE s.run_id > ids.run_id) FROM ids
      WHERE ids.run_id IS NOT NULL
    )
    SELECT ids.run_id FROM ids
    WHERE ids.run_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM sync_passes p WHERE p.pass_id = ids.run_id)
      AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.id = ids.run_id AND r.status = 'running')`);
  let total = 0;
  for (const { run_id: runId } of runIds.rows) {
    total += await inBatches(
      db,
      sql`DELETE FROM sync_seen_ids WHERE ctid IN (
        SELECT s.ctid FROM sync_seen_ids s
        WHERE s.run_id = ${runId}::bigint
          AND NOT EXISTS (SELECT 1 FROM sync_passes p WHERE p.pass_id = ${runId}::bigint)
          AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.id = ${runId}::bigint AND r.status = 'running')
        LIMIT ${batch.batchSize}::int)`,
      batch,
    );
  }
  return total;
}
