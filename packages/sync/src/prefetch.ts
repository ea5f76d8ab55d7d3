type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** Settles like `promise`, or rejects with the signal's reason as soon as `signal` aborts (whichever is first). */
export function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export interface PrefetchOptions {
  /** Wraps every `next()` call of the underlying iterator, e.g. to hold a concurrency permit during the fetch. */
  readonly guard?: <R>(fn: () => Promise<R>) => Promise<R>;
  /** Stops the iteration: a pending fetch is no longer awaited and the generator throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Iterates `iterable` one item ahead: as soon as item n is handed to the consumer, the fetch of item n+1 starts,
 * so a consumer that awaits slow work per item (a page write) overlaps it with the next fetch. At most one item is
 * buffered besides the one being consumed, so memory stays flat.
 *
 * The underlying iterator is closed (without waiting) when the consumer stops early or the signal aborts; a fetch
 * in flight at that point is abandoned, and its result or error is dropped.
 */
export async function* prefetch<T>(
  iterable: AsyncIterable<T>,
  options: PrefetchOptions = {},
): AsyncGenerator<T, void> {
  const { guard = (fn) => fn(), signal } = options;
  const iterator = iterable[Symbol.asyncIterator]();
  const fetchNext = (): Promise<Settled<IteratorResult<T>>> => settle(guard(() => iterator.next()));
  let isDone = false;
  try {
    let pending = fetchNext();
    for (;;) {
      const settled = await raceAbort(pending, signal);
      if (!settled.ok) {
        isDone = true;
        throw settled.error;
      }
      if (settled.value.done) {
        isDone = true;
        return;
      }
      pending = fetchNext();
      yield settled.value.value;
      if (signal?.aborted) throw signal.reason;
    }
  } finally {
    // Never await return(): an async generator queues it behind a fetch that may ignore the signal.
    if (!isDone) closeQuietly(iterator);
  }
}

/** Closes `iterator` without waiting for it and without letting its return() fail the caller. */
export function closeQuietly(iterator: AsyncIterator<unknown>): void {
  try {
    const result = iterator.return?.();
    if (result) result.then(undefined, () => undefined);
  } catch {
    // A throwing return() changes nothing for us: the iteration is over either way.
  }
}
