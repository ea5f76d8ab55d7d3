export {
  DEFAULT_WRITE_CONCURRENCY,
  runIntegrationSync,
  type RunIntegrationSyncDeps,
  type RunIntegrationSyncInput,
} from './run-integration-sync.js';
export { syncModel, type SyncModelInput } from './sync-model.js';
export type { SyncModelDeps } from './model-pass.js';
export { MAX_IDS_PER_REQUEST } from './pass-pages.js';
export {
  PENDING_BATCH_SIZE,
  REFETCH_PAGE_INDEX_BASE,
  refreshEmbeddedCopies,
  type RefreshEmbeddedCopiesDeps,
  type RefreshEmbeddedCopiesInput,
} from './refresh-embedded-copies.js';
export {
  chunkParentIds,
  embeddedChildLevels,
  planEmbeddedRefetch,
  type EmbeddedParentLookup,
} from './plan-embedded-refetch.js';
export { Semaphore, withLimiters } from './semaphore.js';
export { prefetch, raceAbort, type PrefetchOptions } from './prefetch.js';
export {
  PassYieldedError,
  SyncSourceContractError,
  failModelOnError,
  toSyncErrorInfo,
  yieldReasonOf,
} from './errors.js';
export { yieldingSource } from './yielding-source.js';
export type * from './types.js';
export type { SyncHandler, SyncHandlerContext, SyncHandlers } from './handlers.js';
export { PassRestartError } from './resumable-pass.js';
