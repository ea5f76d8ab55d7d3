import type { ModelName } from '@kombo-sync/catalog';
import {
  addPendingEmbedded,
  checkpointPass,
  clearPendingEmbedded,
  listPendingEmbedded,
  commitModelSuccess,
  discardPass,
  getOpenPasses,
  openPass,
  findEmbeddingParents,
  getSyncStates,
  listQuarantinedIds,
  modelTables,
  PoisonPageError,
  reconcileDeletions,
  recordModelFailure,
  recordModelSkipped,
  FenceLostError,
  releaseQuarantined,
  toSafeStoreError,
  withFencedTransaction,
  writeChangeOutbox,
  writePage,
  type Database,
  type Executor,
  type Fence,
} from '@kombo-sync/db';
import { KomboError } from '@kombo-sync/kombo';
import type { KomboRecord, SyncHandlers, SyncStore } from '@kombo-sync/sync';
import { and, eq, sql } from 'drizzle-orm';

export interface PgSyncStoreOptions {
  database: Database;
  /** The run's fence, checked first in every transaction the store writes (packages/db sync-leases-store). */
  fence: Fence;
  /** User handlers, run inside each page's (and reconciliation's) transaction. */
  handlers?: SyncHandlers<Executor>;
  /** Write a change_outbox row with each page that changed something (the change feed is on). Default false. */
  shouldWriteChangeOutbox?: boolean;
  /** The clock that dates a model's unavailability (SYNC_MODEL_UNAVAILABLE_GRACE_MS), epoch ms. Default Date.now. */
  now?: () => number;
}

/** The page's records by id, the version `writePage` keeps for repeated ids (latest changed_at, then last). */
function latestById(records: readonly KomboRecord[]): Map<string, KomboRecord> {
  const byId = new Map<string, KomboRecord>();
  for (const record of records) {
    const kept = byId.get(record.id);
    if (!kept || Date.parse(record.changed_at) >= Date.parse(kept.changed_at)) byId.set(record.id, record);
  }
  return byId;
}

