import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  ConfigError,
  dashboardEnv,
  databaseEnv,
  ingressEnv,
  komboBudgetEnv,
  komboEnv,
  loadConfig,
  loggingEnv,
  MAX_TIMER_MS,
  redisEnv,
  resolveModuleSpecifier,
  storageEnv,
  syncEnv,
  tracingEnv,
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
    expect(loadConfig(syncEnv, {})).toMatchObject({ CHANGE_FEED: 'off', CHANGE_FEED_MAX_MESSAGES: 10_000 });
    expect(loadConfig(syncEnv, {}).SYNC_STORE_REMOTE_DATA).toBe(true);
    expect(loadConfig(storageEnv, { SYNC_STORE_REMOTE_DATA: 'false' }).SYNC_STORE_REMOTE_DATA).toBe(false);
    expect(problemsOf(() => loadConfig(storageEnv, { SYNC_STORE_REMOTE_DATA: 'off' }))[0]!.variable).toBe(
      'SYNC_STORE_REMOTE_DATA',
    );
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
    expect(loadConfig(syncEnv, { CHANGE_FEED: 'on', CHANGE_FEED_MAX_MESSAGES: '500' })).toMatchObject({
      CHANGE_FEED: 'on',
      CHANGE_FEED_MAX_MESSAGES: 500,
    });
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
    expect(problemsOf(() => loadConfig(syncEnv, { CHANGE_FEED: 'yes' }))[0]!.variable).toBe('CHANGE_FEED');
    expect(problemsOf(() => loadConfig(syncEnv, { CHANGE_FEED_MAX_MESSAGES: '0' }))[0]!.variable).toBe(
      'CHANGE_FEED_MAX_MESSAGES',
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

  it('checks SYNC_ENABLED_MODELS against the catalog, naming positions and valid names, not the value', () => {
    const problems = problemsOf(() =>
      loadConfig(syncEnv, { SYNC_ENABLED_MODELS: 'hris_employees, hris_bogus ,secret-ish' }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]!.variable).toBe('SYNC_ENABLED_MODELS');
    expect(problems[0]!.message).toMatch(
      /^entries 2, 3 of 3 are not catalog models; valid names: .*hris_employees/,
    );
    expect(problems[0]!.message).not.toContain('hris_bogus');
    expect(problems[0]!.message).not.toContain('secret-ish');
  });

  it('checks that a SYNC_HANDLERS_MODULE path names an existing file, resolved against the working directory', () => {
    expect(problemsOf(() => loadConfig(syncEnv, { SYNC_HANDLERS_MODULE: './missing.mjs' }))).toEqual([
      {
        variable: 'SYNC_HANDLERS_MODULE',
        message:
          'must name an existing module file (a path starting with . resolves against the working directory)',
      },
    ]);
    // A directory is not a module file.
    expect(problemsOf(() => loadConfig(syncEnv, { SYNC_HANDLERS_MODULE: tmpdir() }))[0]!.variable).toBe(
      'SYNC_HANDLERS_MODULE',
    );
    const absolute = resolve('examples/people-handler.ts');
    expect(loadConfig(syncEnv, { SYNC_HANDLERS_MODULE: absolute }).SYNC_HANDLERS_MODULE).toBe(absolute);
    // The repository's example, relative to the working directory (the repository root under jest).
    expect(
      loadConfig(syncEnv, { SYNC_HANDLERS_MODULE: './examples/people-handler.ts' }).SYNC_HANDLERS_MODULE,
    ).toBe('./examples/people-handler.ts');
    // A package name is left to Node's resolution when the worker imports it.
    expect(loadConfig(syncEnv, { SYNC_HANDLERS_MODULE: 'some-package' }).SYNC_HANDLERS_MODULE).toBe(
      'some-package',
    );
  });

  it('reports bad SYNC_ENABLED_MODELS and SYNC_HANDLERS_MODULE together with every other bad variable', () => {
    const schema = komboEnv.extend(syncEnv.shape);
    const err = (() => {
      try {
        loadConfig(schema, {
          KOMBO_API_KEY: 'sk_live_secret',
          KOMBO_TIMEOUT_MS: 'soon',
          SYNC_ENABLED_MODELS: 'hris_bogus',
          SYNC_HANDLERS_MODULE: './missing.mjs',
        });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.problems.map((p) => p.variable).sort()).toEqual([
      'KOMBO_TIMEOUT_MS',
      'SYNC_ENABLED_MODELS',
      'SYNC_HANDLERS_MODULE',
    ]);
    expect(err.message).not.toContain('sk_live_secret');
  });

  it('leaves the request budget off unless KOMBO_MAX_REQUESTS_PER_SECOND is set, and checks both variables', () => {
    expect(loadConfig(komboBudgetEnv, {})).toEqual({
      KOMBO_MAX_REQUESTS_PER_SECOND: undefined,
      KOMBO_REQUEST_BURST: undefined,
    });
    expect(
      loadConfig(komboBudgetEnv, { KOMBO_MAX_REQUESTS_PER_SECOND: '2.5', KOMBO_REQUEST_BURST: '5' }),
    ).toEqual({ KOMBO_MAX_REQUESTS_PER_SECOND: 2.5, KOMBO_REQUEST_BURST: 5 });
    expect(
      problemsOf(() =>
        loadConfig(komboBudgetEnv, { KOMBO_MAX_REQUESTS_PER_SECOND: '0', KOMBO_REQUEST_BURST: '1.5' }),
      ),
    ).toEqual([
      { variable: 'KOMBO_MAX_REQUESTS_PER_SECOND', message: 'must be at least 0.01' },
      { variable: 'KOMBO_REQUEST_BURST', message: 'must be a whole number' },
    ]);
  });

  it('bounds the request budget and every timer-backed duration (setTimeout fires at once beyond 2^31-1 ms)', () => {
    expect(problemsOf(() => loadConfig(komboBudgetEnv, { KOMBO_MAX_REQUESTS_PER_SECOND: '1e-9' }))).toEqual([
      { variable: 'KOMBO_MAX_REQUESTS_PER_SECOND', message: 'must be at least 0.01' },
    ]);
    expect(loadConfig(komboBudgetEnv, { KOMBO_MAX_REQUESTS_PER_SECOND: '0.01' })).toMatchObject({
      KOMBO_MAX_REQUESTS_PER_SECOND: 0.01,
    });
    const tooLong = String(MAX_TIMER_MS + 1);
    const timers = {
      KOMBO_TIMEOUT_MS: tooLong,
      KOMBO_MAX_RETRY_WAIT_MS: tooLong,
      WORKER_LOCK_DURATION_MS: tooLong,
      SYNC_LEASE_TTL_MS: tooLong,
      WORKER_STALLED_INTERVAL_MS: tooLong,
      WORKER_SHUTDOWN_TIMEOUT_MS: tooLong,
      WORKER_SWEEP_INTERVAL_MS: tooLong,
    };
    const problems = problemsOf(() =>
      loadConfig(syncEnv.extend(komboEnv.shape), { KOMBO_API_KEY: 'k', ...timers }),
    );
    expect(problems.map((problem) => problem.variable).sort()).toEqual(Object.keys(timers).sort());
    expect(new Set(problems.map((problem) => problem.message))).toEqual(
      new Set([`must be at most ${MAX_TIMER_MS}`]),
    );
    expect(problemsOf(() => loadConfig(ingressEnv, { INGRESS_QUEUE_TIMEOUT_MS: tooLong }))).toEqual([
      { variable: 'INGRESS_QUEUE_TIMEOUT_MS', message: `must be at most ${MAX_TIMER_MS}` },
    ]);
  });

  it('leaves tracing off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and never echoes the headers', () => {
    expect(loadConfig(tracingEnv, {})).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_EXPORTER_OTLP_HEADERS: undefined,
      OTEL_SERVICE_NAME: undefined,
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_TRACES_SAMPLER_ARG: 1,
    });
    expect(
      loadConfig(tracingEnv, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr%3Dt, tenant = a',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com:4318',
      OTEL_EXPORTER_OTLP_HEADERS: { 'x-api-key': 's3cr=t', tenant: 'a' },
      OTEL_TRACES_SAMPLER_ARG: 0.25,
    });
    const problems = problemsOf(() =>
      loadConfig(tracingEnv, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=topsecret,broken',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }),
    );
    expect(problems.map((problem) => problem.variable)).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
    expect(JSON.stringify(problems)).not.toContain('topsecret');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(z.object({ X: z.string().default('d') }), { X: '  ' })).toEqual({ X: 'd' });
  });
});

describe('resolveModuleSpecifier', () => {
  it('resolves paths against cwd to file URLs and leaves package names to Node', () => {
    expect(resolveModuleSpecifier('./h.mjs', '/srv/app')).toEqual({
      kind: 'file',
      path: '/srv/app/h.mjs',
      url: 'file:///srv/app/h.mjs',
    });
    expect(resolveModuleSpecifier('/opt/h.mjs', '/srv/app')).toMatchObject({
      kind: 'file',
      path: '/opt/h.mjs',
    });
    expect(resolveModuleSpecifier('@acme/handlers', '/srv/app')).toEqual({
      kind: 'package',
      url: '@acme/handlers',
    });
  });
});
