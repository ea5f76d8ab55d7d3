import { PassYieldedError, SyncSourceContractError } from './errors.js';
import { addPageCounts, bestEffort, emitChanges, type ModelPass, type SyncModelDeps } from './model-pass.js';
import type { PassPage } from './pass-pages.js';
import { prefetch } from './prefetch.js';
import { withLimiters } from './semaphore.js';
import type { PassStart } from './start-pass.js';
import type { SyncStore } from './types.js';

type WriteDeps = Pick<SyncModelDeps, 'store' | 'fetchLimiters' | 'onChangesCommitted'>;

/**
 * The page loop of a model's pass: fetches the pages one ahead of the writes (each fetch holding the run's fetch
 * limiters) and writes up to `writeConcurrency` at once, each in its own store transaction. Writes are the slow
 * part, and the store's stale-overwrite guard (ordering same-second fetches by page index) makes their commit order
 * irrelevant; each page of the listing checkpoints a resumable pass once every earlier page committed. A new
 * resumable pass is recorded once its first page tells its Kombo time, before any page is written.
 *
 * Returns when every page is committed, with the pass's start (Kombo time of its first response, or of a resumed
 * pass's opening): the watermark it commits. Throws the first write error (after the other writes settled) or the
 * source's error; never returns while a page transaction is open. A pass that yields ({@link PassYieldedError})
 * first writes every page fetched, then its checkpoint if no page carried it, so the next run fetches none again.
 */
export async function writePassPages(
  deps: WriteDeps,
  pass: ModelPass,
  start: PassStart,
  pages: AsyncIterable<PassPage>,
  { signal, writeConcurrency }: { readonly signal: AbortSignal; readonly writeConcurrency: number },
): Promise<Date> {
  const { plan } = start;
  let passStartedAt: Date | null = pass.isFullPass ? (plan.resume?.startedAt ?? null) : null;
  const guard = <R>(fn: () => Promise<R>): Promise<R> => withLimiters(deps.fetchLimiters, fn, signal);
  const writing = new Set<Promise<void>>();
  let writeError: { error: unknown } | undefined;
  let pagesStarted = 0;
  let stopped: { error: unknown } | undefined;
  try {
    for await (const item of prefetch(pages, { guard, signal })) {
      if (passStartedAt === null) {
        passStartedAt = item.page.komboTime;
        // Recorded before any page is written, so every seen id belongs to a pass the store knows.
        if (plan.isNew && plan.passId !== undefined) {
          await deps.store.openPass?.({
            integrationId: pass.integrationId,
            model: pass.model,
            passId: plan.passId,
            startedAt: passStartedAt,
          });
        }
      }
      pagesStarted += 1;
      const write: Promise<void> = writePassPage(deps, pass, start, item, pagesStarted).then(
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
  } catch (error) {
    stopped = { error };
  }
  // Never return (or record a failure) while a page transaction is still open.
  await Promise.all(writing);
  if (writeError) throw writeError.error;
  if (stopped) {
    if (stopped.error instanceof PassYieldedError) await saveCheckpoint(deps.store, pass, start);
    throw stopped.error;
  }
  if (passStartedAt === null) throw new SyncSourceContractError(`source yielded no page for ${pass.model}`);
  return passStartedAt;
}

/** Moves a stopping pass's checkpoint to its last contiguous committed page, if no page's transaction did. */
async function saveCheckpoint(store: SyncStore, pass: ModelPass, { progress }: PassStart): Promise<void> {
  const due = progress?.unwritten();
  const checkpointPass = store.checkpointPass?.bind(store);
  if (!due || !checkpointPass) return;
  const { integrationId, model } = pass;
  await bestEffort(pass.log, 'checkpointPass', () => checkpointPass({ integrationId, model, ...due }));
}

/** Writes one page in its own store transaction (with the pass's checkpoint, if it is due), then counts it. */
export async function writePassPage(
  deps: WriteDeps,
  pass: ModelPass,
  { plan, progress }: PassStart,
  { page, listingNumber }: PassPage,
  pageNumber: number,
): Promise<void> {
  const isCheckpointed = progress !== undefined && listingNumber !== undefined;
  const result = await deps.store.writePage({
    integrationId: pass.integrationId,
    model: pass.model,
    records: page.results,
    ...(page.rawResults ? { rawRecords: page.rawResults } : {}),
    ...(page.rejected && page.rejected.length > 0 ? { rejected: page.rejected } : {}),
    komboFetchedAt: page.komboTime,
    runId: pass.runId,
    pageIndex: pageNumber - 1,
    isFullPass: pass.isFullPass,
    isInitialPass: !pass.state?.watermark,
    ...(plan.passId === undefined ? {} : { passId: plan.passId }),
    ...(isCheckpointed ? { checkpoint: progress.checkpointFor(listingNumber, page.next) } : {}),
  });
  if (isCheckpointed) progress.markCommitted(listingNumber, page.next);
  addPageCounts(pass.counts, page, result);
  const upserted = result.inserted + result.updated;
  pass.log.debug({ page: pageNumber, upserted }, 'page stored');
  if (result.quarantined > 0)
    pass.log.warn(
      { page: pageNumber, quarantined: result.quarantined },
      'records quarantined; the model goes on',
    );
  await emitChanges(deps, pass, {
    source: 'page',
    page: pageNumber,
    komboTime: page.komboTime,
    changedIds: result.changedIds,
    deletedIds: result.deletedIds,
  });
}
