import { getModel, type ModelName } from '@kombo-sync/catalog';
import { SyncSourceContractError, toSyncErrorInfo } from './errors.js';
import { prefetch } from './prefetch.js';
import { PassProgress, PassRestartError, planPass, resumedListing } from './resumable-pass.js';
import { withLimiters } from './semaphore.js';
import type {
  ChangesCommittedEvent,
  ClassifyError,
  Limiter,
  ModelCounts,
  ModelState,
  ModelSummary,
  SourcePage,
  SyncErrorInfo,
  SyncLogger,
  SyncMode,
  SyncSource,
  SyncStore,
} from './types.js';

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

export interface SyncModelInput {
  readonly integrationId: string;
  readonly runId: number;
  readonly model: ModelName;
  readonly state: ModelState | undefined;
  readonly mode: SyncMode;
  readonly overlapMs: number;
  /** Pages of this model written concurrently (each its own store transaction). Default 1. */
  readonly writeConcurrency?: number;
  /** The run's signal: stops fetching; the page being written is finished; nothing is committed. */
  readonly signal: AbortSignal;
  /** An open pass whose cursor was checkpointed longer ago than this starts over, ms (SYNC_PASS_CURSOR_MAX_AGE_MS). */
  readonly passCursorMaxAgeMs: number;
}

type MutableCounts = { -readonly [K in keyof ModelCounts]: ModelCounts[K] };

/** Most quarantined ids re-fetched by one `pages()` call (Kombo's `ids` filter is a query parameter). */
export const MAX_IDS_PER_REQUEST = 100;

/**
 * Whether the model's pass reads everything and reconciles deletions: a full run, a model never synced, or an
 * endpoint without cursor or updated_after (paging 'none'), which every pass reads whole and which leaves a record
 * Kombo deleted out of its list.
 */
function isFullPassOf(model: ModelName, mode: SyncMode, state: ModelState | undefined): boolean {
  return mode === 'full' || !state?.watermark || getModel(model).paging === 'none';
}

