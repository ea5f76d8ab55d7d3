/**
 * The interfaces the sync engine needs from the outside world: the worker's source over the Kombo client, packages/db's
 * `createPgSyncStore` over Postgres; tests implement them in memory. Nothing here knows HTTP, SQL or queues.
 */
import type { KomboRecord, KomboRejectedRecord, ModelName } from '@kombo-sync/catalog';

export type { KomboRecord, KomboRejectedRecord };

/** One page of a model's list endpoint. */
export interface SourcePage {
  readonly results: readonly KomboRecord[];
  /** Each record's JSON text as the source sent it, aligned with `results`, when the source has it. */
  readonly rawResults?: readonly string[];
  /** Records of the page that break the model's schema (not in `results`). Default none. */
  readonly rejected?: readonly KomboRejectedRecord[];
  /** Cursor of the next page; `null` on the last page. */
  readonly next: string | null;
  /** Kombo's clock when it answered (the response `Date` header), never the worker's clock. */
  readonly komboTime: Date;
}

export interface SourcePagesOptions {
  readonly integrationId: string;
  /** Only records (or their nested data) changed after this Kombo time; omitted on a full pass. */
  readonly updatedAfter?: Date;
  /** Only these record ids (at most 100): the retry of quarantined records. */
  readonly ids?: readonly string[];
  /**
   * Start at this cursor (a `next` of an earlier page of the same listing: a resumed pass's checkpoint) instead of
   * the first page. A source that no longer accepts it should throw an error classified `isRequestRejected`.
   */
  readonly cursor?: string;
  /** Aborts the in-flight request; the iterator should then reject promptly. */
  readonly signal?: AbortSignal;
}

/**
 * Where records come from: implemented by the Kombo client's `pages()` (include_deleted=true). Must yield at least
 * one page per pass (an empty model yields one empty page), in order, and stop after the page whose `next` is null.
 * A source may throw `PassYieldedError` instead of starting a request, to stop the model at that page boundary
 * (e.g. it learnt that the integration was paused); it should abort the run's yield signal too, so that the other
 * models stop as well.
 */
export interface SyncSource {
  pages(model: ModelName, options: SourcePagesOptions): AsyncIterable<SourcePage>;
}

/** What the store remembers about one model of one integration. */
export interface ModelState {
  /** Kombo time at the start of the last committed pass; `null` (or absent) means never synced: full pass. */
  readonly watermark: Date | null;
  /** The model's full pass left open by an earlier run (failed, killed, yielded), if the store keeps passes. */
  readonly openPass?: OpenPassState | null;
}

/** A full (or initial) pass that spans runs: resumed at its checkpoint by the next full pass of the model. */
export interface OpenPassState {
  /** The run that opened it: keys its seen ids; every run from it on counts as the pass's. */
  readonly passId: number;
  /** Kombo time of its first response: the watermark it commits. */
  readonly startedAt: Date;
  /** The next page after the checkpoint; null with `pages` > 0: every page of the listing is committed. */
  readonly cursor: string | null;
  /** Pages of the listing committed, every earlier one included. */
  readonly pages: number;
  /** Time since the checkpoint (or the opening), by the store's clock, ms. */
  readonly cursorAgeMs: number;
  /** False when the ids it saw are gone (the store lost them): it must start over. */
  readonly isIntact: boolean;
}

/** Where a resumable pass stands after a committed page: written in that page's transaction. */
export interface PassCheckpoint {
  readonly passId: number;
  /** Pages of the listing committed, every earlier one included. */
  readonly pages: number;
  /** The next page's cursor; null after the last page. */
  readonly cursor: string | null;
}

export interface OpenPassInput {
  readonly integrationId: string;
  readonly model: ModelName;
  readonly passId: number;
  /** Kombo time of the pass's first response. */
  readonly startedAt: Date;
}

