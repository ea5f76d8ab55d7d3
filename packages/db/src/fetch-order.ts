/**
 * Fetch order: the tie-break of `kombo_fetched_at`, whose source (Kombo's `Date` header) has 1 s resolution.
 *
 * `fetchOrder = runId * 2^21 + pageIndex`, where `pageIndex` is the 0-based position of the page within its
 * model's pass. Pages of one pass are fetched one after another, so within a run the index is the fetch order; run
 * ids come from a Postgres sequence, so between runs a later-started run counts as the later fetch. Two fetches in
 * the same Kombo second are thus ordered by (run, page) instead of by whichever write commits last.
 *
 * Range: the order is a JS number (exact below 2^53) stored as a bigint. Run ids below 2^32 (4.29e9 runs) keep it
 * below 2^53; a larger run id throws a RangeError rather than store an inexact order. Page indexes of 2^21 − 1
 * (2,097,151 pages in one pass, about 524M records at 250 per page) and above share the run's last order; such
 * pages then tie with each other as they did before fetch orders existed.
 */

/** Orders available to the pages of one run's pass of one model: 2^21. */
export const FETCH_ORDERS_PER_RUN = 2 ** 21;

/** Run ids from this one on would make the order exceed 2^53 (inexact as a JS number): 2^32. */
export const MAX_FETCH_ORDER_RUN_ID = 2 ** 53 / FETCH_ORDERS_PER_RUN;

/**
 * The order of the `pageIndex`-th page (0-based, in fetch order) of run `runId`'s pass: `runId * 2^21 +
 * min(pageIndex, 2^21 − 1)`. Throws a RangeError when `runId` or `pageIndex` is not a non-negative integer or
 * `runId` ≥ 2^32.
 */
export function fetchOrder(runId: number, pageIndex: number): number {
  if (!Number.isInteger(runId) || runId < 0 || runId >= MAX_FETCH_ORDER_RUN_ID) {
    throw new RangeError(`runId ${runId} cannot be ordered: it must be an integer in [0, 2^32)`);
  }
  if (!Number.isInteger(pageIndex) || pageIndex < 0) {
    throw new RangeError(`pageIndex ${pageIndex} must be a non-negative integer`);
  }
  return runId * FETCH_ORDERS_PER_RUN + Math.min(pageIndex, FETCH_ORDERS_PER_RUN - 1);
}

/**
 * The highest order of run `runId`: what a reconciliation marks its deletions with. It follows every page of the
 * run's pass (the deletion is known only once the whole pass is read) and precedes every page of any later run.
 */
export function lastFetchOrder(runId: number): number {
  return fetchOrder(runId, FETCH_ORDERS_PER_RUN - 1);
}
