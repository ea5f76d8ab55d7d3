import { describe, expect, it } from '@jest/globals';
import { FETCH_ORDERS_PER_RUN, fetchOrder, lastFetchOrder, MAX_FETCH_ORDER_RUN_ID } from './fetch-order.js';

describe('fetchOrder', () => {
  it('orders pages within a run, then runs, with the reconciliation mark after every page of its run', () => {
    expect(fetchOrder(3, 0)).toBe(3 * 2 ** 21);
    expect(fetchOrder(3, 1)).toBeGreaterThan(fetchOrder(3, 0));
    expect(lastFetchOrder(3)).toBeGreaterThan(fetchOrder(3, 100_000));
    expect(fetchOrder(4, 0)).toBeGreaterThan(lastFetchOrder(3));
  });

  it('stays an exact JS number up to the largest run id, and refuses larger ones', () => {
    expect(MAX_FETCH_ORDER_RUN_ID).toBe(2 ** 32);
    const largest = lastFetchOrder(MAX_FETCH_ORDER_RUN_ID - 1);
    expect(largest).toBe(2 ** 53 - 1);
    expect(Number.isSafeInteger(largest)).toBe(true);
    expect(largest).toBeGreaterThan(fetchOrder(MAX_FETCH_ORDER_RUN_ID - 1, FETCH_ORDERS_PER_RUN - 2));
    expect(() => fetchOrder(MAX_FETCH_ORDER_RUN_ID, 0)).toThrow(RangeError);
    expect(() => fetchOrder(-1, 0)).toThrow(RangeError);
    expect(() => fetchOrder(1, 0.5)).toThrow(RangeError);
  });

  it('gives page indexes past 2^21 - 1 the run last order instead of overflowing into the next run', () => {
    expect(fetchOrder(3, FETCH_ORDERS_PER_RUN + 5)).toBe(lastFetchOrder(3));
    expect(fetchOrder(3, FETCH_ORDERS_PER_RUN + 5)).toBeLessThan(fetchOrder(4, 0));
  });
});