/** One page for the store to write: what the engine hands to `SyncStore.writePage` and packages/db `writePage`. */
export interface WritePageInput {
  readonly integrationId: string;
  readonly model: ModelName;
  readonly records: readonly KomboRecord[];
  /**
   * The records' JSON texts as received, aligned with `records` (the page's `rawResults`): stored (and hashed) as
   * they are instead of serialising the parsed records again. They must be the texts `records` were parsed from.
   * Absent: the store serialises `records`.
   */
  readonly rawRecords?: readonly string[];
  /** The page's schema-breaking records: quarantined in the page's transaction. Default none. */
  readonly rejected?: readonly KomboRejectedRecord[];
  /** The page's `komboTime` (the response's `Date` header): stored per row so a stale read never overwrites a newer one. */
  readonly komboFetchedAt: Date;
  readonly runId: number;
  /**
   * 0-based position of the page in its model's pass, in fetch order (pages are fetched one after another, even
   * when written concurrently). With `runId` it orders fetches within one Kombo second, which `komboFetchedAt`
   * (1 s resolution) cannot.
   */
  readonly pageIndex: number;
  /** Part of a full pass: the store also remembers the page's ids so `reconcileDeletions` can find the unseen rows. */
  readonly isFullPass: boolean;
  /**
   * The pass whose seen ids (sync_seen_ids.run_id) the page's unwritten ids join: the resumable pass of a full page,
   * or, on a delta, the model's open pass (what a delta sees while a pass is open counts as seen by it). Default:
   * `runId` on a full pass, none on a delta.
   */
  readonly passId?: number;
  /**
   * Asked just before the page's transaction commits: the checkpoint to write in it, if any (there is one only when
   * every earlier page of the pass is committed). Default: none.
   */
  readonly checkpoint?: () => PassCheckpoint | undefined;
  /**
   * The model has no watermark yet (no pass completed): its records are expected to be new. A cost hint only (the
   * store may pick a cheaper statement); a wrong hint costs time, never correctness. Default false.
   */
  readonly isInitialPass?: boolean;
}

/** Outcome of one page write. */
export interface WritePageResult {
  readonly inserted: number;
  readonly updated: number;
  /** Distinct records of the page that changed nothing (same data, or older than the stored version). */
  readonly unchanged: number;
  /** Rows that became deleted with this page (remote_deleted_at newly set). */
  readonly deleted: number;
  readonly changedIds: readonly string[];
  readonly deletedIds: readonly string[];
  /** Records set aside instead of stored: Postgres refused them (the rest of the page is kept) or they were `rejected`. */
  readonly quarantined: number;
  readonly quarantinedIds: readonly string[];
}

export interface ReconcileDeletionsInput {
  readonly integrationId: string;
  readonly model: ModelName;
  /** The run ending the pass: its deletions take its last fetch order. */
  readonly runId: number;
  /** Kombo time at the start of the full pass: rows not seen by the run and fetched before it are deleted. */
  readonly passStartedAt: Date;
  /**
   * The resumable pass being ended, which may span runs: rows written by any run from `passId` on count as seen, its
   * seen ids are keyed by it, its marker must still be there, and the store closes it. Default: the run's own pass,
   * not recorded.
   */
  readonly passId?: number;
}

export interface ReconcileDeletionsResult {
  readonly deleted: number;
  readonly deletedIds: readonly string[];
}

/** Per-model counters, also what the store writes into the run's counts. */
export interface ModelCounts {
  readonly pages: number;
  /** Records received from the source (before de-duplication by the store). */
  readonly records: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Page-level deletions plus reconciled deletions. */
  readonly deleted: number;
  /** Records set aside in quarantine (refused by the store or breaking the schema), retries included. */
  readonly quarantined: number;
}

export interface CommitModelSuccessInput {
  readonly integrationId: string;
  readonly model: ModelName;
  readonly runId: number;
  /**
   * The new watermark: the first page's `komboTime` of this pass. After a delta the store never moves the stored one
   * backwards; a full pass sets it exactly (it saw everything as of its start, even if Kombo's clock stepped back).
   */
  readonly watermark: Date;
  readonly isFullPass: boolean;
  readonly counts: ModelCounts;
}

export interface RecordModelFailureInput {
  readonly integrationId: string;
  readonly model: ModelName;
  readonly runId: number;
  readonly error: SyncErrorInfo;
  /** What was written before the failure (those pages are committed; the watermark is not). */
  readonly counts: ModelCounts;
}

export interface RecordModelSkippedInput {
  readonly integrationId: string;
  readonly model: ModelName;
  readonly runId: number;
  /** e.g. `INTEGRATION.MODEL_NOT_AVAILABLE`. */
  readonly code: string;
  readonly reason: string;
}

/**
 * Where records go: implemented over Postgres by packages/db (`createPgSyncStore`). Every method is its own transaction.
 * `writePage` is one transaction per page (user handlers, if any, run inside it).
 */
