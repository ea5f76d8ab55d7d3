import { describe, expect, it } from '@jest/globals';
import { budgetParams, effectiveRate } from './request-budget-params.js';

describe('budgetParams', () => {
  it('defaults the burst to the rate (rounded up), the floor to 1/64 and the recovery to 1/20 of it', () => {
    expect(budgetParams({ maxRequestsPerSecond: 20 })).toEqual({
      maxRate: 20,
      burst: 20,
      minRate: 20 / 64,
      recoveryPerSecond: 1,
    });
    expect(budgetParams({ maxRequestsPerSecond: 0.5 }).burst).toBe(1);
  });

  it('rejects rates, bursts and floors that make no sense, naming the option', () => {
    expect(() => budgetParams({ maxRequestsPerSecond: 0 })).toThrow(/maxRequestsPerSecond/);
    expect(() => budgetParams({ maxRequestsPerSecond: 10, burst: 0 })).toThrow(/burst/);
    expect(() => budgetParams({ maxRequestsPerSecond: 10, burst: 1.5 })).toThrow(/burst/);
    expect(() => budgetParams({ maxRequestsPerSecond: 10, minRequestsPerSecond: 11 })).toThrow(
      /minRequestsPerSecond/,
    );
    expect(() => budgetParams({ maxRequestsPerSecond: 10, recoveryPerSecond: 0 })).toThrow(
      /recoveryPerSecond/,
    );
  });
});

describe('effectiveRate', () => {
  const params = budgetParams({ maxRequestsPerSecond: 20, recoveryPerSecond: 2 });

  it('is the max rate until a decrease', () => {
    expect(effectiveRate(params, {}, 1_000)).toBe(20);
  });

  it('grows back additively from the decreased rate and stops at the max', () => {
    const state = { rate0: 5, at0: 10_000 };
    expect(effectiveRate(params, state, 10_000)).toBe(5);
    expect(effectiveRate(params, state, 12_500)).toBe(10);
    expect(effectiveRate(params, state, 17_500)).toBe(20);
    expect(effectiveRate(params, state, 60_000)).toBe(20);
  });

  it('never goes below the decreased rate when asked about an earlier instant', () => {
    expect(effectiveRate(params, { rate0: 5, at0: 10_000 }, 9_000)).toBe(5);
  });
});
