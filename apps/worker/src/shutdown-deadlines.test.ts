import { describe, expect, it } from '@jest/globals';
import { shutdownDeadlines } from './shutdown-deadlines.js';

describe('shutdownDeadlines (when a stopping worker cancels what has not yielded)', () => {
  it('at three quarters of the timeout, at most 5 s before it', () => {
    expect(shutdownDeadlines(4_000)).toEqual({ hardAfterMs: 3_000 });
    expect(shutdownDeadlines(20_000)).toEqual({ hardAfterMs: 15_000 });
    expect(shutdownDeadlines(30_000)).toEqual({ hardAfterMs: 25_000 });
    expect(shutdownDeadlines(120_000)).toEqual({ hardAfterMs: 115_000 });
  });
});
