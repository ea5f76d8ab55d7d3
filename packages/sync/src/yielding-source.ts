import { PassYieldedError, yieldReasonOf } from './errors.js';
import { closeQuietly } from './prefetch.js';
import type { SourcePage, SyncSource } from './types.js';

/**
 * `source` whose listings stop at a page boundary once `yieldSignal` aborts: before each request (each `next()` of
 * a listing, which is what makes the request) the signal is checked, and an aborted one throws
 * {@link PassYieldedError} instead. A request already in flight is not touched (its page is still handed over). The
 * step after a listing's last page (`next` null) makes no request and goes on.
 */
export function yieldingSource(source: SyncSource, yieldSignal: AbortSignal | undefined): SyncSource {
  if (!yieldSignal) return source;
  return { pages: (model, options) => stopAtYield(source.pages(model, options), yieldSignal) };
}

async function* stopAtYield(
  pages: AsyncIterable<SourcePage>,
  yieldSignal: AbortSignal,
): AsyncGenerator<SourcePage> {
  const iterator = pages[Symbol.asyncIterator]();
  let last: SourcePage | undefined;
  let isDone = false;
  try {
    for (;;) {
      if (yieldSignal.aborted && last?.next !== null) throw new PassYieldedError(yieldReasonOf(yieldSignal));
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
