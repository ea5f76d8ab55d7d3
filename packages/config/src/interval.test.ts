import { describe, expect, it } from '@jest/globals';
import { formatDurationMs, parseDurationMs } from './interval.js';

describe('parseDurationMs', () => {
  it('reads ms and units', () => {
    expect(parseDurationMs('90000')).toBe(90_000);
    expect(parseDurationMs('90s')).toBe(90_000);
    expect(parseDurationMs('30m')).toBe(1_800_000);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs(' 7d ')).toBe(604_800_000);
  });
  it('refuses what is not a duration', () => {
    for (const text of ['', 'soon', '-1h', '6 hours', '1e3']) expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe('formatDurationMs', () => {
  it('uses the largest unit that divides', () => {
    expect(formatDurationMs(604_800_000)).toBe('7d');
    expect(formatDurationMs(21_600_000)).toBe('6h');
    expect(formatDurationMs(90_000)).toBe('90s');
    expect(formatDurationMs(1_500)).toBe('1500ms');
  });
});
