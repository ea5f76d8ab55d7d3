import type { ModelName } from '@kombo-sync/catalog';
import type { ModelCounts } from '@kombo-sync/sync';
import { eq, sql } from 'drizzle-orm';
import { toExecutor, type DbLike, type Executor } from './create-database.js';
import { safeErrorText } from './safe-error.js';
import type { ModelRunCounts, SyncKind } from './schema/sync-runs.js';
import { syncState, type SyncStateRow } from './schema/sync-state.js';

export type { ModelCounts };

/** The engine's counts as sync_runs.counts stores them per model (without the status the store sets). */
function toRunCounts(counts: ModelCounts): Omit<ModelRunCounts, 'status' | 'error'> {
  return {
    pages: counts.pages,
    upserted: counts.inserted + counts.updated,
    unchanged: counts.unchanged,
    deleted: counts.deleted,
    quarantined: counts.quarantined,
  };
}

const ZERO_RUN_COUNTS = { pages: 0, upserted: 0, unchanged: 0, deleted: 0 };

/** Every model's sync state of the integration; models never synced are absent. */
export async function getSyncStates(
  db: DbLike,
  integrationId: string,
): Promise<Map<ModelName, SyncStateRow>> {
  const rows = await toExecutor(db)
    .select()
    .from(syncState)
    .where(eq(syncState.integrationId, integrationId));
  return new Map(rows.map((row) => [row.model, row]));
}

/**
 * Whether anything of the integration is committed: a model synced once (it has a watermark), or a pass with a
 * page written. False for a new integration, whose first time slice then goes to the onboarding lane.
 */
export async function hasCommittedData(db: DbLike, integrationId: string): Promise<boolean> {
  const result = await toExecutor(db).execute<{ found: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM sync_state WHERE integration_id = ${integrationId}::text AND watermark IS NOT NULL)
      OR EXISTS (SELECT 1 FROM sync_passes WHERE integration_id = ${integrationId}::text AND pages > 0) AS found`);
  return result.rows[0]?.found === true;
}

/** Sets `sync_runs.counts[model]`, keeping the other models' entries. */
async function setRunCounts(
  db: Executor,
  runId: number,
  model: ModelName,
  counts: ModelRunCounts,
): Promise<void> {
  await db.execute(sql`
    UPDATE sync_runs SET counts = counts || jsonb_build_object(${model}::text, ${JSON.stringify(counts)}::jsonb)
    WHERE id = ${runId}::bigint`);
}

export interface CommitModelSuccessInput {
  integrationId: string;
  model: ModelName;
  runId: number;
  /**
   * Kombo-side time up to which the model is now stored. A delta never moves the stored watermark backwards; a full
   * pass sets it exactly (it saw everything as of its start, even if Kombo's clock stepped back since the last one).
   */
  watermark: Date;
  kind: SyncKind;
  counts: ModelCounts;
}

/**
 * Records a model's successful sync: watermark = GREATEST(stored, given) after a delta, the given one after a full
 * pass; the delta or full sync time; resets
 * the failure count and skip reason, and stores the run's counts. Call it in the transaction of the last page.
 */
export async function commitModelSuccess(db: DbLike, input: CommitModelSuccessInput): Promise<void> {
  const executor = toExecutor(db);
  const now = sql`now()`;
  const syncedAt = input.kind === 'full' ? { lastFullSyncAt: now } : { lastDeltaSyncAt: now };
  await executor
    .insert(syncState)
    .values({
      integrationId: input.integrationId,
      model: input.model,
      watermark: input.watermark,
      lastSuccessAt: now,
      ...syncedAt,
    })
    .onConflictDoUpdate({
      target: [syncState.integrationId, syncState.model],
      set: {
        watermark:
          input.kind === 'full'
            ? sql.raw('excluded.watermark')
            : sql.raw('GREATEST(sync_state.watermark, excluded.watermark)'),
        lastSuccessAt: now,
        ...syncedAt,
        consecutiveFailures: 0,
        skippedReason: null,
        unavailableSince: null,
        updatedAt: now,
      },
    });
  await setRunCounts(executor, input.runId, input.model, {
    ...toRunCounts(input.counts),
    status: 'succeeded',
  });
}

export interface RecordModelFailureInput {
  integrationId: string;
  model: ModelName;
  runId: number;
  /** Stable error code, e.g. `REMOTE.RATE_LIMIT_EXCEEDED`. */
  code: string;
  message: string;
  /** Kombo's log URL for the failed request, when it gave one. */
  logUrl?: string | null;
  /** What the run had done to the model before it failed; default zeros. */
  counts?: ModelCounts;
}

/** Records a model's failed sync: keeps the watermark, stores the error, increments consecutive_failures. */
export async function recordModelFailure(db: DbLike, input: RecordModelFailureInput): Promise<void> {
  const executor = toExecutor(db);
  const error = {
    lastErrorCode: input.code,
    lastErrorMessage: safeErrorText(input.message),
    lastErrorLogUrl: input.logUrl ?? null,
    lastErrorAt: sql`now()`,
  };
  await executor
    .insert(syncState)
    .values({ integrationId: input.integrationId, model: input.model, ...error, consecutiveFailures: 1 })
    .onConflictDoUpdate({
      target: [syncState.integrationId, syncState.model],
      set: {
        ...error,
        consecutiveFailures: sql.raw('sync_state.consecutive_failures + 1'),
        updatedAt: sql`now()`,
      },
    });
  await setRunCounts(executor, input.runId, input.model, {
    ...(input.counts ? toRunCounts(input.counts) : ZERO_RUN_COUNTS),
    status: 'failed',
    error: safeErrorText(`${input.code}: ${input.message}`),
  });
}

export interface RecordModelSkippedInput {
  integrationId: string;
  model: ModelName;
  runId: number;
  /** Why, e.g. `INTEGRATION.MODEL_NOT_AVAILABLE`. */
  reason: string;
  /** Kombo reports the model unavailable as of this time: starts `unavailable_since` unless already set. */
  unavailableAt?: Date;
}

/** Records that a run skipped a model (e.g. not available for the tool); not a failure. */
export async function recordModelSkipped(db: DbLike, input: RecordModelSkippedInput): Promise<void> {
  const executor = toExecutor(db);
  await executor
    .insert(syncState)
    .values({
      integrationId: input.integrationId,
      model: input.model,
      skippedReason: input.reason,
      ...(input.unavailableAt ? { unavailableSince: input.unavailableAt } : {}),
    })
    .onConflictDoUpdate({
      target: [syncState.integrationId, syncState.model],
      set: {
        skippedReason: input.reason,
        ...(input.unavailableAt
          ? { unavailableSince: sql`COALESCE(${syncState.unavailableSince}, excluded.unavailable_since)` }
          : {}),
        updatedAt: sql`now()`,
      },
    });
  await setRunCounts(executor, input.runId, input.model, {
    ...ZERO_RUN_COUNTS,
    status: 'skipped',
    error: input.reason,
  });
}
