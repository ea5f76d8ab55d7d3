import { trace, type Tracer } from '@opentelemetry/api';
import { UNTRACKED_EMBEDS, type ModelName } from '@kombo-sync/catalog';
import { failModelOnError } from './errors.js';
import { refreshEmbeddedCopies } from './refresh-embedded-copies.js';
import { Semaphore } from './semaphore.js';
import { syncModel } from './sync-model.js';
import { traceModel } from './trace-model.js';
import type {
  ChangesCommittedEvent,
  ClassifyError,
  Limiter,
  ModelSummary,
  RunStatus,
  RunSummary,
  SyncErrorInfo,
  SyncLogger,
  SyncMode,
  SyncSource,
  SyncStore,
} from './types.js';

/** Models whose copies some other model embeds without Kombo re-dating it (catalog `UNTRACKED_EMBEDS`). */
const EMBEDDED_CHILDREN: ReadonlySet<ModelName> = new Set(UNTRACKED_EMBEDS.map((embed) => embed.child));

/** Default number of pages of one model written concurrently (each its own store transaction). */
export const DEFAULT_WRITE_CONCURRENCY = 2;

export interface RunIntegrationSyncDeps {
  readonly source: SyncSource;
  readonly store: SyncStore;
  readonly logger: SyncLogger;
  /** Maps source/store errors to skip-model / fail-model / abort-run. Default: every error is `fail-model`. */
  readonly classifyError?: ClassifyError;
  /**
   * An extra limiter held around every page fetch besides the per-integration one, e.g. a process-wide cap on
   * in-flight Kombo requests shared by all integrations. Default: none.
   */
  readonly limiter?: Limiter;
  /**
   * Called (and awaited) after each page transaction or reconciliation that changed or deleted rows committed; a
   * throw is classified like any error of the model. Default: none.
   */
  readonly onChangesCommitted?: (event: ChangesCommittedEvent) => void | Promise<void>;
  /** Worker clock in ms, used for durations only. Default: `Date.now`. */
  readonly now?: () => number;
  /** Spans one `sync model` per model. Default the OpenTelemetry API's global tracer (a no-op without an SDK). */
  readonly tracer?: Tracer;
}

export interface RunIntegrationSyncInput {
  readonly integrationId: string;
  /** The sync_runs row id; passed to every store call. */
  readonly runId: number;
  /** Models to sync (duplicates ignored), started in this order. */
  readonly models: readonly ModelName[];
  /** Default `delta`: models with a watermark fetch `updated_after`, others get a full pass. */
  readonly mode?: SyncMode;
  /** Subtracted from the watermark for `updated_after`, in ms (SYNC_OVERLAP_MS). */
  readonly overlapMs: number;
  /** Max models in progress and max in-flight page fetches for this integration (SYNC_CONCURRENCY_PER_INTEGRATION). */
  readonly concurrency: number;
  /**
   * Pages of one model written concurrently, each in its own store transaction (so up to
   * `concurrency × writeConcurrency` store connections per integration). Default 2: page writes are the slow part
   * of a sync; the store's stale-overwrite guard makes their commit order irrelevant, and a model's watermark
   * still advances only after all its pages committed.
   */
  readonly writeConcurrency?: number;
  /** Shutdown: stop fetching, finish the page being written, commit nothing unfinished, return promptly. */
  readonly signal?: AbortSignal;
  /**
   * An open full pass (left by a failed, killed or yielded run) whose cursor was checkpointed longer ago than this
   * starts over instead of resuming, ms (SYNC_PASS_CURSOR_MAX_AGE_MS): Kombo does not document how long cursors live.
   */
  readonly passCursorMaxAgeMs: number;
}

/**
 * Syncs the given models of one integration: up to `concurrency` models in parallel, never more than
 * `concurrency` page fetches in flight. Each model's watermark advances only when all its pages are written; a
 * failed model keeps its watermark while the others advance; an `abort-run` error stops every model (their
 * watermarks stay) and the run reports `aborted` with the error in `abortError`.
 *
 * Never throws for model or run errors (they are in the summary), only if `store.getModelStates` fails or the
 * input is invalid.
 */
