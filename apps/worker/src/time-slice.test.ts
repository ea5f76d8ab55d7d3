import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { startTimeSlice } from './time-slice.js';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

const nobodyWaits = () => Promise.resolve(false);

describe('startTimeSlice', () => {
  it('slices no change, and nothing with slices off', () => {
    expect(
      startTimeSlice({ lane: 'delta', sliceMs: 1_000, isFirstSliceWaiting: nobodyWaits }).signal,
    ).toBeUndefined();
    expect(
      startTimeSlice({ lane: 'bulk', sliceMs: 0, isFirstSliceWaiting: nobodyWaits }).signal,
    ).toBeUndefined();
  });

  it('ends a bulk slice after its length, with reason slice', () => {
    const slice = startTimeSlice({ lane: 'bulk', sliceMs: 20_000, isFirstSliceWaiting: nobodyWaits });
    jest.advanceTimersByTime(19_999);
    expect(slice.signal?.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(slice.signal?.aborted).toBe(true);
    expect(slice.signal?.reason).toBe('slice');
  });

  it('a bulk slice whose length is over ends only once it wrote its least pages', () => {
    const slice = startTimeSlice({
      lane: 'bulk',
      sliceMs: 1_000,
      minPages: 3,
      isFirstSliceWaiting: nobodyWaits,
    });
    slice.onPageWritten();
    jest.advanceTimersByTime(5_000);
    expect(slice.signal?.aborted).toBe(false);
    slice.onPageWritten();
    expect(slice.signal?.aborted).toBe(false);
    slice.onPageWritten();
    expect(slice.signal?.aborted).toBe(true);
    expect(slice.signal?.reason).toBe('slice');
  });

  it('a bulk slice that wrote its least pages early ends at its length', () => {
    const slice = startTimeSlice({
      lane: 'bulk',
      sliceMs: 1_000,
      minPages: 2,
      isFirstSliceWaiting: nobodyWaits,
    });
    slice.onPageWritten();
    slice.onPageWritten();
    slice.onPageWritten();
    expect(slice.signal?.aborted).toBe(false);
    jest.advanceTimersByTime(1_000);
    expect(slice.signal?.aborted).toBe(true);
  });

  it('a stopped slice never ends', () => {
    const slice = startTimeSlice({ lane: 'bulk', sliceMs: 1_000, isFirstSliceWaiting: nobodyWaits });
    slice.stop();
    jest.advanceTimersByTime(10_000);
    expect(slice.signal?.aborted).toBe(false);
  });

  it('an onboarding slice gives way to a waiting first slice once it has rows, after its share', async () => {
    let isWaiting = true;
    const slice = startTimeSlice({
      lane: 'onboarding',
      sliceMs: 20_000,
      isFirstSliceWaiting: () => Promise.resolve(isWaiting),
      onboardingShareMs: 3_000,
      checkEveryMs: 500,
    });
    // No rows yet: it keeps the slot, however many wait.
    await jest.advanceTimersByTimeAsync(5_000);
    expect(slice.signal?.aborted).toBe(false);
    isWaiting = false;
    slice.onPageCommitted();
    // Rows, but nobody waits: it goes on.
    await jest.advanceTimersByTimeAsync(2_000);
    expect(slice.signal?.aborted).toBe(false);
    isWaiting = true;
    await jest.advanceTimersByTimeAsync(500);
    expect(slice.signal?.aborted).toBe(true);
    expect(slice.signal?.reason).toBe('slice');
  });

  it('an onboarding slice with rows keeps its slot for its share, and runs its length when nobody waits', async () => {
    const early = startTimeSlice({
      lane: 'onboarding',
      sliceMs: 20_000,
      isFirstSliceWaiting: () => Promise.resolve(true),
      onboardingShareMs: 3_000,
    });
    early.onPageCommitted();
    await jest.advanceTimersByTimeAsync(2_999);
    expect(early.signal?.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(early.signal?.aborted).toBe(true);

    const alone = startTimeSlice({ lane: 'onboarding', sliceMs: 20_000, isFirstSliceWaiting: nobodyWaits });
    alone.onPageCommitted();
    await jest.advanceTimersByTimeAsync(19_999);
    expect(alone.signal?.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(alone.signal?.aborted).toBe(true);
  });
});