/** A summary for a model that never started (run cancelled or aborted before its turn). */
export function notStartedSummary(
  model: ModelName,
  mode: SyncMode,
  state: ModelState | undefined,
): ModelSummary {
  return {
    model,
    status: 'cancelled',
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

/**
 * Syncs one model of one integration: one pass (delta from `watermark − overlapMs`, or full), writing each page in
 * its own store transaction while the next page is fetched; then, on a complete full pass, reconciles deletions;
 * then commits the watermark (the first page's `komboTime`) with the counts. Never throws: errors are classified
 * and reported in the summary (and to the store as failure/skip); a cancelled pass records nothing.
 */
export async function syncModel(deps: SyncModelDeps, input: SyncModelInput): Promise<ModelSummary> {
  const { integrationId, runId, model, state, mode, signal } = input;
  const writeConcurrency = input.writeConcurrency ?? 1;
  if (signal.aborted) return notStartedSummary(model, mode, state);

  const isFullPass = isFullPassOf(model, mode, state);
  const updatedAfter =
    isFullPass || !state?.watermark ? null : new Date(state.watermark.getTime() - input.overlapMs);
  const log = deps.logger.child({ model });
  const startedAt = deps.now();
  const counts: MutableCounts = {
    pages: 0,
    records: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    quarantined: 0,
  };
  let passStartedAt: Date | null = null;

  // Per-pass controller: also cancels an abandoned prefetch when the pass ends early (write error), so it frees
  // its concurrency permit at once instead of holding it until the request finishes.
  const pass = new AbortController();
  const onRunAbort = (): void => pass.abort(signal.reason);
  signal.addEventListener('abort', onRunAbort, { once: true });

  const summary = (
    status: ModelSummary['status'],
    watermark: Date | null,
    error?: SyncErrorInfo,
  ): ModelSummary => ({
    model,
    status,
    isFullPass,
    updatedAfter,
    watermark,
    ...counts,
    upserted: counts.inserted + counts.updated,
    durationMs: deps.now() - startedAt,
    ...(error ? { error } : {}),
  });

  try {
    log.debug({ isFullPass, updatedAfter }, 'model pass started');
    const passPlan = await planPass(deps.store, log, {
      integrationId,
      model,
      runId,
      isFullPass,
      state,
      cursorMaxAgeMs: input.passCursorMaxAgeMs,
    });
    const resume = passPlan.resume;
    if (isFullPass) passStartedAt = resume?.startedAt ?? null;
    const progress =
      isFullPass && passPlan.passId !== undefined && (resume || passPlan.isNew)
        ? new PassProgress(passPlan.passId, resume?.pages ?? 0)
        : undefined;
    // The listing's pages by their 1-based number in the pass (quarantine re-fetches have none).
    const listingPage = new Map<SourcePage, number>();
    const quarantinedIds = (await deps.store.listQuarantinedIds?.({ integrationId, model })) ?? [];
    if (quarantinedIds.length > 0)
      log.info({ quarantined: quarantinedIds.length }, 'retrying quarantined records');
    const source = deps.source;
    const store = deps.store;
    // The quarantined records first, re-fetched by id (whatever their changed_at), then the pass itself.
    async function* passPages(): AsyncGenerator<SourcePage> {
      for (let start = 0; start < quarantinedIds.length; start += MAX_IDS_PER_REQUEST) {
        const ids = quarantinedIds.slice(start, start + MAX_IDS_PER_REQUEST);
        const returned = new Set<string>();
        for await (const page of source.pages(model, { integrationId, signal: pass.signal, ids })) {
          for (const record of page.results) returned.add(record.id);
          for (const record of page.rejected ?? []) returned.add(record.id);
          yield page;
        }
        // Not returned even with include_deleted: the record is gone, so it no longer waits in quarantine.
        const gone = ids.filter((id) => !returned.has(id));
        if (gone.length > 0) await store.releaseQuarantined?.({ integrationId, model, ids: gone });
      }
      // A resumed pass whose every page is committed goes straight to its reconciliation (after the catch-up).
      if (!(resume && resume.cursor === null && resume.pages > 0)) {
        const listing = source.pages(model, {
          integrationId,
          signal: pass.signal,
          ...(updatedAfter ? { updatedAfter } : {}),
          ...(resume?.cursor ? { cursor: resume.cursor } : {}),
        });
        let number = resume?.pages ?? 0;
        const resumed = resume?.cursor ? resumedListing(model, listing, deps.classifyError) : listing;
        for await (const page of resumed) {
          listingPage.set(page, (number += 1));
          yield page;
        }
      }
      // A resumed pass read its first pages in an earlier run: a record on them may have changed since (and its
      // webhook's intent be the one this run took). Read what changed since the pass started, so the pass ends as
      // fresh as a pass started now.
      if (resume) {
        const since = new Date(resume.startedAt.getTime() - input.overlapMs);
        for await (const page of source.pages(model, {
          integrationId,
          signal: pass.signal,
          updatedAfter: since,
        })) {
          yield page;
        }
      }
    }
    const pages = passPages();
    const guard = <R>(fn: () => Promise<R>): Promise<R> => withLimiters(deps.fetchLimiters, fn, pass.signal);
    // Up to `writeConcurrency` pages are written at once (each its own transaction): writes are the slow part
    // and the store's stale-overwrite guard, ordering same-second fetches by pageIndex, makes their commit order
    // irrelevant. The watermark still advances
    // only after every write of the pass has committed.
    const writing = new Set<Promise<void>>();
    let writeError: { error: unknown } | undefined;
    let pagesStarted = 0;
    const writeOne = async (page: SourcePage, pageNumber: number): Promise<void> => {
      const listingNumber = listingPage.get(page);
      listingPage.delete(page);
      const result = await deps.store.writePage({
        integrationId,
        model,
        records: page.results,
        ...(page.rawResults ? { rawRecords: page.rawResults } : {}),
        ...(page.rejected && page.rejected.length > 0 ? { rejected: page.rejected } : {}),
        komboFetchedAt: page.komboTime,
        runId,
        pageIndex: pageNumber - 1,
        isFullPass,
        isInitialPass: !state?.watermark,
        ...(passPlan.passId === undefined ? {} : { passId: passPlan.passId }),
        ...(progress && listingNumber !== undefined
          ? { checkpoint: progress.checkpointFor(listingNumber, page.next) }
          : {}),
      });
      if (progress && listingNumber !== undefined) progress.markCommitted(listingNumber);
      const quarantined = result.quarantined ?? 0;
      counts.pages += 1;
      counts.records += page.results.length + (page.rejected?.length ?? 0);
      counts.inserted += result.inserted;
      counts.updated += result.updated;
      counts.unchanged += result.unchanged;
      counts.deleted += result.deleted;
      counts.quarantined += quarantined;
      log.debug({ page: pageNumber, upserted: result.inserted + result.updated }, 'page stored');
      if (quarantined > 0)
        log.warn({ page: pageNumber, quarantined }, 'records quarantined; the model goes on');
      await emit({
        source: 'page',
        page: pageNumber,
        komboTime: page.komboTime,
        changedIds: result.changedIds,
        deletedIds: result.deletedIds,
      });
    };
    try {
      for await (const page of prefetch(pages, { guard, signal: pass.signal })) {
        if (passStartedAt === null) {
          passStartedAt = page.komboTime;
          // Recorded before any page is written, so every seen id belongs to a pass the store knows.
          if (passPlan.isNew && passPlan.passId !== undefined) {
            await deps.store.openPass?.({
              integrationId,
              model,
              passId: passPlan.passId,
              startedAt: passStartedAt,
            });
          }
        }
        pagesStarted += 1;
        const write: Promise<void> = writeOne(page, pagesStarted).then(
          () => void writing.delete(write),
          (error: unknown) => {
            writing.delete(write);
            writeError ??= { error };
          },
        );
        writing.add(write);
        if (writing.size >= writeConcurrency) await Promise.race(writing);
        if (writeError) break;
      }
    } finally {
      // Never return (or record a failure) while a page transaction is still open.
      await Promise.all(writing);
    }
    if (writeError) throw writeError.error;
    if (passStartedAt === null) throw new SyncSourceContractError(`source yielded no page for ${model}`);

    if (isFullPass) {
      const reconciled = await deps.store.reconcileDeletions({
        integrationId,
        model,
        runId,
        passStartedAt,
        ...(progress && passPlan.passId !== undefined ? { passId: passPlan.passId } : {}),
      });
      counts.deleted += reconciled.deleted;
      await emit({
        source: 'reconcile',
        page: counts.pages,
        komboTime: passStartedAt,
        changedIds: [],
        deletedIds: reconciled.deletedIds,
      });
    }
    await deps.store.commitModelSuccess({
      integrationId,
      model,
      runId,
      watermark: passStartedAt,
      isFullPass,
      counts: { ...counts },
    });
    const done = summary('succeeded', passStartedAt);
    log.info(
      {
        pages: done.pages,
        upserted: done.upserted,
        deleted: done.deleted,
        quarantined: done.quarantined,
        isFullPass,
      },
      'model synced',
    );
    return done;
  } catch (error) {
    if (error instanceof PassRestartError && !signal.aborted) {
      log.warn({ err: error.cause }, 'checkpointed cursor refused: the pass starts over from page 1');
      let isDiscarded = true;
      await bestEffort(log, 'discardPass', async () => {
        isDiscarded = false;
        await deps.store.discardPass?.({ integrationId, model });
        isDiscarded = true;
      });
      if (isDiscarded)
        return syncModel(deps, { ...input, state: state ? { ...state, openPass: null } : state });
    }
    if (signal.aborted) {
      log.info({ pages: counts.pages }, 'model pass cancelled; watermark kept');
      return summary('cancelled', null);
    }
    const info = toSyncErrorInfo(error, deps.classifyError);
    if (info.kind === 'skip-model') {
      await bestEffort(log, 'recordModelSkipped', () =>
        deps.store.recordModelSkipped({ integrationId, model, runId, code: info.code, reason: info.message }),
      );
      log.info({ code: info.code }, 'model skipped');
      return summary('skipped', null, info);
    }
    await bestEffort(log, 'recordModelFailure', () =>
      deps.store.recordModelFailure({ integrationId, model, runId, error: info, counts: { ...counts } }),
    );
    log.warn(
      { err: error, code: info.code, kind: info.kind, pages: counts.pages },
      'model failed; watermark kept',
    );
    return summary('failed', null, info);
  } finally {
    signal.removeEventListener('abort', onRunAbort);
    pass.abort();
  }

  async function emit(
    event: Pick<ChangesCommittedEvent, 'source' | 'page' | 'komboTime' | 'changedIds' | 'deletedIds'>,
  ): Promise<void> {
    if (!deps.onChangesCommitted || (event.changedIds.length === 0 && event.deletedIds.length === 0)) return;
    await deps.onChangesCommitted({
      integrationId,
      model,
      runId,
      isFullPass,
      source: event.source,
      page: event.page,
      komboTime: event.komboTime,
      changedIds: event.changedIds,
      deletedIds: event.deletedIds,
    });
  }
}

/** Records an outcome without letting a store failure (e.g. the database is down) mask the original error. */
async function bestEffort(log: SyncLogger, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.error({ err }, `${what} failed`);
  }
}
