// Test support (`@kombo-sync/db/testing`): the times and ids the writePage suites share.

/** Two `changed_at` values, T0 before T1. */
export const T0 = '2026-01-01T00:00:00.000Z';
export const T1 = '2026-01-02T00:00:00.000Z';
/** Two Kombo fetch times (`komboFetchedAt`), FETCH_0 before FETCH_1. */
export const FETCH_0 = new Date('2026-02-01T00:00:00Z');
export const FETCH_1 = new Date('2026-02-02T00:00:00Z');

let suffix = 0;
/** A fresh integration id per test, so tests share the database without seeing each other's rows. */
export const newIntegration = (): string => `personio:test${++suffix}`;
