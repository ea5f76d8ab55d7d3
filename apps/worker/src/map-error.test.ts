import { describe, expect, it } from '@jest/globals';
import { FenceLostError, SafeStoreError } from '@kombo-sync/db';
import {
  KomboAuthenticationError,
  KomboIntegrationInactiveError,
  KomboIntegrationNotFoundError,
  KomboModelUnavailableError,
  KomboRateLimitError,
  KomboServerError,
  KomboSetupPendingError,
} from '@kombo-sync/kombo';
import { classifyError, decideOnError, errorCode } from './map-error.js';

const delays = { rateLimitFallbackMs: 60_000, integrationDelayFallbackMs: 30_000 };
const opts = (code: string, extra: { retryAfterMs?: number } = {}) => ({ code, isRetryable: true, ...extra });
const pgDown = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('classifyError (what an error means for the engine)', () => {
  it.each([
    [
      'a model Kombo does not serve',
      new KomboModelUnavailableError('x', opts('INTEGRATION.MODEL_DISABLED')),
      'skip-model',
    ],
    ['a lost fence', new FenceLostError('personio:a'), 'abort-run'],
    ['Postgres down', pgDown(), 'abort-run'],
    [
      'Postgres down, made safe by the store',
      new SafeStoreError('connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
      'abort-run',
    ],
    [
      'a key-wide 429',
      new KomboRateLimitError('x', { ...opts('PLATFORM.RATE_LIMIT_EXCEEDED'), scope: 'key' }),
      'abort-run',
    ],
    [
      'a bad API key',
      new KomboAuthenticationError('x', opts('PLATFORM.AUTHENTICATION_INVALID')),
      'abort-run',
    ],
    ['setup pending', new KomboSetupPendingError('x', opts('INTEGRATION.SETUP_SYNC_PENDING')), 'abort-run'],
    ['a 5xx', new KomboServerError('x', opts('REMOTE.SERVICE_UNAVAILABLE')), 'fail-model'],
    [
      'a data error of Postgres',
      new SafeStoreError('SQLSTATE 22P02', { code: '22P02', sqlstate: '22P02' }),
      'fail-model',
    ],
  ])('%s → %s', (_what, error, kind) => {
    expect(classifyError(error).kind).toBe(kind);
  });
});

describe('decideOnError (what BullMQ does with the job)', () => {
  it('a key-wide 429 rate-limits both lanes until Kombo’s reset, or the fallback', () => {
    const limited = (retryAfterMs?: number) =>
      new KomboRateLimitError('x', {
        ...opts('PLATFORM.RATE_LIMIT_EXCEEDED', retryAfterMs === undefined ? {} : { retryAfterMs }),
        scope: 'key',
      });
    expect(decideOnError(limited(7_000), delays)).toEqual({ action: 'rate-limit-queue', delayMs: 7_000 });
    expect(decideOnError(limited(), delays)).toEqual({ action: 'rate-limit-queue', delayMs: 60_000 });
  });

  it('an integration-level 429 or setup pending delays only this job', () => {
    const integration = new KomboRateLimitError('x', {
      ...opts('REMOTE.RATE_LIMIT_EXCEEDED'),
      scope: 'integration',
    });
    expect(decideOnError(integration, delays)).toEqual({ action: 'delay-job', delayMs: 30_000 });
    const pending = new KomboSetupPendingError(
      'x',
      opts('INTEGRATION.SETUP_SYNC_PENDING', { retryAfterMs: 900 }),
    );
    expect(decideOnError(pending, delays)).toEqual({ action: 'delay-job', delayMs: 900 });
  });

  it('a lost fence waits briefly for the new holder; Postgres down waits 5–10 s, never using attempts', () => {
    expect(decideOnError(new FenceLostError('personio:a'), delays)).toEqual({
      action: 'delay-job',
      delayMs: 1_000,
    });
    for (let n = 0; n < 20; n++) {
      const decision = decideOnError(pgDown(), delays);
      expect(decision.action).toBe('delay-job');
      const delayMs = decision.action === 'delay-job' ? decision.delayMs : NaN;
      expect(delayMs).toBeGreaterThanOrEqual(5_000);
      expect(delayMs).toBeLessThan(10_000);
    }
  });

  it('a bad key fails fast; not found and inactive record the state; anything else retries with backoff', () => {
    expect(
      decideOnError(new KomboAuthenticationError('nope', opts('PLATFORM.AUTHENTICATION_INVALID')), delays),
    ).toMatchObject({ action: 'fail-fast' });
    expect(
      decideOnError(new KomboIntegrationNotFoundError('x', opts('PLATFORM.INTEGRATION_NOT_FOUND')), delays),
    ).toEqual({ action: 'set-integration-state', state: 'NOT_FOUND' });
    expect(
      decideOnError(
        new KomboIntegrationInactiveError('x', opts('INTEGRATION.AUTHENTICATION_INVALID')),
        delays,
      ),
    ).toEqual({ action: 'set-integration-state', state: 'INVALID' });
    expect(decideOnError(new KomboServerError('x', opts('REMOTE.SERVICE_UNAVAILABLE')), delays)).toEqual({
      action: 'retry',
    });
    expect(decideOnError(new Error('boom'), delays)).toEqual({ action: 'retry' });
  });

  it('errorCode names Kombo’s code, an error’s own code, or SYNC.ERROR', () => {
    expect(errorCode(new KomboServerError('x', opts('REMOTE.SERVICE_UNAVAILABLE')))).toBe(
      'REMOTE.SERVICE_UNAVAILABLE',
    );
    expect(errorCode(new FenceLostError('personio:a'))).toBe('SYNC.FENCE_LOST');
    expect(errorCode(new Error('plain'))).toBe('SYNC.ERROR');
  });
});
