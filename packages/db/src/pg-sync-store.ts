import type { KomboRecord, ModelName } from '@kombo-sync/catalog';
import type {
  ReconcileDeletionsInput,
  ReconcileDeletionsResult,
  SyncHandlers,
  SyncStore,
  WritePageInput,
  WritePageResult,
} from '@kombo-sync/sync';
import { and, eq, sql } from 'drizzle-orm';
import type { Database, Executor } from './create-database.js';
import {
  addPendingEmbedded,
  clearPendingEmbedded,
  listPendingEmbedded,
} from './embedded-refresh-pending-store.js';
import { findEmbeddingParents } from './find-embedding-parents.js';
import { writeChangeOutbox } from './change-outbox-store.js';
import { writeWebhookMessages } from './webhook-messages-store.js';
import { listQuarantinedIds, releaseQuarantined } from './quarantine-store.js';
import { reconcileDeletions } from './reconcile-deletions.js';
import { toSafeStoreError } from './safe-error.js';
import { modelTables } from './schema/model-tables.js';
import { FenceLostError, withFencedTransaction, type Fence } from './sync-leases-store.js';
import { checkpointPass, discardPass, getOpenPasses, openPass } from './sync-passes-store.js';
import {
  commitModelSuccess,
  getSyncStates,
  recordModelFailure,
  recordModelSkipped,
} from './sync-state-store.js';
import { PoisonPageError, writePage } from './write-page.js';

export interface PgSyncStoreOptions {
  readonly database: Database;
  /** The run's fence, checked first in every transaction the store writes (src/sync-leases-store.ts). */
  readonly fence: Fence;
  /** User handlers, run inside each page's (and reconciliation's) transaction. Default none. */
  readonly handlers?: SyncHandlers<Executor>;
  /** Write a change_outbox row with each page that changed something (the change feed is on). Default false. */
  readonly shouldWriteChangeOutbox?: boolean;
  /** The clock that dates a model's unavailability (SYNC_MODEL_UNAVAILABLE_GRACE_MS), epoch ms. Default Date.now. */
  readonly now?: () => number;
}

/** What a page's or a reconciliation's transaction does besides the store's own statement. */
interface Extras {
  readonly handlers: SyncHandlers<Executor>;
  readonly shouldWriteChangeOutbox: boolean;
}

/**
 * The engine's store (packages/sync `SyncStore`) over Postgres. Every write is one fenced transaction; a page's
 * transaction holds the fence check, the upsert (poison records quarantined), the pending embedded refresh of the
 * changed children, the user's handler for the model, (with the change feed on) the change-outbox row, the
 * webhook deliveries of matching endpoints and the
 * pass's checkpoint, which commit together or not at all. Every error is made safe ({@link toSafeStoreError})
 * except a lost fence, which the engine stops the run on.
 */
export function createPgSyncStore({
  database,
  fence,
  handlers = {},
  shouldWriteChangeOutbox = false,
  now = Date.now,
}: PgSyncStoreOptions): SyncStore {
  const extras: Extras = { handlers, shouldWriteChangeOutbox };
  const inTransaction = <T>(fn: (tx: Executor) => Promise<T>): Promise<T> =>
    withFencedTransaction(database, fence, fn);
  return withSafeErrors({
    getModelStates: (integrationId) => getModelStates(database, integrationId),
    async writePage(input) {
      // The fast path is the page statement alone; a page holding poison aborts that transaction, which is then
      // run again with savepoints so the refused records go to quarantine and the rest commits.
      const attempt = (shouldThrowOnPoison: boolean) =>
        inTransaction((tx) => writePageWithExtras(tx, input, shouldThrowOnPoison, extras));
      try {
        return await attempt(true);
      } catch (error) {
        if (!(error instanceof PoisonPageError)) throw error;
        return attempt(false);
      }
    },
    reconcileDeletions: (input) => inTransaction((tx) => reconcileWithExtras(tx, input, extras)),
    commitModelSuccess: (input) => inTransaction((tx) => commitModelSuccess(tx, input)),
    recordModelFailure: (input) => inTransaction((tx) => recordModelFailure(tx, input)),
    recordModelSkipped: (input) =>
      inTransaction((tx) => recordModelSkipped(tx, { ...input, unavailableAt: new Date(now()) })),
    listQuarantinedIds: (input) => listQuarantinedIds(database, input),
    async releaseQuarantined(input) {
      await inTransaction((tx) => releaseQuarantined(tx, input));
    },
    openPass: (input) => inTransaction((tx) => openPass(tx, input)),
    discardPass: (input) => inTransaction((tx) => discardPass(tx, input)),
    checkpointPass: (input) => inTransaction((tx) => checkpointPass(tx, input)),
    findEmbeddingParents: (input) => findEmbeddingParents(database, input),
    listPendingEmbedded: (input) => listPendingEmbedded(database, input),
    async clearPendingEmbedded(input) {
      await inTransaction((tx) => clearPendingEmbedded(tx, input));
    },
  });
}

