import type { Limiter } from './types.js';

interface Waiter {
  grant: () => void;
}

/** A counting semaphore (FIFO). Implements `Limiter`. */
export class Semaphore implements Limiter {
  readonly #max: number;
  readonly #waiters: Waiter[] = [];
  #inUse = 0;

  /** @param max permits available at once; an integer >= 1. */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`Semaphore size must be an integer >= 1, got ${max}`);
    this.#max = max;
  }

  /** Permits currently held. */
  get inUse(): number {
    return this.#inUse;
  }

  /**
   * Waits for a permit. Resolves with a release function (idempotent); rejects with the signal's reason if `signal`
   * aborts while waiting (no permit is then held).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#inUse < this.#max) {
      this.#inUse += 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.#releaser());
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs `fn` holding a permit; the permit is released when `fn` settles. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #releaser(): () => void {
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      const next = this.#waiters.shift();
      // Hand the permit straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
      if (next) next.grant();
      else this.#inUse -= 1;
    };
  }
}

/** Runs `fn` holding one permit of each limiter, acquired in order and released in reverse. */
export async function withLimiters<T>(
  limiters: readonly Limiter[],
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const releases: Array<() => void> = [];
  try {
    for (const limiter of limiters) releases.push(await limiter.acquire(signal));
    return await fn();
  } finally {
    for (const release of releases.reverse()) release();
  }
}
