import { trace, type Tracer } from '@opentelemetry/api';
import { UNTRACKED_EMBEDS, type ModelName } from '@kombo-sync/catalog';
import { failModelOnError, yieldReasonOf } from './errors.js';
import { refreshEmbeddedCopies } from './refresh-embedded-copies.js';
import { Semaphore } from './semaphore.js';
import type { SyncModelDeps } from './model-pass.js';
import { syncModel } from './sync-model.js';
import { traceModel } from './trace-model.js';
import { yieldingSource } from './yielding-source.js';
import type {
  ChangesCommittedEvent,
  ClassifyError,
  EmbeddedRefreshSummary,
  Limiter,
  ModelState,
  ModelSummary,
  RunStatus,
  RunSummary,
  SyncErrorInfo,
  SyncLogger,
  SyncMode,
  SyncSource,
  SyncStore,
  YieldReason,
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
  /**
   * Asked before each Kombo request of the run (each page boundary) while the run has not yielded: a reason stops
   * the run as the yield signal would, with that reason (e.g. the worker reads whether the integration was paused
   * meanwhile). It is on every request's path, so it must be cheap, and it must not throw. Default: none.
   */
  readonly shouldYield?: () => Promise<YieldReason | undefined>;
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
  /**
   * Stops everything at once: in-flight requests are cancelled, the page being written is finished, nothing
   * unfinished is committed, the run returns promptly (`cancelled`). E.g. the shutdown deadline, a lost lease.
   */
  readonly signal?: AbortSignal;
  /**
   * Stops the run at its next page boundary, with `reason` a `YieldReason` (`shutdown`, `pause`, `slice`):
   * once it aborts no model starts a new Kombo request and no model that has not started starts; a request already
   * in flight finishes and its page is written. Models not finished report `yielded` (an open full pass stays
   * checkpointed at its last contiguous committed page, a delta keeps its watermark), finished ones committed as
   * usual; the run is `yielded` unless a model failed or the run was aborted or cancelled. When no request was
   * cancelled, the next run fetches no page of the pass again. Default: never.
   */
  readonly yieldSignal?: AbortSignal;
  /**
   * Models that get a full pass in a `delta` run (e.g. a full pass a yielded run handed back, which resumes its
   * open pass). Default none.
   */
  readonly fullModels?: readonly ModelName[];
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
 * watermarks stay) and the run reports `aborted` with the error in `abortError`. Then the copies of changed
 * children embedded in other models are refreshed ({@link refreshEmbeddedCopies}).
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
  const writeConcurrency = input.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY;
  checkRunInput({ ...input, writeConcurrency });
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const log = deps.logger.child({ integrationId, syncRunId: runId });

  // One controller for the run: the caller's signal and an abort-run error both stop every model.
  const { controller: run, unlink } = followSignal(signal);
  // One for its yield: the caller's yield signal and `shouldYield` both stop it at the next page boundary.
  const { controller: yielding, unlink: unlinkYield } = followSignal(input.yieldSignal);
  try {
    const states = await deps.store.getModelStates(integrationId);
    log.info(
      { mode, models: new Set(input.models).size, concurrency: input.concurrency, writeConcurrency },
      'sync run started',
    );
    const changed = new Map<ModelName, Set<string>>();
    const modelDeps = modelDepsOf(deps, { log, yielding, concurrency: input.concurrency, now, changed });
    const { results, abortError } = await runModels(modelDeps, {
      ...input,
      yieldSignal: yielding.signal,
      mode,
      writeConcurrency,
      states,
      tracer: deps.tracer ?? trace.getTracer('@kombo-sync/sync'),
      run,
    });

    const passes = { integrationId, runId, changed, states, results, signal: run.signal };
    const embeddedRefresh = await refreshAfterPasses(modelDeps, passes);
    const summary = runSummary({
      integrationId,
      runId,
      mode,
      isCancelled: signal?.aborted === true,
      abortError,
      results,
      embeddedRefresh,
      durationMs: now() - startedAt,
      yieldSignal: yielding.signal,
    });
    log.info(
      { status: summary.status, ...summary.totals, durationMs: summary.durationMs },
      'sync run finished',
    );
    return summary;
  } finally {
    unlink();
    unlinkYield();
  }
}