/** Each model's watermark and open pass: models with either are present. */
async function getModelStates(database: Database, integrationId: string) {
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
}

/** The body of a page's transaction (after the fence check). */
async function writePageWithExtras(
  tx: Executor,
  input: WritePageInput,
  shouldThrowOnPoison: boolean,
  { handlers, shouldWriteChangeOutbox }: Extras,
): Promise<WritePageResult> {
  const result = await writePage(tx, { ...input, shouldThrowOnPoison });
  const { integrationId, model, runId } = input;
  // With the page: a run stopped before its embedded refresh leaves the parents to refetch to the next.
  await addPendingEmbedded(tx, { integrationId, model, childIds: result.changedIds });
  if (result.changedIds.length > 0) {
    const deleted = new Set(result.deletedIds);
    const changedIds = result.changedIds.filter((id) => !deleted.has(id));
    const handler = handlers[model];
    if (handler) {
      const byId = latestById(input.records);
      const pick = (ids: readonly string[]) => ids.flatMap((id) => byId.get(id) ?? []);
      await handler({
        tx,
        integrationId,
        model,
        runId,
        changed: pick(changedIds),
        deleted: pick(result.deletedIds),
      });
    }
    const change = { integrationId, model, runId, changedIds, deletedIds: result.deletedIds };
    if (shouldWriteChangeOutbox) await writeChangeOutbox(tx, { ...change, komboTime: input.komboFetchedAt });
    // Late: the (integration, model)'s sequence row it locks orders concurrent pages' messages by commit.
    await writeWebhookMessages(tx, { ...change, komboTime: input.komboFetchedAt });
  }
  // Last, so concurrent pages of the model hold the pass's row lock only while they commit.
  const checkpoint = input.checkpoint?.();
  if (checkpoint) await checkpointPass(tx, { integrationId, model, ...checkpoint });
  return result;
}

/** The body of a reconciliation's transaction (after the fence check). */
async function reconcileWithExtras(
  tx: Executor,
  input: ReconcileDeletionsInput,
  { handlers, shouldWriteChangeOutbox }: Extras,
): Promise<ReconcileDeletionsResult> {
  const result = await reconcileDeletions(tx, input);
  if (result.deleted === 0) return result;
  const { integrationId, model, runId } = input;
  await addPendingEmbedded(tx, { integrationId, model, childIds: result.deletedIds });
  const handler = handlers[model];
  if (handler) {
    const deleted = await deletedRecords(tx, input, result.deletedIds);
    await handler({ tx, integrationId, model, runId, changed: [], deleted });
  }
  const change = { integrationId, model, runId, changedIds: [], deletedIds: result.deletedIds };
  if (shouldWriteChangeOutbox) await writeChangeOutbox(tx, { ...change, komboTime: input.passStartedAt });
  await writeWebhookMessages(tx, { ...change, komboTime: input.passStartedAt });
  return result;
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
  { integrationId, model, passStartedAt }: { integrationId: string; model: ModelName; passStartedAt: Date },
  ids: readonly string[],
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
  return rows.map((row) => ({ ...(row.raw as KomboRecord), remote_deleted_at: passStartedAt.toISOString() }));
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
