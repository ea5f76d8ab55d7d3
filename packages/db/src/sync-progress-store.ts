import type { ModelName } from '@kombo-sync/catalog';
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { syncProgress, type ProgressStatus, type SyncProgressRow } from './schema/sync-progress.js';
import { estimateProgress, type ProgressEstimate } from './estimate-progress.js';
import { tableIdent } from './sql-names.js';

export interface StartProgressInput {
  integrationId: string;
  model: ModelName;
  runId: number;
  isFullPass: boolean;
  /** Records per page of the pass (KOMBO_PAGE_SIZE): turns an expected record count into pages. */
  pageSize: number;
  /** Already done when the row is first written (a delta pass is recorded only once it is long). Default 0. */
  pagesDone?: number;
  recordsDone?: number;
}

/**
 * Starts (or restarts) the model's progress row for a pass. A full pass expects what the last complete full pass
 * read, else as many records as the mirror holds for the model (one count, only then); a delta pass expects
 * nothing (unknown: its changes are not counted in advance).
 */
export async function startModelProgress(db: DbLike, input: StartProgressInput): Promise<void> {
  const executor = toExecutor(db);
  let expectedRecords: number | null = null;
  let expectedPages: number | null = null;
  if (input.isFullPass) {
    const [previous] = await executor
      .select({ records: syncProgress.lastFullRecords, pages: syncProgress.lastFullPages })
      .from(syncProgress)
      .where(and(eq(syncProgress.integrationId, input.integrationId), eq(syncProgress.model, input.model)));
    if (previous?.records != null) {
      expectedRecords = previous.records;
      expectedPages = previous.pages ?? Math.max(1, Math.ceil(previous.records / input.pageSize));
    } else {
      const counted = await executor.execute<{ rows: string }>(
        sql`SELECT count(*) AS rows FROM ${sql.raw(tableIdent(input.model))}
            WHERE integration_id = ${input.integrationId}::text`,
      );
      const rows = Number(counted.rows[0]?.rows ?? 0);
      // An empty mirror (a first sync) says nothing about the size of the model.
      if (rows > 0) {
        expectedRecords = rows;
        expectedPages = Math.max(1, Math.ceil(rows / input.pageSize));
      }
    }
  }
  const values = {
    runId: input.runId,
    isFullPass: input.isFullPass,
    status: 'running' as const,
    pagesDone: input.pagesDone ?? 0,
    recordsDone: input.recordsDone ?? 0,
    expectedRecords,
    expectedPages,
    startedAt: sql`now()`,
    updatedAt: sql`now()`,
    finishedAt: null,
  };
  await executor
    .insert(syncProgress)
    .values({ integrationId: input.integrationId, model: input.model, ...values })
    .onConflictDoUpdate({ target: [syncProgress.integrationId, syncProgress.model], set: values });
}

export interface ProgressCountsInput {
  integrationId: string;
  model: ModelName;
  runId: number;
  pagesDone: number;
  recordsDone: number;
}

/** Sets the pass's counts (only while the row belongs to `runId`: a later pass owns it otherwise). */
export async function updateModelProgress(db: DbLike, input: ProgressCountsInput): Promise<void> {
  await toExecutor(db)
    .update(syncProgress)
    .set({ pagesDone: input.pagesDone, recordsDone: input.recordsDone, updatedAt: sql`now()` })
    .where(ownRow(input));
}

/**
 * Ends the pass's row with its final counts. A complete full pass also becomes the expectation of the next one
 * (`last_full_records`, `last_full_pages`).
 */
export async function finishModelProgress(
  db: DbLike,
  input: ProgressCountsInput & { status: Exclude<ProgressStatus, 'running'>; isFullPass: boolean },
): Promise<void> {
  const isCompleteFullPass = input.status === 'succeeded' && input.isFullPass;
  await toExecutor(db)
    .update(syncProgress)
    .set({
      status: input.status,
      pagesDone: input.pagesDone,
      recordsDone: input.recordsDone,
      updatedAt: sql`now()`,
      finishedAt: sql`now()`,
      ...(isCompleteFullPass ? { lastFullRecords: input.recordsDone, lastFullPages: input.pagesDone } : {}),
    })
    .where(ownRow(input));
}

function ownRow(input: { integrationId: string; model: ModelName; runId: number }) {
  return and(
    eq(syncProgress.integrationId, input.integrationId),
    eq(syncProgress.model, input.model),
    eq(syncProgress.runId, input.runId),
  );
}

/**
 * A `running` row is believed only while its run is: a worker killed mid-pass leaves its row `running`, and the
 * run is closed `abandoned` (or failed) by whoever takes over.
 */
const isRunLive = sql`EXISTS (SELECT 1 FROM sync_runs r WHERE r.id = ${syncProgress.runId} AND r.status = 'running')`;

/** The progress rows of one integration (every model it ever recorded progress for); stale `running` → cancelled. */
export async function getModelProgress(
  db: DbLike,
  integrationId: string,
): Promise<Map<ModelName, SyncProgressRow>> {
  const rows = await toExecutor(db)
    .select({
      ...getTableColumns(syncProgress),
      status: sql<ProgressStatus>`CASE WHEN ${syncProgress.status} = 'running' AND NOT ${isRunLive}
        THEN 'cancelled' ELSE ${syncProgress.status} END`,
    })
    .from(syncProgress)
    .where(eq(syncProgress.integrationId, integrationId));
  return new Map(rows.map((row) => [row.model, row]));
}

/** The running passes of every live integration (what `/metrics` aggregates and the status list shows). */
export async function listRunningProgress(db: DbLike): Promise<SyncProgressRow[]> {
  return toExecutor(db)
    .select()
    .from(syncProgress)
    .where(
      and(
        eq(syncProgress.status, 'running'),
        isRunLive,
        sql`EXISTS (SELECT 1 FROM integrations i WHERE i.id = ${syncProgress.integrationId} AND i.deleted_at IS NULL)`,
      ),
    );
}

/** The running passes of live integrations with their estimates at `now` (for `/metrics`). */
export async function listRunningEstimates(
  db: DbLike,
  now: Date,
): Promise<(ProgressEstimate & { integrationId: string; model: ModelName })[]> {
  const rows = await listRunningProgress(db);
  return rows.map((row) => ({
    integrationId: row.integrationId,
    model: row.model,
    ...estimateProgress(row, now),
  }));
}