/**
 * What each model's pass gets: the source yielding when `yielding` aborts or `shouldYield` says so, the run's fetch
 * limit (and the caller's), and a hook noting the embedded children each commit changed into `changed`.
 */
function modelDepsOf(
  deps: RunIntegrationSyncDeps,
  run: {
    log: SyncLogger;
    yielding: AbortController;
    concurrency: number;
    now: () => number;
    changed: Map<ModelName, Set<string>>;
  },
): SyncModelDeps {
  return {
    ...deps,
    source: yieldingSource(deps.source, run.yielding, deps.shouldYield),
    logger: run.log,
    classifyError: deps.classifyError ?? failModelOnError,
    fetchLimiters: [new Semaphore(run.concurrency), ...(deps.limiter ? [deps.limiter] : [])],
    now: run.now,
    onChangesCommitted: trackEmbeddedChildren(run.changed, deps.onChangesCommitted),
  };
}

/** The run's summary: its status (see {@link runStatus}), the models' results and the totals. */
function runSummary(run: {
  integrationId: string;
  runId: number;
  mode: SyncMode;
  isCancelled: boolean;
  abortError: RunSummary['abortError'];
  results: RunSummary['models'];
  embeddedRefresh: RunSummary['embeddedRefresh'];
  durationMs: number;
  yieldSignal: AbortSignal;
}): RunSummary {
  const { abortError, results, embeddedRefresh } = run;
  const status = runStatus({ isCancelled: run.isCancelled, abortError, results, embeddedRefresh });
  return {
    integrationId: run.integrationId,
    runId: run.runId,
    mode: run.mode,
    status,
    models: results,
    totals: runTotals(results, embeddedRefresh),
    durationMs: run.durationMs,
    ...(abortError ? { abortError } : {}),
    ...(status === 'yielded' ? { yieldReason: yieldReasonOf(run.yieldSignal) } : {}),
    ...(embeddedRefresh ? { embeddedRefresh } : {}),
  };
}

/** A controller that aborts when `signal` does (with its reason), until `unlink`. */
function followSignal(signal: AbortSignal | undefined): { controller: AbortController; unlink: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  return { controller, unlink: () => signal?.removeEventListener('abort', onAbort) };
}

/**
 * Refreshes embedded copies after the passes, unless the run was stopped; a parent read whole by this run, or never
 * synced, needs none.
 */
async function refreshAfterPasses(
  deps: SyncModelDeps,
  input: {
    integrationId: string;
    runId: number;
    changed: ReadonlyMap<ModelName, Iterable<string>>;
    states: ReadonlyMap<ModelName, ModelState>;
    results: readonly ModelSummary[];
    signal: AbortSignal;
  },
): Promise<EmbeddedRefreshSummary | undefined> {
  const { states, results } = input;
  if (input.signal.aborted) return undefined;
  const readWhole = new Set(
    results.filter((s) => s.isFullPass && s.status === 'succeeded').map((s) => s.model),
  );
  return refreshEmbeddedCopies(deps, {
    integrationId: input.integrationId,
    runId: input.runId,
    changed: input.changed,
    isParentEligible: (parent) => !readWhole.has(parent) && Boolean(states.get(parent)?.watermark),
    signal: input.signal,
  });
}

