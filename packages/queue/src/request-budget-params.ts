/** What a request budget is tuned by; see {@link budgetParams} for the defaults. */
export interface RequestBudgetOptions {
  /** Most requests per second the whole fleet sends with this API key (KOMBO_MAX_REQUESTS_PER_SECOND). > 0. */
  maxRequestsPerSecond: number;
  /** Requests that may go at once after an idle spell (KOMBO_REQUEST_BURST). Integer >= 1. Default: the rate, rounded up. */
  burst?: number;
  /** Floor of the adaptive rate, req/s. Default: the max rate / 64 (six halvings). */
  minRequestsPerSecond?: number;
  /** Additive recovery of the rate after a decrease, req/s per second. Default: the max rate / 20 (half to full in 10 s). */
  recoveryPerSecond?: number;
}

/** The budget's numbers, validated, defaults filled in. */
export interface BudgetParams {
  maxRate: number;
  burst: number;
  minRate: number;
  recoveryPerSecond: number;
}

/** Validates `options` and fills in the defaults; throws a RangeError naming the bad option. */
export function budgetParams(options: RequestBudgetOptions): BudgetParams {
  const maxRate = options.maxRequestsPerSecond;
  if (!Number.isFinite(maxRate) || maxRate <= 0)
    throw new RangeError(`maxRequestsPerSecond must be > 0, got ${maxRate}`);
  const burst = options.burst ?? Math.ceil(maxRate);
  if (!Number.isInteger(burst) || burst < 1)
    throw new RangeError(`burst must be an integer >= 1, got ${burst}`);
  const minRate = options.minRequestsPerSecond ?? maxRate / 64;
  if (!Number.isFinite(minRate) || minRate <= 0 || minRate > maxRate) {
    throw new RangeError(`minRequestsPerSecond must be in (0, maxRequestsPerSecond], got ${minRate}`);
  }
  const recoveryPerSecond = options.recoveryPerSecond ?? maxRate / 20;
  if (!Number.isFinite(recoveryPerSecond) || recoveryPerSecond <= 0)
    throw new RangeError(`recoveryPerSecond must be > 0, got ${recoveryPerSecond}`);
  return { maxRate, burst, minRate, recoveryPerSecond };
}

/**
 * The adaptive rate at `nowMs`: the max rate until a key-wide 429 set `rate0` at `at0`, then `rate0` plus
 * `recoveryPerSecond` for every second since, capped at the max. The Lua scripts compute the same (`RATE_LUA`).
 */
export function effectiveRate(
  params: BudgetParams,
  state: { rate0?: number; at0?: number },
  nowMs: number,
): number {
  if (state.rate0 === undefined || state.at0 === undefined) return params.maxRate;
  const recovered = state.rate0 + (params.recoveryPerSecond * Math.max(0, nowMs - state.at0)) / 1000;
  return Math.min(params.maxRate, recovered);
}
