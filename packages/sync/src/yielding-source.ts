import { PassYieldedError, yieldReasonOf } from './errors.js';
import { closeQuietly } from './prefetch.js';
import type { SourcePage, SyncSource, YieldReason } from './types.js';

/**
 * `source` whose listings stop at a page boundary once the run yields: before each request (each `next()` of a
 * listing, which is what makes the request) `shouldYield` is asked, if given (a reason aborts `yielding` with it),
 * then `yielding` is checked, and an aborted one throws {@link PassYieldedError} instead of the request. A request
 * already in flight is not touched (its page is still handed over). The step after a listing's last page (`next`
 * null) makes no request and goes on.
 */
export function yieldingSource(
  source: SyncSource,
  yielding: AbortController,
  shouldYield?: () => Promise<YieldReason | undefined>,
): SyncSource {
  const check = async (): Promise<void> => {
    if (!yielding.signal.aborted && shouldYield) {
      const reason = await shouldYield();
      if (reason && !yielding.signal.aborted) yielding.abort(reason);
    }
    if (yielding.signal.aborted) throw new PassYieldedError(yieldReasonOf(yielding.signal));
  };
  return { pages: (model, options) => stopAtYield(source.pages(model, options), check) };
}

async function* stopAtYield(
  pages: AsyncIterable<SourcePage>,
  check: () => Promise<void>,
): AsyncGenerator<SourcePage> {
  const iterator = pages[Symbol.asyncIterator]();
  let last: SourcePage | undefined;
  let isDone = false;
  try {
    for (;;) {
      if (last?.next !== null) await check();
      const step = await iterator.next();
      if (step.done) {
        isDone = true;
        return;
      }
      last = step.value;
      yield step.value;
    }
  } finally {
    if (!isDone) closeQuietly(iterator);
  }
}
