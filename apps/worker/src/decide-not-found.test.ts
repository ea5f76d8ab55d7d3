import { describe, expect, it } from '@jest/globals';
import { decideNotFound } from './decide-not-found.js';

const HOUR_MS = 3_600_000;
const t0 = Date.parse('2026-12-01T00:00:00.000Z');

describe('decideNotFound', () => {
  it('starts a streak on the first answer', () => {
    expect(decideNotFound(null, t0, 24 * HOUR_MS)).toEqual({ action: 'flag', since: new Date(t0) });
  });

  it('keeps flagging within the grace, from the streak start', () => {
    const since = new Date(t0);
    expect(decideNotFound(since, t0 + 23 * HOUR_MS, 24 * HOUR_MS)).toEqual({ action: 'flag', since });
  });

  it('confirms an answer at least the grace after the streak start', () => {
    const since = new Date(t0);
    expect(decideNotFound(since, t0 + 24 * HOUR_MS, 24 * HOUR_MS)).toEqual({ action: 'confirm', since });
  });

  it('a zero grace (the opt-out) confirms the first answer', () => {
    expect(decideNotFound(null, t0, 0)).toEqual({ action: 'confirm', since: new Date(t0) });
  });
});