export interface SyncStore {
  getModelStates(integrationId: string): Promise<ReadonlyMap<ModelName, ModelState>>;
  writePage(input: WritePageInput): Promise<WritePageResult>;
  /** Called only after a full pass wrote every page without error, before `commitModelSuccess`. */
  reconcileDeletions(input: ReconcileDeletionsInput): Promise<ReconcileDeletionsResult>;
  /** Writes the model's watermark and its run counts together, after every page of the pass is committed. */
  commitModelSuccess(input: CommitModelSuccessInput): Promise<void>;
  /** The model failed: keep its old watermark, record the error and the partial counts. */
  recordModelFailure(input: RecordModelFailureInput): Promise<void>;
  /** The model is not available/disabled for this integration: keep its watermark, record the reason. */
  recordModelSkipped(input: RecordModelSkippedInput): Promise<void>;
  /**
   * Ids of the model's quarantined records, asked at the start of each pass: the engine re-fetches them by id and
   * writes them first (a record that stores now leaves quarantine). Absent: no retries.
   */
  listQuarantinedIds?(input: ModelKey): Promise<readonly string[]>;
  /** Takes ids out of quarantine that the source no longer returns (the record is gone). */
  releaseQuarantined?(input: ModelKey & { readonly ids: readonly string[] }): Promise<void>;
  /**
   * Records a resumable full pass before its first page is written (replacing any open pass of the model). Absent:
   * passes are not resumable (a failed pass starts over).
   */
  openPass?(input: OpenPassInput): Promise<void>;
  /** Forgets the model's open pass and what it saw (it starts over). */
  discardPass?(input: ModelKey): Promise<void>;
  /**
   * Moves the open pass's checkpoint forward (never back) in a transaction of its own: called when a pass yields
   * and its last contiguous committed page was not the one that carried the checkpoint (pages commit out of order),
   * so the next run resumes exactly after it. Absent: the next run fetches that page again.
   */
  checkpointPass?(input: ModelKey & PassCheckpoint): Promise<void>;
  /**
   * Ids of the `model` rows whose `column` (a text foreign key, or with `path` a jsonb column read with that
   * SQL/JSON path) names one of `childIds`: the parents holding a copy of those children. Absent: embedded copies
   * are refreshed by full syncs only.
   */
  findEmbeddingParents?(input: FindEmbeddingParentsInput): Promise<readonly string[]>;
  /**
   * Children (of catalog `UNTRACKED_EMBEDS`) whose parents' copies still need a refresh, ordered by (model, child
   * id), after the keyset `after`. The store records them with the page that changed them, so they survive a run
   * killed or failed before the refresh. Absent: the refresh uses the changes the run itself saw.
   */
  listPendingEmbedded?(input: ListPendingEmbeddedInput): Promise<readonly PendingEmbeddedChild[]>;
  /**
   * Forgets the pending children handled (each at the version listed), after their parents' pages committed, and
   * every pending child of `models` (no parent of theirs needs a refetch).
   */
  clearPendingEmbedded?(input: {
    readonly integrationId: string;
    readonly children: readonly PendingEmbeddedChild[];
    readonly models?: readonly ModelName[];
  }): Promise<void>;
}

/** A child whose embedded copies still need a refresh; `version` tells a later change of it apart. */
export interface PendingEmbeddedChild {
  readonly model: ModelName;
  readonly childId: string;
  readonly version: number;
}

export interface ListPendingEmbeddedInput {
  readonly integrationId: string;
  readonly models: readonly ModelName[];
  /** Keyset: only children after this (model, child id). */
  readonly after?: { readonly model: ModelName; readonly childId: string };
  readonly limit: number;
}

export interface FindEmbeddingParentsInput {
  readonly integrationId: string;
  /** The parent model. */
  readonly model: ModelName;
  /** A column of the parent's table: a text foreign key, or (with `path`) a jsonb column. */
  readonly column: string;
  /** SQL/JSON path selecting child ids inside the jsonb `column`, e.g. `$[*].id`. */
  readonly path?: string;
  readonly childIds: readonly string[];
}

/** One model of one integration. */
export interface ModelKey {
  readonly integrationId: string;
  readonly model: ModelName;
}

/** What the engine should do about an error. */
export type ErrorKind =
  /** the model is not available or disabled for this integration: record as skipped, others go on */
  | 'skip-model'
  /** this model failed (malformed data, transient fault after retries): others go on, the run fails */
  | 'fail-model'
  /** integration-wide (rate limit, auth, setup pending, not found): stop every model, the run is aborted */
  | 'abort-run';

export interface ErrorClassification {
  readonly kind: ErrorKind;
  /** Stable code, e.g. Kombo's `INTEGRATION.MODEL_NOT_AVAILABLE`. Default: the error's `code`, else `SYNC.ERROR`. */
  readonly code?: string;
  /** The offending record, for malformed data. Default: the error's `recordId` when it is a string. */
  readonly recordId?: string;
  /**
   * The source refused the request's parameters (Kombo's 400 `PLATFORM.INPUT_INVALID`): on the first request of a
   * resumed pass, its checkpointed cursor, so the pass starts over from page 1. Default false.
   */
  readonly isRequestRejected?: boolean;
}

/** Maps any error thrown by the source or the store to an engine decision. */
export type ClassifyError = (error: unknown) => ErrorClassification;