function checkRunInput({
  overlapMs,
  concurrency,
  writeConcurrency,
}: Pick<RunIntegrationSyncInput, 'overlapMs' | 'concurrency'> & { writeConcurrency: number }): void {
  if (!Number.isFinite(overlapMs) || overlapMs < 0)
    throw new RangeError(`overlapMs must be >= 0, got ${overlapMs}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  if (!Number.isInteger(writeConcurrency) || writeConcurrency < 1) {
    throw new RangeError(`writeConcurrency must be an integer >= 1, got ${writeConcurrency}`);
  }
}

/**
 * Keeps the ids each model's pages changed in `changed`, for refreshing the copies embedded in other models, then
 * calls `next`. Only models some other model embeds untracked are kept (a full pass of a big model would hold
 * every id).
 */
function trackEmbeddedChildren(
  changed: Map<ModelName, Set<string>>,
  next: RunIntegrationSyncDeps['onChangesCommitted'],
): (event: ChangesCommittedEvent) => Promise<void> {
  return async (event) => {
    if (EMBEDDED_CHILDREN.has(event.model)) {
      const ids = changed.get(event.model) ?? new Set<string>();
      changed.set(event.model, ids);
      for (const id of event.changedIds) ids.add(id);
      for (const id of event.deletedIds) ids.add(id);
    }
    await next?.(event);
  };
}

/**
 * Runs the models' passes, `concurrency` lanes taking the next model in order; the first `abort-run` error aborts
 * `run` (every other model stops). Each model gets its summary, in the order of `models`.
 */
async function runModels(
  deps: SyncModelDeps,
  input: RunIntegrationSyncInput & {
    yieldSignal: AbortSignal;
    mode: SyncMode;
    writeConcurrency: number;
    states: ReadonlyMap<ModelName, ModelState>;
    tracer: Tracer;
    run: AbortController;
  },
): Promise<{ results: ModelSummary[]; abortError?: SyncErrorInfo }> {
  const { integrationId, runId, run } = input;
  const models = [...new Set(input.models)];
  const fullModels = new Set(input.fullModels);
  const results: ModelSummary[] = new Array<ModelSummary>(models.length);
  let abortError: SyncErrorInfo | undefined;
  let nextIndex = 0;
  const lane = async (): Promise<void> => {
    for (let index = nextIndex++; index < models.length; index = nextIndex++) {
      const model = models[index] as ModelName;
      const summary = await traceModel(input.tracer, { integrationId, runId, model }, () =>
        syncModel(deps, {
          integrationId,
          runId,
          model,
          state: input.states.get(model),
          mode: fullModels.has(model) ? 'full' : input.mode,
          overlapMs: input.overlapMs,
          writeConcurrency: input.writeConcurrency,
          signal: run.signal,
          yieldSignal: input.yieldSignal,
          passCursorMaxAgeMs: input.passCursorMaxAgeMs,
        }),
      );
      results[index] = summary;
      if (summary.error?.kind === 'abort-run' && !abortError) {
        abortError = summary.error;
        deps.logger.warn({ code: abortError.code, model }, 'integration-wide error: aborting the run');
        run.abort(new Error(`sync run aborted: ${abortError.code}`));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.concurrency, models.length) }, lane));
  return { results, ...(abortError ? { abortError } : {}) };
}

/**
 * The run's status: cancelled by the caller, else aborted, else failed if any model or the refresh failed, else
 * yielded if the yield stopped any model or the refresh.
 */
function runStatus({
  isCancelled,
  abortError,
  results,
  embeddedRefresh,
}: {
  isCancelled: boolean;
  abortError: SyncErrorInfo | undefined;
  results: readonly ModelSummary[];
  embeddedRefresh: EmbeddedRefreshSummary | undefined;
}): RunStatus {
  if (isCancelled) return 'cancelled';
  if (abortError) return 'aborted';
  if (results.some((summary) => summary.status === 'failed') || embeddedRefresh?.error) return 'failed';
  if (results.some((summary) => summary.status === 'yielded') || embeddedRefresh?.isYielded) return 'yielded';
  return 'succeeded';
}

function runTotals(
  results: readonly ModelSummary[],
  embeddedRefresh: EmbeddedRefreshSummary | undefined,
): RunSummary['totals'] {
  const totals = { pages: 0, upserted: 0, unchanged: 0, deleted: 0 };
  for (const summary of results) {
    totals.pages += summary.pages;
    totals.upserted += summary.upserted;
    totals.unchanged += summary.unchanged;
    totals.deleted += summary.deleted;
  }
  totals.pages += embeddedRefresh?.requests ?? 0;
  totals.upserted += embeddedRefresh?.upserted ?? 0;
  return totals;
}
