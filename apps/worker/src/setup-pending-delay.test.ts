import { describe, expect, it } from '@jest/globals';
import { SETUP_PENDING_MAX_DELAY_MS, setupPendingDelayMs } from './setup-pending-delay.js';

describe('setupPendingDelayMs', () => {
  it('doubles from the base on each answer in a row', () => {
    expect([1, 2, 3, 4].map((n) => setupPendingDelayMs(n, 30_000))).toEqual([
      30_000, 60_000, 120_000, 240_000,
    ]);
  });

  it('is capped at 1 h, however long the streak', () => {
    expect(setupPendingDelayMs(8, 30_000)).toBe(SETUP_PENDING_MAX_DELAY_MS);
    expect(setupPendingDelayMs(10_000, 30_000)).toBe(SETUP_PENDING_MAX_DELAY_MS);
  });

  it("never waits less than Kombo's Retry-After", () => {
    expect(setupPendingDelayMs(1, 30_000, 90_000)).toBe(90_000);
    expect(setupPendingDelayMs(3, 30_000, 90_000)).toBe(120_000);
  });
});
