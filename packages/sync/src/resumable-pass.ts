import { getModel, type ModelName } from '@kombo-sync/catalog';
import { PassYieldedError } from './errors.js';
import type {
  ClassifyError,
  ModelState,
  OpenPassState,
  PassCheckpoint,
  SourcePage,
  SyncLogger,
  SyncStore,
} from './types.js';

/** The source refused a resumed pass's checkpointed cursor: the pass starts over from page 1. */
export class PassRestartError extends Error {
  readonly code = 'SYNC.CURSOR_REJECTED';
  constructor(model: ModelName, cause: unknown) {
    super(`the source refused the checkpointed cursor of ${model}: the pass starts over`, { cause });
    this.name = 'PassRestartError';
  }
}

/** How a model's pass relates to the store's resumable passes. */
export interface PassPlan {
  /**
   * The pass the pages' seen ids go to: the resumable pass (new or resumed) of a full pass, the open pass on a
   * delta; undefined when nothing is recorded (the store's default: the run itself on a full pass).
   */
  readonly passId?: number;
  /** The open pass this run resumes. */
  readonly resume?: OpenPassState;
  /** A new resumable pass: the store records it once the first page tells its Kombo time. */
  readonly isNew: boolean;
}

/**
 * Decides whether a model's pass resumes an open pass, opens a new one, or is not resumable (a delta, an endpoint
 * without cursors, a store without passes). An open pass whose seen ids are gone, whose cursor is older than
 * `cursorMaxAgeMs`, or that `shouldRestart` is discarded first.
 */
export async function planPass(
  store: SyncStore,
  log: SyncLogger,
  input: {
    readonly integrationId: string;
    readonly model: ModelName;
    readonly runId: number;
    readonly isFullPass: boolean;
    readonly state: ModelState | undefined;
    readonly cursorMaxAgeMs: number;
  },
): Promise<PassPlan> {
  const { integrationId, model, state } = input;
  const open = state?.openPass ?? undefined;
  if (!input.isFullPass) return { isNew: false, ...(open ? { passId: open.passId } : {}) };
  if (!store.openPass || !store.discardPass || getModel(model).paging === 'none') return { isNew: false };
  if (open) {
    const reason = !open.isIntact
      ? 'the ids it saw are gone (Postgres restarted)'
      : open.cursor !== null && open.cursorAgeMs > input.cursorMaxAgeMs
        ? 'its cursor is older than the bound'
        : undefined;
    if (!reason) {
      log.info({ passId: open.passId, pages: open.pages }, 'resuming the open pass at its checkpoint');
      return { passId: open.passId, resume: open, isNew: false };
    }
    log.warn({ passId: open.passId, pages: open.pages, reason }, 'open pass discarded: starting over');
    await store.discardPass({ integrationId, model });
  }
  return { passId: input.runId, isNew: true };
}

/**
 * Which pages of the listing are committed, so each page's transaction checkpoints the pass only when every
 * earlier page is committed (pages are written concurrently and commit out of order): the checkpoint is always
 * the highest contiguous committed page, and a resumed pass refetches at most the pages written concurrently. A
 * page whose later neighbours committed first carries the checkpoint past them.
 */
export class PassProgress {
  private contiguous: number;
  /** The next cursor of the last page of the contiguous prefix. */
  private cursor: string | null = null;
  /** Committed pages beyond the contiguous prefix, with their next cursors. */
  private readonly committed = new Map<number, string | null>();
  /** The checkpoint each page's transaction was handed, until the page is known committed. */
  private readonly carried = new Map<number, PassCheckpoint>();
  /** Pages the last checkpoint a committed page carried covers: where the store's checkpoint stands. */
  private written: number;

  /** `pages`: pages of the listing already checkpointed (a resumed pass), 0 for a new one. */
  constructor(
    private readonly passId: number,
    pages: number,
  ) {
    this.contiguous = pages;
    this.written = pages;
  }

  /** The checkpoint page `page` (1-based) writes, asked when its transaction is about to commit. */
  checkpointFor(page: number, cursor: string | null): () => PassCheckpoint | undefined {
    return () => {
      if (this.contiguous < page - 1) return undefined;
      let pages = page;
      let next = cursor;
      for (let later = page + 1; this.committed.has(later); later += 1) {
        pages = later;
        next = this.committed.get(later) ?? null;
      }
      const checkpoint = { passId: this.passId, pages, cursor: next };
      this.carried.set(page, checkpoint);
      return checkpoint;
    };
  }

  /** Page `page`'s transaction committed; `cursor` is the page's next. */
  markCommitted(page: number, cursor: string | null): void {
    this.committed.set(page, cursor);
    const carried = this.carried.get(page);
    this.carried.delete(page);
    if (carried) this.written = Math.max(this.written, carried.pages);
    while (this.committed.has(this.contiguous + 1)) {
      this.contiguous += 1;
      this.cursor = this.committed.get(this.contiguous) ?? null;
      this.committed.delete(this.contiguous);
    }
  }

  /**
   * The checkpoint of the highest contiguous committed page when no committed page carried it (its transaction
   * was asked before a neighbour's commit was known), else undefined: what a pass stopping now should still write.
   */
  unwritten(): PassCheckpoint | undefined {
    if (this.contiguous <= this.written) return undefined;
    return { passId: this.passId, pages: this.contiguous, cursor: this.cursor };
  }
}

/**
 * The listing of a resumed pass: a first request the source refuses for its parameters (the checkpointed cursor
 * expired or is unknown) becomes {@link PassRestartError}; any later error is the listing's own.
 */
export async function* resumedListing(
  model: ModelName,
  pages: AsyncIterable<SourcePage>,
  classify: ClassifyError,
): AsyncGenerator<SourcePage> {
  const iterator = pages[Symbol.asyncIterator]();
  let isFirst = true;
  let isDone = false;
  try {
    for (;;) {
      let result: IteratorResult<SourcePage>;
      try {
        result = await iterator.next();
      } catch (error) {
        isDone = true;
        const isYield = error instanceof PassYieldedError;
        if (isFirst && !isYield && isRejected(error, classify)) throw new PassRestartError(model, error);
        throw error;
      }
      if (result.done) {
        isDone = true;
        return;
      }
      isFirst = false;
      yield result.value;
    }
  } finally {
    if (!isDone) await iterator.return?.();
  }
}

function isRejected(error: unknown, classify: ClassifyError): boolean {
  try {
    return classify(error).isRequestRejected === true;
  } catch {
    return false;
  }
}
