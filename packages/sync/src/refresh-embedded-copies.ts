import { UNTRACKED_EMBEDS, type ModelName } from '@kombo-sync/catalog';
import { PassYieldedError, toSyncErrorInfo } from './errors.js';
import { chunkParentIds, embeddedChildLevels, planEmbeddedRefetch } from './plan-embedded-refetch.js';
import { withLimiters } from './semaphore.js';
import { MAX_IDS_PER_REQUEST } from './pass-pages.js';
import type { SyncModelDeps } from './model-pass.js';
import type {
  EmbeddedRefreshSummary,
  ListPendingEmbeddedInput,
  PendingEmbeddedChild,
  SyncStore,
} from './types.js';

/**
 * Page index of the first refetch page: far above any page of a model's own pass, so a refetched parent counts as
 * fetched after the run's own pass of that model (the store orders same-second fetches by run, then page index).
 */
export const REFETCH_PAGE_INDEX_BASE = 2 ** 20;

/** Pending children handled per batch: the store lists, and the refresh clears, at most this many at a time. */
export const PENDING_BATCH_SIZE = MAX_IDS_PER_REQUEST * 10;

/** Where the children to handle come from: the store's pending rows, or the run's own changes. */
interface PendingSource {
  list(input: ListPendingEmbeddedInput): Promise<readonly PendingEmbeddedChild[]>;
  /** Forgets `children` (at their versions) and every child of `models`. */
  clear(children: readonly PendingEmbeddedChild[], models?: readonly ModelName[]): Promise<void>;
}

/** Keyset order of pending children: model, then child id (as the store orders them). */
function isAfter(child: PendingEmbeddedChild, after: ListPendingEmbeddedInput['after']): boolean {
  if (!after) return true;
  return child.model === after.model ? child.childId > after.childId : child.model > after.model;
}

/**
 * The run's own changes as pending children, for a store that keeps none (read at each listing, so parents that
 * the refresh itself changed are seen by the later levels). Nothing survives the run.
 */
function memoryPending(changed: ReadonlyMap<ModelName, Iterable<string>>): PendingSource {
  return {
    list: async ({ models, after, limit }) => {
      const children: PendingEmbeddedChild[] = [];
      for (const model of [...models].sort()) {
        for (const childId of [...new Set(changed.get(model) ?? [])].sort()) {
          children.push({ model, childId, version: 0 });
        }
      }
      return children.filter((child) => isAfter(child, after)).slice(0, limit);
    },
    clear: async () => {},
  };
}

/** What refreshing embedded copies needs from the run: a model pass's deps but its clock. */
export type RefreshEmbeddedCopiesDeps = Pick<
  SyncModelDeps,
  'source' | 'store' | 'logger' | 'classifyError' | 'fetchLimiters' | 'onChangesCommitted'
>;

export interface RefreshEmbeddedCopiesInput {
  readonly integrationId: string;
  readonly runId: number;
  /**
   * Ids of the rows the run changed or deleted, per model (updated by the refresh's own pages as they commit).
   * Used only with a store that keeps no pending children (`SyncStore.listPendingEmbedded`).
   */
  readonly changed: ReadonlyMap<ModelName, Iterable<string>>;
  /** Whether a parent model is worth refetching (see `planEmbeddedRefetch`). */
  readonly isParentEligible: (parent: ModelName) => boolean;
  readonly signal: AbortSignal;
}

/** The store's pending children when it keeps them, else the run's own changes ({@link memoryPending}). */
function pendingSourceOf(
  store: SyncStore,
  integrationId: string,
  changed: RefreshEmbeddedCopiesInput['changed'],
) {
  const listPending = store.listPendingEmbedded?.bind(store);
  const clearPending = store.clearPendingEmbedded?.bind(store);
  if (!listPending || !clearPending) return memoryPending(changed);
  const pending: PendingSource = {
    list: listPending,
    clear: (children, models) => clearPending({ integrationId, children, ...(models ? { models } : {}) }),
  };
  return pending;
}

/** What the refresh did so far: parents refetched, requests made, rows upserted, pending children cleared. */
interface RefreshTally {
  requests: number;
  refetched: number;
  upserted: number;
  cleared: number;
}

/** The refresh of one run: its deps, integration, run and signal, and its running tally. */
interface RefreshRun {
  readonly deps: RefreshEmbeddedCopiesDeps;
  readonly integrationId: string;
  readonly runId: number;
  readonly signal: AbortSignal;
  readonly tally: RefreshTally;
}

/** The ids of the mirror's parents embedding the batch's children, per parent model. */
async function findParentIds(
  run: RefreshRun,
  findParents: NonNullable<SyncStore['findEmbeddingParents']>,
  lookups: ReturnType<typeof planEmbeddedRefetch>,
): Promise<Map<ModelName, Set<string>>> {
  const parentIds = new Map<ModelName, Set<string>>();
  for (const { embed, childIds } of lookups) {
    const ids = parentIds.get(embed.parent) ?? new Set<string>();
    parentIds.set(embed.parent, ids);
    const found = await findParents({
      integrationId: run.integrationId,
      model: embed.parent,
      column: embed.column,
      ...(embed.path === undefined ? {} : { path: embed.path }),
      childIds,
    });
    for (const id of found) ids.add(id);
  }
  return parentIds;
}

