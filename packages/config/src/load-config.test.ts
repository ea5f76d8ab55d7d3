import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  ConfigError,
  dashboardEnv,
  databaseEnv,
  ingressEnv,
  komboEnv,
  loadConfig,
  loggingEnv,
  redisEnv,
  syncEnv,
  webhookEnv,
} from './index.js';

function problemsOf(fn: () => unknown): { variable: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults that make a local run work', () => {
    expect(loadConfig(databaseEnv, {})).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/kombo_sync',
      DATABASE_POOL_SIZE: 10,
    });
    expect(loadConfig(redisEnv, {})).toEqual({
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: '{kombo-sync}',
      SYNC_JOB_ATTEMPTS: 8,
    });
    expect(loadConfig(loggingEnv, {})).toEqual({ LOG_LEVEL: 'info', LOG_FORMAT: 'auto' });
    expect(loadConfig(syncEnv, {}).SYNC_CONCURRENCY_PER_INTEGRATION).toBe(2);
    expect(loadConfig(ingressEnv, {}).WEBHOOK_REPLAY_TTL_SECONDS).toBe(7 * 24 * 3600);
    expect(loadConfig(dashboardEnv, {}).DASHBOARD_READ_ONLY).toBe(false);
  });

  it('parses valid values', () => {
    const kombo = loadConfig(komboEnv, {
      KOMBO_API_KEY: 'key',
      KOMBO_API_URL: 'https://api.us.kombo.dev/v1',
      KOMBO_TIMEOUT_MS: '5000',
    });
    expect(kombo).toMatchObject({
      KOMBO_API_KEY: 'key',
      KOMBO_API_URL: 'https://api.us.kombo.dev/v1',
      KOMBO_TIMEOUT_MS: 5000,
    });
    expect(loadConfig(webhookEnv, { KOMBO_WEBHOOK_SECRETS: ' new , old ,' }).KOMBO_WEBHOOK_SECRETS).toEqual([
      'new',
      'old',
    ]);
    expect(
      loadConfig(syncEnv, { SYNC_ENABLED_MODELS: 'hris_employees,ats_jobs' }).SYNC_ENABLED_MODELS,
    ).toEqual(['hris_employees', 'ats_jobs']);
    expect(loadConfig(dashboardEnv, { DASHBOARD_READ_ONLY: 'yes' }).DASHBOARD_READ_ONLY).toBe(true);
  });

  it('rejects invalid values per schema, naming the variable', () => {
    expect(problemsOf(() => loadConfig(databaseEnv, { DATABASE_URL: 'mysql://x' }))[0]!.variable).toBe(
      'DATABASE_URL',
    );
    expect(problemsOf(() => loadConfig(redisEnv, { QUEUE_PREFIX: 'a b' }))[0]!.variable).toBe('QUEUE_PREFIX');
    expect(problemsOf(() => loadConfig(komboEnv, {}))[0]!.variable).toBe('KOMBO_API_KEY');
    expect(problemsOf(() => loadConfig(webhookEnv, {}))[0]!.variable).toBe('KOMBO_WEBHOOK_SECRETS');
    expect(problemsOf(() => loadConfig(loggingEnv, { LOG_LEVEL: 'loud' }))[0]!.variable).toBe('LOG_LEVEL');
    expect(problemsOf(() => loadConfig(ingressEnv, { INGRESS_PORT: '70000' }))[0]!.variable).toBe(
      'INGRESS_PORT',
    );
    expect(problemsOf(() => loadConfig(syncEnv, { SYNC_PAGE_SIZE: '500' }))[0]!.variable).toBe(
      'SYNC_PAGE_SIZE',
    );
    expect(problemsOf(() => loadConfig(dashboardEnv, { DASHBOARD_READ_ONLY: 'maybe' }))[0]!.variable).toBe(
      'DASHBOARD_READ_ONLY',
    );
  });

  it('reports every problem at once and never echoes a value', () => {
    const schema = databaseEnv.extend(komboEnv.shape).extend(syncEnv.shape);
    const err = (() => {
      try {
        loadConfig(schema, {
          DATABASE_URL: 'not a url with secret-password',
          KOMBO_TIMEOUT_MS: 'soon',
          SYNC_CONCURRENCY_PER_INTEGRATION: '0',
        });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.problems.map((p) => p.variable).sort()).toEqual([
      'DATABASE_URL',
      'KOMBO_API_KEY',
      'KOMBO_TIMEOUT_MS',
      'SYNC_CONCURRENCY_PER_INTEGRATION',
    ]);
    expect(err.message).toContain('KOMBO_API_KEY');
    expect(err.message).not.toContain('secret-password');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(z.object({ X: z.string().default('d') }), { X: '  ' })).toEqual({ X: 'd' });
  });
});
