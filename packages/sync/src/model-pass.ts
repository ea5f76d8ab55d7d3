import { getModel, type ModelName } from '@kombo-sync/catalog';
import type {
  ChangesCommittedEvent,
  ClassifyError,
  Limiter,
  ModelCounts,
  ModelState,
  ModelStatus,
  ModelSummary,
  SourcePage,
  SyncErrorInfo,
  SyncLogger,
  SyncMode,
  SyncSource,
  SyncStore,
  WritePageResult,
} from './types.js';

/** What a model's pass needs from the run: the source and store, and how the run reports and limits. */
export interface SyncModelDeps {
  readonly source: SyncSource;
  readonly store: SyncStore;
  /** Already bound to the integration and run. */
  readonly logger: SyncLogger;
  readonly classifyError: ClassifyError;
  /** Held (all of them) around every page fetch. */
  readonly fetchLimiters: readonly Limiter[];
  readonly onChangesCommitted?: (event: ChangesCommittedEvent) => void | Promise<void>;
  /** Worker clock in ms, for durations only (never for watermarks). */
  readonly now: () => number;
}

/** Which model's pass of which run, and how it starts: what a pass is made from. */
export interface ModelPassInput {
  readonly integrationId: string;
  readonly runId: number;
  readonly model: ModelName;
  readonly state: ModelState | undefined;
  readonly mode: SyncMode;
  readonly overlapMs: number;
}

export type MutableCounts = { -readonly [K in keyof ModelCounts]: ModelCounts[K] };

/** One model's pass as its steps share it: what kind of pass it is, its counts so far, and its log. */
export interface ModelPass {
  readonly integrationId: string;
  readonly runId: number;
  readonly model: ModelName;
  readonly state: ModelState | undefined;
  readonly isFullPass: boolean;
  /** The `updated_after` sent (watermark minus overlap); null on a full pass. */
  readonly updatedAfter: Date | null;
  /** What the pass wrote so far (its pages, then its reconciliation). */
  readonly counts: MutableCounts;
  /** Bound to the model. */
  readonly log: SyncLogger;
  /** Worker clock when the pass started, ms (durations only). */
  readonly startedAtMs: number;
}

/**
 * Whether the model's pass reads everything and reconciles deletions: a full run, a model never synced, or an
 * endpoint without cursor or updated_after (paging 'none'), which every pass reads whole and which leaves a record
 * Kombo deleted out of its list.
 */
export function isFullPassOf(model: ModelName, mode: SyncMode, state: ModelState | undefined): boolean {
  return mode === 'full' || !state?.watermark || getModel(model).paging === 'none';
}

/** The pass of `model`: full or a delta from `watermark − overlapMs`, with zero counts. */
export function createModelPass(
  deps: Pick<SyncModelDeps, 'logger' | 'now'>,
  input: ModelPassInput,
): ModelPass {
  const { model, state } = input;
  const isFullPass = isFullPassOf(model, input.mode, state);
  return {
    integrationId: input.integrationId,
    runId: input.runId,
    model,
    state,
    isFullPass,
    updatedAfter:
      isFullPass || !state?.watermark ? null : new Date(state.watermark.getTime() - input.overlapMs),
    counts: { pages: 0, records: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, quarantined: 0 },
    log: deps.logger.child({ model }),
    startedAtMs: deps.now(),
  };
}

/** The pass's summary with its counts so far. */
export function passSummary(
  pass: ModelPass,
  nowMs: number,
  status: ModelStatus,
  watermark: Date | null,
  error?: SyncErrorInfo,
): ModelSummary {
  const { counts } = pass;
  return {
    model: pass.model,
    status,
    isFullPass: pass.isFullPass,
    updatedAfter: pass.updatedAfter,
    watermark,
    ...counts,
    upserted: counts.inserted + counts.updated,
    durationMs: nowMs - pass.startedAtMs,
    ...(error ? { error } : {}),
  };
}

/** A summary for a model that never started (run stopped before its turn): nothing fetched, nothing recorded. */
export function notStartedSummary(
  model: ModelName,
  mode: SyncMode,
  state: ModelState | undefined,
  status: Extract<ModelStatus, 'cancelled' | 'yielded'> = 'cancelled',
): ModelSummary {
  return {
    model,
    status,
    isFullPass: isFullPassOf(model, mode, state),
    updatedAfter: null,
    watermark: null,
    pages: 0,
    records: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    quarantined: 0,
    upserted: 0,
    durationMs: 0,
  };
}

/** Adds a committed page's outcome to the counts. */
export function addPageCounts(counts: MutableCounts, page: SourcePage, result: WritePageResult): void {
  counts.pages += 1;
  counts.records += page.results.length + (page.rejected?.length ?? 0);
  counts.inserted += result.inserted;
  counts.updated += result.updated;
  counts.unchanged += result.unchanged;
  counts.deleted += result.deleted;
  counts.quarantined += result.quarantined ?? 0;
}

/** Tells `onChangesCommitted` what a committed page or reconciliation changed (nothing when it changed nothing). */
export async function emitChanges(
  deps: Pick<SyncModelDeps, 'onChangesCommitted'>,
  pass: ModelPass,
  event: Pick<ChangesCommittedEvent, 'source' | 'page' | 'komboTime' | 'changedIds' | 'deletedIds'>,
): Promise<void> {
  if (!deps.onChangesCommitted || (event.changedIds.length === 0 && event.deletedIds.length === 0)) return;
  await deps.onChangesCommitted({
    integrationId: pass.integrationId,
    model: pass.model,
    runId: pass.runId,
    isFullPass: pass.isFullPass,
    source: event.source,
    page: event.page,
    komboTime: event.komboTime,
    changedIds: event.changedIds,
    deletedIds: event.deletedIds,
  });
}

/** Records an outcome without letting a store failure (e.g. the database is down) mask the original error. */
export async function bestEffort(log: SyncLogger, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.error({ err }, `${what} failed`);
  }
}