/** Refetches the parents `ids` of `model` with Kombo's `ids` filter and writes their pages like delta pages. */
async function refetchParents(run: RefreshRun, model: ModelName, ids: string[]): Promise<void> {
  const { deps, integrationId, runId, signal, tally } = run;
  tally.refetched += ids.length;
  const pages = deps.source.pages(model, { integrationId, ids, signal })[Symbol.asyncIterator]();
  for (;;) {
    const step = await withLimiters(deps.fetchLimiters, () => pages.next(), signal);
    if (step.done) break;
    const page = step.value;
    tally.requests += 1;
    const result = await deps.store.writePage({
      integrationId,
      model,
      records: page.results,
      ...(page.rawResults ? { rawRecords: page.rawResults } : {}),
      ...(page.rejected && page.rejected.length > 0 ? { rejected: page.rejected } : {}),
      komboFetchedAt: page.komboTime,
      runId,
      pageIndex: REFETCH_PAGE_INDEX_BASE + tally.requests,
      isFullPass: false,
    });
    tally.upserted += result.inserted + result.updated;
    if (result.changedIds.length > 0 || result.deletedIds.length > 0) {
      await deps.onChangesCommitted?.({
        integrationId,
        model,
        runId,
        source: 'page',
        page: tally.requests,
        komboTime: page.komboTime,
        changedIds: result.changedIds,
        deletedIds: result.deletedIds,
        isFullPass: false,
      });
    }
  }
}

/**
 * Refreshes one level of children ({@link embeddedChildLevels}): batch by batch, their parents found and refetched
 * (each at most once per level), then the batch cleared. Children none of whose parents needs a refetch (e.g. all
 * read whole by a full run) are dropped at once.
 */
async function refreshLevel(
  run: RefreshRun,
  level: readonly ModelName[],
  {
    pending,
    findParents,
    isParentEligible,
  }: {
    pending: PendingSource;
    findParents: NonNullable<SyncStore['findEmbeddingParents']>;
    isParentEligible: (parent: ModelName) => boolean;
  },
): Promise<void> {
  const { integrationId, signal } = run;
  const hasEligibleParent = (model: ModelName): boolean =>
    UNTRACKED_EMBEDS.some((embed) => embed.child === model && isParentEligible(embed.parent));
  const models = level.filter(hasEligibleParent);
  const idle = level.filter((model) => !hasEligibleParent(model));
  if (idle.length > 0) await pending.clear([], idle);
  // Per level: a parent refetched earlier in the run may predate a change of this level's children.
  const fetched = new Map<ModelName, Set<string>>();
  let after: ListPendingEmbeddedInput['after'];
  for (;;) {
    if (signal.aborted) throw signal.reason;
    if (models.length === 0) break;
    const batch = await pending.list({
      integrationId,
      models,
      limit: PENDING_BATCH_SIZE,
      ...(after ? { after } : {}),
    });
    const last = batch.at(-1);
    if (!last) break;
    after = { model: last.model, childId: last.childId };
    const changed = new Map<ModelName, string[]>();
    for (const { model, childId } of batch) changed.set(model, [...(changed.get(model) ?? []), childId]);
    const lookups = planEmbeddedRefetch(changed, { isParentEligible });
    for (const [model, found] of await findParentIds(run, findParents, lookups)) {
      const done = fetched.get(model) ?? new Set<string>();
      fetched.set(model, done);
      for (const ids of chunkParentIds(found, done, MAX_IDS_PER_REQUEST)) {
        for (const id of ids) done.add(id);
        await refetchParents(run, model, ids);
      }
    }
    // Only now: the parents' pages committed (a refetched parent that changed is pending itself, if a child).
    await pending.clear(batch);
    run.tally.cleared += batch.length;
    if (batch.length < PENDING_BATCH_SIZE) break;
  }
}

/**
 * Refreshes the copies of changed children embedded in parents whose `updated_after` Kombo does not move for them
 * (catalog `UNTRACKED_EMBEDS`): takes the pending children (the store's, which earlier runs may have left, or the
 * run's own changes), level by level ({@link embeddedChildLevels}) and in batches, finds their parents in the
 * mirror, refetches them with Kombo's `ids` filter (≤ {@link MAX_IDS_PER_REQUEST} per request, each parent at most
 * once per level), writes them like delta pages, and only then clears the batch. Returns undefined when nothing
 * needed a refetch. Never throws: an error stops the refresh, is reported, and leaves the rest pending.
 */
export async function refreshEmbeddedCopies(
  deps: RefreshEmbeddedCopiesDeps,
  input: RefreshEmbeddedCopiesInput,
): Promise<EmbeddedRefreshSummary | undefined> {
  const { integrationId, runId, signal } = input;
  const { store } = deps;
  const findParents = store.findEmbeddingParents?.bind(store);
  if (!findParents) return undefined;
  const pending = pendingSourceOf(store, integrationId, input.changed);
  const log = deps.logger.child({ phase: 'embedded-refresh' });
  const tally: RefreshTally = { requests: 0, refetched: 0, upserted: 0, cleared: 0 };
  const run: RefreshRun = { deps, integrationId, runId, signal, tally };
  try {
    for (const level of embeddedChildLevels()) {
      await refreshLevel(run, level, { pending, findParents, isParentEligible: input.isParentEligible });
    }
    const { refetched, requests, upserted, cleared } = tally;
    if (refetched === 0 && cleared === 0) return undefined;
    log.info({ refetched, requests, upserted, cleared }, 'embedded copies refreshed');
    return refetched === 0 ? undefined : { refetched, requests, upserted };
  } catch (error) {
    const { refetched, requests, upserted } = tally;
    if (error instanceof PassYieldedError && !signal.aborted) {
      log.info(
        { refetched, requests, reason: error.reason },
        'embedded copies: the run yields, the rest waits',
      );
      return { refetched, requests, upserted, isYielded: true };
    }
    const info = toSyncErrorInfo(error, deps.classifyError);
    if (!signal.aborted) log.warn({ err: error, code: info.code }, 'embedded copies not refreshed');
    return { refetched, requests, upserted, error: info };
  }
}
