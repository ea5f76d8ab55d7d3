import { commitPass } from './commit-pass.js';
import { createModelPass, notStartedSummary, type ModelPassInput, type SyncModelDeps } from './model-pass.js';
import { passPages } from './pass-pages.js';
import { reconcilePass } from './reconcile-pass.js';
import { RESTART_PASS, settlePassError } from './settle-pass-error.js';
import { startPass } from './start-pass.js';
import type { ModelSummary } from './types.js';
import { writePassPages } from './write-pass-pages.js';

export interface SyncModelInput extends ModelPassInput {
  /** Pages of this model written concurrently (each its own store transaction). Default 1. */
  readonly writeConcurrency?: number;
  /** The run's signal: stops fetching; the page being written is finished; nothing is committed. */
  readonly signal: AbortSignal;
  /**
   * The run's yield: once aborted the model does not start, and a model that started makes no further request
   * (the source is wrapped by the run, see `yieldingSource`), writes what it fetched and reports `yielded`.
   */
  readonly yieldSignal?: AbortSignal;
  /** An open pass whose cursor was checkpointed longer ago than this starts over, ms (SYNC_PASS_CURSOR_MAX_AGE_MS). */
  readonly passCursorMaxAgeMs: number;
}

/**
 * Syncs one model of one integration: one pass (delta from `watermark − overlapMs`, or full), in steps: open or
 * resume it ({@link startPass}), write its pages while the next is fetched ({@link writePassPages} over
 * {@link passPages}), reconcile deletions after a complete full pass ({@link reconcilePass}), then commit the
 * watermark (the first page's `komboTime`) with the counts ({@link commitPass}). Never throws: errors are
 * classified and reported in the summary (and to the store as failure/skip, {@link settlePassError}); a cancelled
 * pass records nothing.
 */
export async function syncModel(deps: SyncModelDeps, input: SyncModelInput): Promise<ModelSummary> {
  const { model, state, mode, signal } = input;
  if (signal.aborted) return notStartedSummary(model, mode, state);
  if (input.yieldSignal?.aborted) return notStartedSummary(model, mode, state, 'yielded');
  const pass = createModelPass(deps, input);
  // Per-pass controller: also cancels an abandoned prefetch when the pass ends early (write error), so it frees
  // its concurrency permit at once instead of holding it until the request finishes.
  const controller = new AbortController();
  const onRunAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onRunAbort, { once: true });
  try {
    const start = await startPass(deps.store, pass, { cursorMaxAgeMs: input.passCursorMaxAgeMs });
    const pages = passPages(deps, pass, start, { signal: controller.signal, overlapMs: input.overlapMs });
    const passStartedAt = await writePassPages(deps, pass, start, pages, {
      signal: controller.signal,
      writeConcurrency: input.writeConcurrency ?? 1,
    });
    if (pass.isFullPass) await reconcilePass(deps, pass, start, passStartedAt);
    return await commitPass(deps, pass, passStartedAt);
  } catch (error) {
    const settled = await settlePassError(deps, pass, error, signal);
    if (settled !== RESTART_PASS) return settled;
    return syncModel(deps, { ...input, state: state ? { ...state, openPass: null } : state });
  } finally {
    signal.removeEventListener('abort', onRunAbort);
    controller.abort();
  }
}