export async function runIntegrationSync(
  deps: RunIntegrationSyncDeps,
  input: RunIntegrationSyncInput,
): Promise<RunSummary> {
  const { integrationId, runId, signal } = input;
  const mode = input.mode ?? 'delta';
  const { overlapMs, concurrency } = input;
  const writeConcurrency = input.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY;
  if (!Number.isFinite(overlapMs) || overlapMs < 0)
    throw new RangeError(`overlapMs must be >= 0, got ${overlapMs}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  if (!Number.isInteger(writeConcurrency) || writeConcurrency < 1) {
    throw new RangeError(`writeConcurrency must be an integer >= 1, got ${writeConcurrency}`);
  }
  const now = deps.now ?? Date.now;
  const tracer = deps.tracer ?? trace.getTracer('@kombo-sync/sync');
  const startedAt = now();
  const models = [...new Set(input.models)];
  const log = deps.logger.child({ integrationId, syncRunId: runId });

  // One controller for the run: the caller's signal and an abort-run error both stop every model.
  const run = new AbortController();
  const onAbort = (): void => run.abort(signal?.reason);
  if (signal?.aborted) run.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const states = await deps.store.getModelStates(integrationId);
    log.info({ mode, models: models.length, concurrency, writeConcurrency }, 'sync run started');
    const fetchLimiters = [new Semaphore(concurrency), ...(deps.limiter ? [deps.limiter] : [])];
    // The ids each model's pages changed, for refreshing the copies of them embedded in other models.
    // Only models some other model embeds untracked are kept (a full pass of a big model would hold every id).
    const changed = new Map<ModelName, Set<string>>();
    const onChangesCommitted = async (event: ChangesCommittedEvent): Promise<void> => {
      if (EMBEDDED_CHILDREN.has(event.model)) {
        const ids = changed.get(event.model) ?? new Set<string>();
        changed.set(event.model, ids);
        for (const id of event.changedIds) ids.add(id);
        for (const id of event.deletedIds) ids.add(id);
      }
      await deps.onChangesCommitted?.(event);
    };
    const modelDeps = {
      source: deps.source,
      store: deps.store,
      logger: log,
      classifyError: deps.classifyError ?? failModelOnError,
      fetchLimiters,
      now,
      onChangesCommitted,
    };

    const results: ModelSummary[] = new Array<ModelSummary>(models.length);
    let abortError: SyncErrorInfo | undefined;
    let nextIndex = 0;
    const lane = async (): Promise<void> => {
      for (let index = nextIndex++; index < models.length; index = nextIndex++) {
        const model = models[index] as ModelName;
        const state = states.get(model);
        const summary = await traceModel(tracer, { integrationId, runId, model }, () =>
          syncModel(modelDeps, {
            integrationId,
            runId,
            model,
            state,
            mode,
            overlapMs,
            writeConcurrency,
            signal: run.signal,
            passCursorMaxAgeMs: input.passCursorMaxAgeMs,
          }),
        );
        results[index] = summary;
        if (summary.error?.kind === 'abort-run' && !abortError) {
          abortError = summary.error;
          log.warn({ code: abortError.code, model }, 'integration-wide error: aborting the run');
          run.abort(new Error(`sync run aborted: ${abortError.code}`));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, models.length) }, lane));

    // A parent read whole by this run, or never synced (no rows to refresh), needs no refetch.
    const readWhole = new Set(
      results.filter((s) => s.isFullPass && s.status === 'succeeded').map((s) => s.model),
    );
    const embeddedRefresh = run.signal.aborted
      ? undefined
      : await refreshEmbeddedCopies(modelDeps, {
          integrationId,
          runId,
          changed,
          isParentEligible: (parent) => !readWhole.has(parent) && Boolean(states.get(parent)?.watermark),
          signal: run.signal,
        });
    const status: RunStatus = signal?.aborted
      ? 'cancelled'
      : abortError
        ? 'aborted'
        : results.some((summary) => summary.status === 'failed') || embeddedRefresh?.error
          ? 'failed'
          : 'succeeded';
    const totals = { pages: 0, upserted: 0, unchanged: 0, deleted: 0 };
    for (const summary of results) {
      totals.pages += summary.pages;
      totals.upserted += summary.upserted;
      totals.unchanged += summary.unchanged;
      totals.deleted += summary.deleted;
    }
    totals.pages += embeddedRefresh?.requests ?? 0;
    totals.upserted += embeddedRefresh?.upserted ?? 0;
    const durationMs = now() - startedAt;
    log.info({ status, ...totals, durationMs }, 'sync run finished');
    return {
      integrationId,
      runId,
      mode,
      status,
      models: results,
      totals,
      durationMs,
      ...(abortError ? { abortError } : {}),
      ...(embeddedRefresh ? { embeddedRefresh } : {}),
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
