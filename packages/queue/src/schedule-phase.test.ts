import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { isOnPhase, nextPhaseSlotMs, schedulePhaseMs } from './schedule-phase.js';

const MINUTE_MS = 60_000;
const SIX_HOURS_MS = 6 * 60 * MINUTE_MS;
const WEEK_MS = 7 * 24 * 60 * MINUTE_MS;

/** Most phases in one minute of the interval. */
function busiestMinute(phases: readonly number[]): number {
  const perMinute = new Map<number, number>();
  for (const phase of phases) {
    const minute = Math.floor(phase / MINUTE_MS);
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
  }
  return Math.max(...perMinute.values());
}

describe('schedulePhaseMs', () => {
  it('is stable, within [0, interval), and the same fraction of any interval', () => {
    const id = 'personio:acme';
    expect(schedulePhaseMs(id, SIX_HOURS_MS)).toBe(schedulePhaseMs(id, SIX_HOURS_MS));
    for (const every of [1, 10_000, SIX_HOURS_MS, WEEK_MS]) {
      const phase = schedulePhaseMs(id, every);
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(every);
    }
    expect(schedulePhaseMs(id, WEEK_MS) / WEEK_MS).toBeCloseTo(
      schedulePhaseMs(id, SIX_HOURS_MS) / SIX_HOURS_MS,
      5,
    );
  });

  it.each([
    ['uuids', () => randomUUID()],
    ['sequential ids', (i: number) => `personio:customer-${i}`],
  ])('spreads 1,000 %s evenly: at most 2%% in any minute of 6 h, at most 15%% per tenth', (_, idOf) => {
    const ids = Array.from({ length: 1_000 }, (_, i) => idOf(i));
    const phases = ids.map((id) => schedulePhaseMs(id, SIX_HOURS_MS));
    // Uniform: 2.8 per minute on average; 20 would be a 2% clump.
    expect(busiestMinute(phases)).toBeLessThanOrEqual(20);
    const tenths = new Array<number>(10).fill(0);
    for (const phase of phases) tenths[Math.floor((phase / SIX_HOURS_MS) * 10)]! += 1;
    // 100 expected per tenth; 150 is more than 5 standard deviations (σ ≈ 9.5) above.
    for (const count of tenths) expect(count).toBeLessThanOrEqual(150);
    expect(busiestMinute(ids.map((id) => schedulePhaseMs(id, WEEK_MS)))).toBeLessThanOrEqual(20);
  });
});

describe('nextPhaseSlotMs', () => {
  it('is the first time on the phase at or after the bound', () => {
    const every = 1_000;
    expect(nextPhaseSlotMs(250, every, 10_000)).toBe(10_250);
    expect(nextPhaseSlotMs(250, every, 10_250)).toBe(10_250);
    expect(nextPhaseSlotMs(250, every, 10_251)).toBe(11_250);
    expect(isOnPhase(11_250, 250, every)).toBe(true);
    expect(isOnPhase(11_251, 250, every)).toBe(false);
  });
});
