import type { ModelName } from '@kombo-sync/catalog';
import type {
  CommitModelSuccessInput,
  ModelCounts,
  RecordModelFailureInput,
  RecordModelSkippedInput,
} from '@kombo-sync/sync';
import { eq, sql } from 'drizzle-orm';
import { toExecutor, type DbLike, type Executor } from './create-database.js';
import { safeErrorText } from './safe-error.js';
import type { ModelRunCounts } from './schema/sync-runs.js';
import { syncState, type SyncStateRow } from './schema/sync-state.js';

/** The engine's counts as sync_runs.counts stores them per model (without the status the store sets). */
export function toRunCounts(counts: ModelCounts): Omit<ModelRunCounts, 'status' | 'error'> {
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

/**
 * Records a model's successful sync: watermark = GREATEST(stored, given) after a delta, the given one after a full
 * pass; the delta or full sync time; resets
 * the failure count and skip reason, and stores the run's counts. Call it in the transaction of the last page.
 */
export async function commitModelSuccess(db: DbLike, input: CommitModelSuccessInput): Promise<void> {
  const executor = toExecutor(db);
  const now = sql`now()`;
  const syncedAt = input.isFullPass ? { lastFullSyncAt: now } : { lastDeltaSyncAt: now };
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
        watermark: input.isFullPass
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

/**
 * Records a model's failed sync: keeps the watermark, stores the error (code, bounded message, Kombo's log link)
 * and the counts of what the run wrote before it failed, increments consecutive_failures.
 */
export async function recordModelFailure(db: DbLike, input: RecordModelFailureInput): Promise<void> {
  const executor = toExecutor(db);
  const error = {
    lastErrorCode: input.error.code,
    lastErrorMessage: safeErrorText(input.error.message),
    lastErrorLogUrl: input.error.logUrl ?? null,
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
    ...toRunCounts(input.counts),
    status: 'failed',
    error: safeErrorText(`${input.error.code}: ${input.error.message}`),
  });
}

/**
 * Records that a run skipped a model (e.g. not available for the tool); not a failure. The stored reason is
 * `code: reason` (just `reason` when it names the code already). `unavailableAt`: Kombo reports the model unavailable
 * as of this time, which starts `unavailable_since` unless already set.
 */
export async function recordModelSkipped(
  db: DbLike,
  { code, ...input }: RecordModelSkippedInput & { readonly unavailableAt?: Date },
): Promise<void> {
  const executor = toExecutor(db);
  const reason = input.reason.includes(code) ? input.reason : `${code}: ${input.reason}`;
  await executor
    .insert(syncState)
    .values({
      integrationId: input.integrationId,
      model: input.model,
      skippedReason: reason,
      ...(input.unavailableAt ? { unavailableSince: input.unavailableAt } : {}),
    })
    .onConflictDoUpdate({
      target: [syncState.integrationId, syncState.model],
      set: {
        skippedReason: reason,
        ...(input.unavailableAt
          ? { unavailableSince: sql`COALESCE(${syncState.unavailableSince}, excluded.unavailable_since)` }
          : {}),
        updatedAt: sql`now()`,
      },
    });
  await setRunCounts(executor, input.runId, input.model, {
    ...ZERO_RUN_COUNTS,
    status: 'skipped',
    error: reason,
  });
}