/** The stored versions of rows a reconciliation just marked deleted, as records the handler can read. */
async function deletedRecords(
  tx: Executor,
  model: ModelName,
  integrationId: string,
  ids: readonly string[],
  deletedAt: Date,
): Promise<KomboRecord[]> {
  const table = modelTables[model];
  const rows = await tx
    .select({ raw: table.raw })
    .from(table)
    .where(
      and(
        eq(table.integrationId, integrationId),
        sql`${table.id} IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
      ),
    );
  return rows.map((row) => ({ ...(row.raw as KomboRecord), remote_deleted_at: deletedAt.toISOString() }));
}

/**
 * Every method of `store` with its errors made safe ({@link toSafeStoreError}): what the engine turns into
 * sync_state/sync_runs errors, logs and the job's failedReason is Postgres's reason (SQLSTATE, message without
 * values) and never drizzle's `Failed query` text with the SQL and the page's records as parameters.
 */
function withSafeErrors(store: Required<SyncStore>): SyncStore {
  const safe = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(store) as [string, (input: unknown) => Promise<unknown>][]) {
    safe[name] = (input: unknown) =>
      method(input).catch((error: unknown) => {
        // A lost fence stays itself: the engine stops the run on it and the job waits for the new holder.
        throw error instanceof FenceLostError ? error : toSafeStoreError(error);
      });
  }
  return safe as unknown as SyncStore;
}

/**
 * The engine's store over packages/db. Each page is ONE transaction: the fence check, the upsert (poison records
 * quarantined), the pending embedded refresh of the changed children, the user's handler for the model and (with
 * the change feed on) the change-outbox row commit together (or not at all). Errors are made safe (see withSafeErrors).
 */
export function createPgSyncStore({
  database,
  fence,
  handlers = {},
  shouldWriteChangeOutbox = false,
  now = Date.now,
}: PgSyncStoreOptions): SyncStore {
  const withTransaction = <T>(fn: (tx: Executor) => Promise<T>): Promise<T> =>
    withFencedTransaction(database, fence, fn);
  return withSafeErrors({
    async getModelStates(integrationId) {
      const [states, passes] = await Promise.all([
        getSyncStates(database, integrationId),
        getOpenPasses(database, integrationId),
      ]);
      const models = new Set([...states.keys(), ...passes.keys()]);
      return new Map(
        [...models].map((model) => [
          model,
          { watermark: states.get(model)?.watermark ?? null, openPass: passes.get(model) ?? null },
        ]),
      );
    },

    async writePage(input) {
      // The fast path is the page statement alone; a page holding poison aborts that transaction, which is then
      // run again with savepoints so the refused records go to quarantine and the rest commits.
      const attempt = (shouldThrowOnPoison: boolean) =>
        withTransaction(async (tx) => {
          const result = await writePage(tx, { ...input, shouldThrowOnPoison });
          // With the page: a run stopped before its embedded refresh leaves the parents to refetch to the next.
          await addPendingEmbedded(tx, {
            integrationId: input.integrationId,
            model: input.model,
            childIds: result.changedIds,
          });
          // Last, so concurrent pages of the model hold the pass's row lock only while they commit.
          const checkpoint = async (): Promise<void> => {
            const at = input.checkpoint?.();
            if (at)
              await checkpointPass(tx, { integrationId: input.integrationId, model: input.model, ...at });
          };
          if (result.changedIds.length === 0) {
            await checkpoint();
            return result;
          }
          const handler = handlers[input.model];
          if (handler) {
            const byId = latestById(input.records);
            const deleted = new Set(result.deletedIds);
            const pick = (ids: readonly string[]) => ids.flatMap((id) => byId.get(id) ?? []);
            await handler({
              tx,
              integrationId: input.integrationId,
              model: input.model,
              runId: input.runId,
              changed: pick(result.changedIds.filter((id) => !deleted.has(id))),
              deleted: pick(result.deletedIds),
            });
          }
          if (shouldWriteChangeOutbox) {
            await writeChangeOutbox(tx, {
              integrationId: input.integrationId,
              model: input.model,
              runId: input.runId,
              changedIds: result.changedIds.filter((id) => !result.deletedIds.includes(id)),
              deletedIds: result.deletedIds,
              komboTime: input.komboFetchedAt,
            });
          }
          await checkpoint();
          return result;
        });
      try {
        return await attempt(true);
      } catch (error) {
        if (!(error instanceof PoisonPageError)) throw error;
        return attempt(false);
      }
    },

    reconcileDeletions(input) {
      return withTransaction(async (tx) => {
        const result = await reconcileDeletions(tx, input);
        if (result.deleted === 0) return result;
        await addPendingEmbedded(tx, {
          integrationId: input.integrationId,
          model: input.model,
          childIds: result.deletedIds,
        });
        const handler = handlers[input.model];
        if (handler) {
          const deleted = await deletedRecords(
            tx,
            input.model,
            input.integrationId,
            result.deletedIds,
            input.passStartedAt,
          );
          await handler({
            tx,
            integrationId: input.integrationId,
            model: input.model,
            runId: input.runId,
            changed: [],
            deleted,
          });
        }
        if (!shouldWriteChangeOutbox) return result;
        await writeChangeOutbox(tx, {
          integrationId: input.integrationId,
          model: input.model,
          runId: input.runId,
          changedIds: [],
          deletedIds: result.deletedIds,
          komboTime: input.passStartedAt,
        });
        return result;
      });
    },

    commitModelSuccess({ counts, isFullPass, ...input }) {
      return withTransaction((tx) =>
        commitModelSuccess(tx, {
          ...input,
          kind: isFullPass ? 'full' : 'delta',
          counts,
        }),
      );
    },

    recordModelFailure({ error, counts, ...input }) {
      const cause = error.cause;
      return withTransaction((tx) =>
        recordModelFailure(tx, {
          ...input,
          code: error.code,
          message: error.message,
          logUrl: cause instanceof KomboError ? (cause.logUrl ?? null) : null,
          counts,
        }),
      );
    },

    recordModelSkipped({ code, reason, ...input }) {
      return withTransaction((tx) =>
        recordModelSkipped(tx, {
          ...input,
          reason: reason.includes(code) ? reason : `${code}: ${reason}`,
          unavailableAt: new Date(now()),
        }),
      );
    },

    listQuarantinedIds: (input) => listQuarantinedIds(database, input),

    async openPass(input) {
      await withTransaction((tx) => openPass(tx, input));
    },

    async discardPass(input) {
      await withTransaction((tx) => discardPass(tx, input));
    },

    async checkpointPass(input) {
      await withTransaction((tx) => checkpointPass(tx, input));
    },

    findEmbeddingParents: (input) => findEmbeddingParents(database, input),

    listPendingEmbedded: (input) => listPendingEmbedded(database, input),

    async clearPendingEmbedded(input) {
      await withTransaction((tx) => clearPendingEmbedded(tx, input));
    },

    async releaseQuarantined(input) {
      await withTransaction((tx) => releaseQuarantined(tx, input));
    },
  });
}
