/** How failed deliveries are retried, given up and how a failing endpoint is disabled. */
export interface RetryPolicy {
  /** Delay before the first retry, ms. Default 5 s. */
  firstDelayMs: number;
  /** Each retry waits this many times longer than the one before. Default 3. */
  factor: number;
  /** Longest delay between two attempts, ms. Default 4 h. */
  maxDelayMs: number;
  /** Each delay is multiplied by a uniform random factor in [1 - jitter, 1 + jitter]. Default 0.2. */
  jitter: number;
  /**
   * A delivery is retried until an attempt fails this long after its first attempt, then it is dead (a dead
   * letter, replayable). Default 24 h (WEBHOOK_RETRY_WINDOW_MS).
   */
  retryWindowMs: number;
  /**
   * An endpoint whose attempts have all failed for this long (no 2xx since the first failure) is disabled.
   * Default 5 days (WEBHOOK_DISABLE_AFTER_MS).
   */
  disableAfterMs: number;
}

const HOUR_MS = 60 * 60 * 1000;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  firstDelayMs: 5_000,
  factor: 3,
  maxDelayMs: 4 * HOUR_MS,
  jitter: 0.2,
  retryWindowMs: 24 * HOUR_MS,
  disableAfterMs: 5 * 24 * HOUR_MS,
};

/** The wait after failed attempt number `attempt` (1 for the first), before jitter, ms. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * policy.factor ** Math.max(0, attempt - 1));
}

export interface FailureInput {
  /** The attempt that failed, 1 for the first. */
  attempt: number;
  firstAttemptAt: Date;
  /** Start of the endpoint's failure streak, this failure included. */
  failingSince: Date;
  now: Date;
  statusCode: number | null;
  /** The receiver's `Retry-After`, ms, when it sent one. */
  retryAfterMs?: number;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
}

export type FailureDecision =
  { kind: 'retry'; at: Date } | { kind: 'dead' } | { kind: 'disable'; reason: string };

/**
 * What follows a failed attempt: `410 Gone` disables the endpoint (Standard Webhooks: the receiver wants no more);
 * an endpoint failing for `disableAfterMs` is disabled; a delivery whose retry window is over is dead; else a retry
 * after the exponential backoff with jitter, or the receiver's `Retry-After` when that is longer (capped at
 * `maxDelayMs`).
 */
export function decideAfterFailure(policy: RetryPolicy, input: FailureInput): FailureDecision {
  const now = input.now.getTime();
  if (input.statusCode === 410) return { kind: 'disable', reason: 'the endpoint answered 410 Gone' };
  if (now - input.failingSince.getTime() >= policy.disableAfterMs)
    return {
      kind: 'disable',
      reason: `every attempt failed for ${Math.round(policy.disableAfterMs / HOUR_MS)} h`,
    };
  if (now - input.firstAttemptAt.getTime() >= policy.retryWindowMs) return { kind: 'dead' };
  const random = input.random ?? Math.random;
  const jittered = backoffMs(policy, input.attempt) * (1 - policy.jitter + 2 * policy.jitter * random());
  const delay = Math.min(policy.maxDelayMs, Math.max(jittered, input.retryAfterMs ?? 0));
  return { kind: 'retry', at: new Date(now + Math.round(delay)) };
}
