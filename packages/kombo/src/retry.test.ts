import { describe, expect, it } from '@jest/globals';
import { KomboError, KomboNetworkError, KomboRateLimitError, KomboServerError } from './errors.js';
import { backoffDelayMs, parseRetryAfterMs, retryDelayMs, withRetry } from './retry.js';

describe('parseRetryAfterMs', () => {
  it('reads seconds, HTTP dates (against the response Date) and ratelimit-reset', () => {
    expect(parseRetryAfterMs({ 'retry-after': '3' })).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': '0.5' })).toBe(500);
    const date = 'Wed, 01 Jan 2025 12:00:00 GMT';
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 12:00:10 GMT', date })).toBe(10_000);
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 11:00:00 GMT', date })).toBe(0);
    const now = () => Date.parse('Wed, 01 Jan 2025 12:00:05 GMT');
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 12:00:10 GMT' }, now)).toBe(5000);
    expect(parseRetryAfterMs({ 'ratelimit-reset': '7' })).toBe(7000);
    expect(parseRetryAfterMs({ 'retry-after': 'garbage' })).toBeUndefined();
    expect(parseRetryAfterMs({})).toBeUndefined();
  });
});

describe('backoff', () => {
  it('uses full jitter under an exponential ceiling capped at the max wait', () => {
    expect(backoffDelayMs(0, 5000, () => 0.999)).toBe(249);
    expect(backoffDelayMs(3, 5000, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(10, 5000, () => 0.999)).toBe(4995);
    expect(backoffDelayMs(2, 5000, () => 0)).toBe(0);
  });

  it('retries only short transient faults', () => {
    const server = new KomboServerError('x', { code: 'CLIENT.HTTP_500', isRetryable: true });
    const network = new KomboNetworkError('x', { code: 'NETWORK.TIMEOUT', isRetryable: true });
    const shortLimit = new KomboRateLimitError('x', {
      code: 'P',
      isRetryable: true,
      retryAfterMs: 900,
      scope: 'key',
    });
    const longLimit = new KomboRateLimitError('x', {
      code: 'P',
      isRetryable: true,
      retryAfterMs: 9000,
      scope: 'key',
    });
    const other = new KomboError('x', { code: 'INTEGRATION.SETUP_SYNC_PENDING', isRetryable: true });
    expect(retryDelayMs(server, 0, 5000)).toBeLessThanOrEqual(250);
    expect(retryDelayMs(network, 0, 5000)).toBeDefined();
    expect(retryDelayMs(shortLimit, 0, 5000)).toBe(900);
    expect(retryDelayMs(longLimit, 0, 5000)).toBeUndefined();
    expect(retryDelayMs(other, 0, 5000)).toBeUndefined();
    expect(retryDelayMs(new Error('plain'), 0, 5000)).toBeUndefined();
  });

  it('withRetry stops after maxRetries and reports every wait', async () => {
    const waits: number[] = [];
    const error = new KomboServerError('x', {
      code: 'CLIENT.HTTP_503',
      isRetryable: true,
      retryAfterMs: 100,
    });
    let attempts = 0;
    const run = withRetry(
      async () => {
        attempts++;
        throw error;
      },
      { maxRetries: 2, maxRetryWaitMs: 5000, sleep: async (ms) => void waits.push(ms) },
    );
    await expect(run).rejects.toBe(error);
    expect(attempts).toBe(3);
    expect(waits).toEqual([100, 100]);
  });
});
