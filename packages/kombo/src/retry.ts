import { KomboError, KomboNetworkError, KomboRateLimitError, KomboServerError } from './errors.js';

/** Base of the exponential backoff between in-client retries, in ms (attempt n waits up to base * 2^n). */
export const RETRY_BASE_DELAY_MS = 250;

type HeaderValue = string | string[] | undefined;

function firstHeader(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long the server asked us to wait, in ms: `Retry-After` as seconds or an HTTP date (measured against the
 * response's own `Date` header when present, so our clock's skew does not matter), else `ratelimit-reset`
 * (seconds). Undefined when neither header is usable.
 */
export function parseRetryAfterMs(
  headers: Record<string, HeaderValue>,
  now: () => number = Date.now,
): number | undefined {
  const retryAfter = firstHeader(headers['retry-after'])?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) {
      const serverNow = Date.parse(firstHeader(headers['date']) ?? '');
      return Math.max(0, at - (Number.isNaN(serverNow) ? now() : serverNow));
    }
  }
  const reset = firstHeader(headers['ratelimit-reset'])?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Math.round(Number(reset) * 1000);
  return undefined;
}

/** Full-jitter exponential backoff: a random wait in [0, min(capMs, base * 2^attempt)], attempt counted from 0. */
export function backoffDelayMs(attempt: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, RETRY_BASE_DELAY_MS * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * The wait before retrying `error` inside the client, or undefined when it must surface instead: only network
 * faults, 5xx and throttling are retried here, and only when the server's requested wait fits in `maxRetryWaitMs`.
 */
export function retryDelayMs(error: unknown, attempt: number, maxRetryWaitMs: number): number | undefined {
  if (!(error instanceof KomboError) || !error.isRetryable) return undefined;
  const isTransient =
    error instanceof KomboNetworkError ||
    error instanceof KomboServerError ||
    error instanceof KomboRateLimitError;
  if (!isTransient) return undefined;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= maxRetryWaitMs ? error.retryAfterMs : undefined;
  }
  return backoffDelayMs(attempt, maxRetryWaitMs);
}

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Longest wait the client sleeps through itself; a longer requested wait surfaces as the error. */
  maxRetryWaitMs: number;
  sleep: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  onRetry?: (error: KomboError, attempt: number, waitMs: number) => void;
}

/** Runs `attempt` and retries short transient faults (see `retryDelayMs`) up to `maxRetries` times. */
export async function withRetry<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      const waitMs =
        attempt < options.maxRetries ? retryDelayMs(error, attempt, options.maxRetryWaitMs) : undefined;
      if (waitMs === undefined || options.signal?.aborted) throw error;
      options.onRetry?.(error as KomboError, attempt, waitMs);
      await options.sleep(waitMs);
    }
  }
}
