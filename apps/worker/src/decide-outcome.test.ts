import { describe, expect, it } from '@jest/globals';
import type { ModelSummary } from '@kombo-sync/sync';
import { decideOutcome, failureText, isRunThrough } from './decide-outcome.js';

const notLost = { isLeaseLost: false, isShuttingDown: false };
const failed = (model: ModelSummary['model'], code: string, message: string) =>
  ({
    model,
    status: 'failed',
    error: { kind: 'fail-model', code, message, cause: undefined },
  }) as ModelSummary;

describe('decideOutcome (what the job does with the run summary)', () => {
  it('succeeded completes; failed records the failed models and retries', () => {
    expect(decideOutcome({ status: 'succeeded', models: [] }, notLost)).toEqual({ action: 'succeed' });
    const models = [failed('hris_groups', 'KOMBO.SERVER_ERROR', 'HTTP 502')];
    expect(decideOutcome({ status: 'failed', models }, notLost)).toEqual({
      action: 'fail-run',
      text: 'hris_groups: KOMBO.SERVER_ERROR: HTTP 502',
    });
  });

  it('aborted decides on the error that stopped the run', () => {
    const cause = new Error('rate limited');
    const abortError = { kind: 'abort-run' as const, code: 'KOMBO.RATE_LIMITED', message: '', cause };
    expect(decideOutcome({ status: 'aborted', models: [], abortError }, notLost)).toEqual({
      action: 'on-error',
      error: cause,
    });
  });

  it('cancelled by a lost lease is an error; at the shutdown deadline it is interrupted', () => {
    const reason = new Error('fence lost');
    const summary = { status: 'cancelled' as const, models: [] };
    expect(
      decideOutcome(summary, { isLeaseLost: true, leaseLostReason: reason, isShuttingDown: false }),
    ).toEqual({ action: 'on-error', error: reason });
    expect(
      decideOutcome(summary, { isLeaseLost: true, leaseLostReason: reason, isShuttingDown: true }),
    ).toEqual({ action: 'interrupt', reason: 'shutdown' });
    expect(decideOutcome(summary, { isLeaseLost: false, isShuttingDown: true })).toEqual({
      action: 'interrupt',
      reason: 'shutdown',
    });
  });

  it('yielded is interrupted for the yield reason', () => {
    for (const yieldReason of ['shutdown', 'pause', 'slice'] as const) {
      expect(decideOutcome({ status: 'yielded', models: [], yieldReason }, notLost)).toEqual({
        action: 'interrupt',
        reason: yieldReason,
      });
    }
  });

  it('only runs that went through their models let unavailable models expire', () => {
    expect(isRunThrough({ status: 'succeeded' })).toBe(true);
    expect(isRunThrough({ status: 'failed' })).toBe(true);
    expect(isRunThrough({ status: 'aborted' })).toBe(false);
    expect(isRunThrough({ status: 'cancelled' })).toBe(false);
    expect(isRunThrough({ status: 'yielded' })).toBe(false);
  });

  it('failureText keeps every failed model visible within 2 KB', () => {
    const long = 'x'.repeat(5_000);
    const text = failureText({
      models: [failed('hris_employees', 'A', long), failed('hris_groups', 'B', 'short')],
    });
    expect(text.length).toBeLessThanOrEqual(1_900);
    expect(text).toContain('hris_groups: B: short');
  });
});
