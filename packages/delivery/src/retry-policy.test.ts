import { describe, expect, it } from '@jest/globals';
import { backoffMs, decideAfterFailure, DEFAULT_RETRY_POLICY, type FailureDecision } from './retry-policy.js';

const HOUR = 3_600_000;
const policy = DEFAULT_RETRY_POLICY;

/** Simulates a receiver that always fails: the times of every attempt until the delivery is dead. */
function schedule(random: () => number): number[] {
  const start = 0;
  const attempts = [start];
  for (let attempt = 1; ; attempt++) {
    const now = attempts[attempts.length - 1]!;
    const decision: FailureDecision = decideAfterFailure(policy, {
      attempt,
      firstAttemptAt: new Date(start),
      failingSince: new Date(start),
      now: new Date(now),
      statusCode: 500,
      random,
    });
    if (decision.kind !== 'retry') return attempts;
    attempts.push(decision.at.getTime());
  }
}

describe('retry policy', () => {
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(policy, n))).toEqual([5_000, 15_000, 45_000, 135_000]);
    expect(backoffMs(policy, 30)).toBe(4 * HOUR);
  });

  it('retries for at least 24 h whatever the jitter, then the delivery is dead', () => {
    for (const random of [() => 0, () => 0.5, () => 0.999999]) {
      const times = schedule(random);
      const last = times[times.length - 1]!;
      expect(last).toBeGreaterThanOrEqual(24 * HOUR);
      expect(last).toBeLessThan(24 * HOUR + 4.8 * HOUR);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      expect(gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1]! * 0.5)).toBe(true);
    }
  });

  it('jitter spreads the retries of one attempt number', () => {
    const at = (r: number) =>
      decideAfterFailure(policy, {
        attempt: 3,
        firstAttemptAt: new Date(0),
        failingSince: new Date(0),
        now: new Date(60_000),
        statusCode: 503,
        random: () => r,
      });
    expect(at(0)).toEqual({ kind: 'retry', at: new Date(60_000 + 36_000) });
    expect(at(0.99999)).toEqual({ kind: 'retry', at: new Date(60_000 + 54_000) });
  });

  it('honours a longer Retry-After, capped', () => {
    const decision = decideAfterFailure(policy, {
      attempt: 1,
      firstAttemptAt: new Date(0),
      failingSince: new Date(0),
      now: new Date(0),
      statusCode: 429,
      retryAfterMs: 10 * 24 * HOUR,
      random: () => 0.5,
    });
    expect(decision).toEqual({ kind: 'retry', at: new Date(4 * HOUR) });
  });

  it('disables the endpoint on 410 and after failing for the threshold', () => {
    const base = { attempt: 1, firstAttemptAt: new Date(0), failingSince: new Date(0), statusCode: 500 };
    expect(decideAfterFailure(policy, { ...base, now: new Date(0), statusCode: 410 }).kind).toBe('disable');
    expect(decideAfterFailure(policy, { ...base, now: new Date(5 * 24 * HOUR) }).kind).toBe('disable');
    expect(decideAfterFailure(policy, { ...base, now: new Date(5 * 24 * HOUR - 1) }).kind).toBe('dead');
  });
});
