import type { ModelName } from '@kombo-sync/catalog';
import { toSyncErrorInfo } from './errors.js';
import { chunkParentIds, planEmbeddedRefetch } from './plan-embedded-refetch.js';
import { withLimiters } from './semaphore.js';
import { MAX_IDS_PER_REQUEST } from './sync-model.js';
import type {
  ChangesCommittedEvent,
  ClassifyError,
  EmbeddedRefreshSummary,
  Limiter,
  SyncLogger,
  SyncSource,
  SyncStore,
} from './types.js';

/**
 * Page index of the first refetch page: far above any page of a model's own pass, so a refetched parent counts as
 * fetched after the run's own pass of that model (the store orders same-second fetches by run, then page index).
 */
export const REFETCH_PAGE_INDEX_BASE = 2 ** 20;

/**
 * Rounds of refetching: a refetched parent that changed is a changed child in the next round (a renamed tag →
 * its candidates → their applications), up to this depth.
 */
export const MAX_REFRESH_ROUNDS = 3;

export interface RefreshEmbeddedCopiesDeps {
  readonly source: SyncSource;
  readonly store: SyncStore;
  /** Already bound to the integration and run. */
  readonly logger: SyncLogger;
  readonly classifyError: ClassifyError;
  /** Held (all of them) around every page fetch. */
  readonly fetchLimiters: readonly Limiter[];
  readonly onChangesCommitted?: (event: ChangesCommittedEvent) => void | Promise<void>;
}

export interface RefreshEmbeddedCopiesInput {
  readonly integrationId: string;
  readonly runId: number;
  /** Ids of the rows the run changed or deleted, per model. */
  readonly changed: ReadonlyMap<ModelName, Iterable<string>>;
  /** Whether a parent model is worth refetching (see `planEmbeddedRefetch`). */
  readonly isParentEligible: (parent: ModelName) => boolean;
  readonly signal: AbortSignal;
}

/**
 * Refreshes the copies of changed children embedded in parents whose `updated_after` Kombo does not move for them
 * (catalog `UNTRACKED_EMBEDS`): finds the parents in the mirror, refetches them with Kombo's `ids` filter
 * (≤ {@link MAX_IDS_PER_REQUEST} per request, each parent at most once per run) and writes them like delta pages.
 * Returns undefined when nothing needed a refetch. Never throws: an error stops the refresh and is reported.
 */
export async function refreshEmbeddedCopies(
  deps: RefreshEmbeddedCopiesDeps,
  input: RefreshEmbeddedCopiesInput,
): Promise<EmbeddedRefreshSummary | undefined> {
  const { integrationId, runId, signal } = input;
  const { store } = deps;
  const findParents = store.findEmbeddingParents?.bind(store);
  if (!findParents) return undefined;
  const log = deps.logger.child({ phase: 'embedded-refresh' });
  const fetched = new Map<ModelName, Set<string>>();
  let requests = 0;
  let refetched = 0;
  let upserted = 0;
  let changed: ReadonlyMap<ModelName, Iterable<string>> = input.changed;
  try {
    for (let round = 0; round < MAX_REFRESH_ROUNDS && !signal.aborted; round++) {
      const lookups = planEmbeddedRefetch(changed, { isParentEligible: input.isParentEligible });
      if (lookups.length === 0) break;
      const next = new Map<ModelName, Set<string>>();
      const parentIds = new Map<ModelName, Set<string>>();
      for (const { embed, childIds } of lookups) {
        const ids = parentIds.get(embed.parent) ?? new Set<string>();
        parentIds.set(embed.parent, ids);
        for (let start = 0; start < childIds.length; start += MAX_IDS_PER_REQUEST * 10) {
          const found = await findParents({
            integrationId,
            model: embed.parent,
            column: embed.column,
            ...(embed.path === undefined ? {} : { path: embed.path }),
            childIds: childIds.slice(start, start + MAX_IDS_PER_REQUEST * 10),
          });
          for (const id of found) ids.add(id);
        }
      }
      for (const [model, found] of parentIds) {
        const done = fetched.get(model) ?? new Set<string>();
        fetched.set(model, done);
        for (const ids of chunkParentIds(found, done, MAX_IDS_PER_REQUEST)) {
          for (const id of ids) done.add(id);
          refetched += ids.length;
          const pages = deps.source.pages(model, { integrationId, ids, signal })[Symbol.asyncIterator]();
          for (;;) {
            const step = await withLimiters(deps.fetchLimiters, () => pages.next(), signal);
            if (step.done) break;
            const page = step.value;
            requests += 1;
            const result = await store.writePage({
              integrationId,
              model,
              records: page.results,
              ...(page.rawResults ? { rawRecords: page.rawResults } : {}),
              ...(page.rejected && page.rejected.length > 0 ? { rejected: page.rejected } : {}),
              komboFetchedAt: page.komboTime,
              runId,
              pageIndex: REFETCH_PAGE_INDEX_BASE + requests,
              isFullPass: false,
            });
            upserted += result.inserted + result.updated;
            const touched = [...result.changedIds, ...result.deletedIds];
            if (touched.length > 0) {
              const ids = next.get(model) ?? new Set<string>();
              for (const id of touched) ids.add(id);
              next.set(model, ids);
              await deps.onChangesCommitted?.({
                integrationId,
                model,
                runId,
                source: 'page',
                page: requests,
                komboTime: page.komboTime,
                changedIds: result.changedIds,
                deletedIds: result.deletedIds,
                isFullPass: false,
              });
            }
          }
        }
      }
      changed = next;
    }
    if (refetched === 0) return undefined;
    log.info({ refetched, requests, upserted }, 'embedded copies refreshed');
    return { refetched, requests, upserted };
  } catch (error) {
    const info = toSyncErrorInfo(error, deps.classifyError);
    if (!signal.aborted) log.warn({ err: error, code: info.code }, 'embedded copies not refreshed');
    return { refetched, requests, upserted, error: info };
  }
}