/** An error as the engine reports it: classified, with the original kept in `cause`. */
export interface SyncErrorInfo {
  readonly kind: ErrorKind;
  readonly code: string;
  /** Message of the original error (plus the record id when known). Never contains secrets the source did not. */
  readonly message: string;
  readonly recordId?: string;
  /** Where the source logged the failed request (Kombo's `log_url`): the error's `logUrl`, when it has one. */
  readonly logUrl?: string;
  readonly cause: unknown;
}

/** Limits concurrent work; `acquire` resolves with a release function, rejects if `signal` aborts first. */
export interface Limiter {
  acquire(signal?: AbortSignal): Promise<() => void>;
}

/** Structural subset of a pino logger, so the engine needs no logging library. */
export interface SyncLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): SyncLogger;
}

/** Emitted after a page's transaction (or a reconciliation) committed: feed for the change stream. */
export interface ChangesCommittedEvent {
  readonly integrationId: string;
  readonly model: ModelName;
  readonly runId: number;
  readonly source: 'page' | 'reconcile';
  /** 1-based page number within the pass; for `reconcile`, the number of pages of the pass. */
  readonly page: number;
  readonly changedIds: readonly string[];
  readonly deletedIds: readonly string[];
  /** The page's `komboTime`; for `reconcile`, the pass start. */
  readonly komboTime: Date;
  readonly isFullPass: boolean;
}

export type ModelStatus =
  | 'succeeded'
  | 'failed'
  | 'skipped'
  /** interrupted or never started because of the abort signal or an `abort-run` error; nothing committed */
  | 'cancelled'
  /**
   * stopped at a page boundary by the run's yield signal, or never started after it: the pages written are
   * committed, an open full pass stays checkpointed at its last contiguous committed page (the next full pass of
   * the model resumes after it), the watermark is kept
   */
  | 'yielded';

/**
 * Why a run is asked to stop at its next page boundary (`RunIntegrationSyncInput.yieldSignal`'s reason): `shutdown`
 * (the worker is stopping), `pause` (an operator paused the integration, or Kombo's state made it inactive),
 * `slice` (its bulk time slice ended).
 */
export type YieldReason = 'shutdown' | 'pause' | 'slice';

export interface ModelSummary extends ModelCounts {
  readonly model: ModelName;
  readonly status: ModelStatus;
  readonly isFullPass: boolean;
  /** The `updated_after` sent (watermark minus overlap); null on a full pass. */
  readonly updatedAfter: Date | null;
  /** The committed watermark; null unless `succeeded`. */
  readonly watermark: Date | null;
  /** `inserted + updated`. */
  readonly upserted: number;
  readonly durationMs: number;
  readonly error?: SyncErrorInfo;
}

export type RunStatus =
  /** every model succeeded or was skipped */
  | 'succeeded'
  /** at least one model failed (others may have advanced): the job should retry */
  | 'failed'
  /** an `abort-run` error stopped the run; see `abortError` */
  | 'aborted'
  /** the caller's signal fired (shutdown) */
  | 'cancelled'
  /**
   * the yield signal stopped some models (or the embedded-copy refresh) at a page boundary, and no model failed:
   * the models with status `yielded` remain to be done
   */
  | 'yielded';

export interface RunSummary {
  readonly integrationId: string;
  readonly runId: number;
  readonly mode: SyncMode;
  readonly status: RunStatus;
  readonly models: readonly ModelSummary[];
  readonly totals: {
    readonly pages: number;
    readonly upserted: number;
    readonly unchanged: number;
    readonly deleted: number;
  };
  /** The integration-wide error that aborted the run (status `aborted`); `cause` is the original error. */
  readonly abortError?: SyncErrorInfo;
  /** The yield signal's reason, when it stopped the run (status `yielded`). */
  readonly yieldReason?: YieldReason;
  /** The refetch of parents whose embedded copies changed children made stale; absent when none was needed. */
  readonly embeddedRefresh?: EmbeddedRefreshSummary;
  readonly durationMs: number;
}

/** `delta`: models with a watermark fetch `updated_after`; `full`: every model is fetched entirely. */
export type SyncMode = 'delta' | 'full';

/** What refreshing embedded copies did in one run (see `refreshEmbeddedCopies`). */
export interface EmbeddedRefreshSummary {
  /** Parent records asked for by id. */
  readonly refetched: number;
  /** Requests (`pages()` calls) made. */
  readonly requests: number;
  /** Parent rows that changed (inserted + updated). */
  readonly upserted: number;
  /**
   * Set when the refresh stopped early; the parents not refetched wait for the next run (with a store that keeps
   * pending children, see `SyncStore.listPendingEmbedded`) or the next full sync.
   */
  readonly error?: SyncErrorInfo;
  /** The yield signal stopped the refresh before a request: the parents not refetched wait for the next run. */
  readonly isYielded?: boolean;
}
