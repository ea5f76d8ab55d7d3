import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  buildConfig,
  ConfigError,
  defaultsOf,
  envVar,
  internal,
  dashboardSettings,
  databaseSettings,
  ingressSettings,
  komboBudgetSettings,
  komboSettings,
  loadConfig,
  loggingSettings,
  MAX_TIMER_MS,
  redisSettings,
  resolveModuleSpecifier,
  storageSettings,
  syncSettings,
  tracingSettings,
  webhookSettings,
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
    expect(loadConfig(databaseSettings, {})).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/kombo_sync',
      databasePoolSize: 10,
    });
    expect(loadConfig(redisSettings, {})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: '{kombo-sync}',
      jobAttempts: 8,
    });
    expect(loadConfig(loggingSettings, {})).toEqual({ logLevel: 'info', logFormat: 'auto' });
    expect(loadConfig(syncSettings, {}).concurrencyPerIntegration).toBe(2);
    expect(loadConfig(syncSettings, {})).toMatchObject({
      isChangeFeedOn: false,
      changeFeedMaxMessages: 10_000,
    });
    expect(loadConfig(syncSettings, {}).shouldStoreRemoteData).toBe(true);
    expect(loadConfig(storageSettings, { SYNC_STORE_REMOTE_DATA: 'false' }).shouldStoreRemoteData).toBe(
      false,
    );
    expect(
      problemsOf(() => loadConfig(storageSettings, { SYNC_STORE_REMOTE_DATA: 'off' }))[0]!.variable,
    ).toBe('SYNC_STORE_REMOTE_DATA');
    expect(loadConfig(ingressSettings, {}).replayTtlSeconds).toBe(7 * 24 * 3600);
    expect(loadConfig(dashboardSettings, {}).isDashboardReadOnly).toBe(false);
  });

  it('parses valid values', () => {
    const kombo = loadConfig(komboSettings, {
      KOMBO_API_KEY: 'key',
      KOMBO_API_URL: 'https://api.us.kombo.dev/v1',
      KOMBO_TIMEOUT_MS: '5000',
    });
    expect(kombo).toMatchObject({
      komboApiKey: 'key',
      komboApiUrl: 'https://api.us.kombo.dev/v1',
      komboTimeoutMs: 5000,
    });
    expect(loadConfig(webhookSettings, { KOMBO_WEBHOOK_SECRETS: ' new , old ,' }).webhookSecrets).toEqual([
      'new',
      'old',
    ]);
    expect(
      loadConfig(syncSettings, { SYNC_ENABLED_MODELS: 'hris_employees,ats_jobs' }).enabledModels,
    ).toEqual(['hris_employees', 'ats_jobs']);
    expect(loadConfig(dashboardSettings, { DASHBOARD_READ_ONLY: 'yes' }).isDashboardReadOnly).toBe(true);
    expect(loadConfig(syncSettings, { CHANGE_FEED: 'on', CHANGE_FEED_MAX_MESSAGES: '500' })).toMatchObject({
      isChangeFeedOn: true,
      changeFeedMaxMessages: 500,
    });
  });

  it('rejects invalid values per schema, naming the variable', () => {
    expect(problemsOf(() => loadConfig(databaseSettings, { DATABASE_URL: 'mysql://x' }))[0]!.variable).toBe(
      'DATABASE_URL',
    );
    expect(problemsOf(() => loadConfig(redisSettings, { QUEUE_PREFIX: 'a b' }))[0]!.variable).toBe(
      'QUEUE_PREFIX',
    );
    expect(problemsOf(() => loadConfig(komboSettings, {}))[0]!.variable).toBe('KOMBO_API_KEY');
    expect(problemsOf(() => loadConfig(webhookSettings, {}))[0]!.variable).toBe('KOMBO_WEBHOOK_SECRETS');
    expect(problemsOf(() => loadConfig(loggingSettings, { LOG_LEVEL: 'loud' }))[0]!.variable).toBe(
      'LOG_LEVEL',
    );
    expect(problemsOf(() => loadConfig(ingressSettings, { INGRESS_PORT: '70000' }))[0]!.variable).toBe(
      'INGRESS_PORT',
    );
    expect(problemsOf(() => loadConfig(syncSettings, { SYNC_PAGE_SIZE: '500' }))[0]!.variable).toBe(
      'SYNC_PAGE_SIZE',
    );
    expect(
      problemsOf(() => loadConfig(dashboardSettings, { DASHBOARD_READ_ONLY: 'maybe' }))[0]!.variable,
    ).toBe('DASHBOARD_READ_ONLY');
    expect(problemsOf(() => loadConfig(syncSettings, { CHANGE_FEED: 'yes' }))[0]!.variable).toBe(
      'CHANGE_FEED',
    );
    expect(problemsOf(() => loadConfig(syncSettings, { CHANGE_FEED_MAX_MESSAGES: '0' }))[0]!.variable).toBe(
      'CHANGE_FEED_MAX_MESSAGES',
    );
  });

  it('bounds the retention days: Postgres must hold the cutoff, history is kept at least a day', () => {
    expect(loadConfig(syncSettings, { SYNC_DELETED_RETENTION_DAYS: '36500' }).deletedRetentionDays).toBe(
      36_500,
    );
    expect(loadConfig(syncSettings, { SYNC_DELETED_RETENTION_DAYS: '0' }).deletedRetentionDays).toBe(0);
    expect(loadConfig(syncSettings, {}).runRetentionDays).toBe(30);
    for (const env of [
      { SYNC_DELETED_RETENTION_DAYS: '9007199254740991' },
      { SYNC_DELETED_RETENTION_DAYS: '36501' },
      { SYNC_RUN_RETENTION_DAYS: '0' },
      { SYNC_RUN_RETENTION_DAYS: '3651' },
    ])
      expect(problemsOf(() => loadConfig(syncSettings, env))[0]!.variable).toBe(Object.keys(env)[0]);
  });

  it('reports every problem at once and never echoes a value', () => {
    const schema = { ...databaseSettings, ...komboSettings, ...syncSettings };
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
      loadConfig(syncSettings, { SYNC_ENABLED_MODELS: 'hris_employees, hris_bogus ,secret-ish' }),
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
    expect(problemsOf(() => loadConfig(syncSettings, { SYNC_HANDLERS_MODULE: './missing.mjs' }))).toEqual([
      {
        variable: 'SYNC_HANDLERS_MODULE',
        message:
          'must name an existing module file (a path starting with . resolves against the working directory)',
      },
    ]);
    // A directory is not a module file.
    expect(problemsOf(() => loadConfig(syncSettings, { SYNC_HANDLERS_MODULE: tmpdir() }))[0]!.variable).toBe(
      'SYNC_HANDLERS_MODULE',
    );
    const absolute = resolve('examples/people-handler.ts');
    expect(loadConfig(syncSettings, { SYNC_HANDLERS_MODULE: absolute }).handlersModule).toBe(absolute);
    // The repository's example, relative to the working directory (the repository root under jest).
    expect(
      loadConfig(syncSettings, { SYNC_HANDLERS_MODULE: './examples/people-handler.ts' }).handlersModule,
    ).toBe('./examples/people-handler.ts');
    // A package name is left to Node's resolution when the worker imports it.
    expect(loadConfig(syncSettings, { SYNC_HANDLERS_MODULE: 'some-package' }).handlersModule).toBe(
      'some-package',
    );
  });

  it('reports bad SYNC_ENABLED_MODELS and SYNC_HANDLERS_MODULE together with every other bad variable', () => {
    const schema = { ...komboSettings, ...syncSettings };
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
    expect(loadConfig(komboBudgetSettings, {})).toEqual({});
    expect(
      loadConfig(komboBudgetSettings, { KOMBO_MAX_REQUESTS_PER_SECOND: '2.5', KOMBO_REQUEST_BURST: '5' }),
    ).toEqual({ komboMaxRequestsPerSecond: 2.5, komboRequestBurst: 5 });
    expect(
      problemsOf(() =>
        loadConfig(komboBudgetSettings, { KOMBO_MAX_REQUESTS_PER_SECOND: '0', KOMBO_REQUEST_BURST: '1.5' }),
      ),
    ).toEqual([
      { variable: 'KOMBO_MAX_REQUESTS_PER_SECOND', message: 'must be at least 0.01' },
      { variable: 'KOMBO_REQUEST_BURST', message: 'must be a whole number' },
    ]);
  });

  it('bounds the request budget and every timer-backed duration (setTimeout fires at once beyond 2^31-1 ms)', () => {
    expect(
      problemsOf(() => loadConfig(komboBudgetSettings, { KOMBO_MAX_REQUESTS_PER_SECOND: '1e-9' })),
    ).toEqual([{ variable: 'KOMBO_MAX_REQUESTS_PER_SECOND', message: 'must be at least 0.01' }]);
    expect(loadConfig(komboBudgetSettings, { KOMBO_MAX_REQUESTS_PER_SECOND: '0.01' })).toEqual({
      komboMaxRequestsPerSecond: 0.01,
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
      INGRESS_QUEUE_TIMEOUT_MS: tooLong,
    };
    const problems = problemsOf(() =>
      loadConfig(
        { ...syncSettings, ...komboSettings, ...ingressSettings },
        { KOMBO_API_KEY: 'k', ...timers },
      ),
    );
    expect(problems.map((problem) => problem.variable).sort()).toEqual(Object.keys(timers).sort());
    expect(new Set(problems.map((problem) => problem.message))).toEqual(
      new Set([`must be at most ${MAX_TIMER_MS}`]),
    );
  });

  it('leaves tracing off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and never echoes the headers', () => {
    expect(loadConfig(tracingSettings, {})).toEqual({
      tracesSampler: 'parentbased_always_on',
      tracesSamplerArg: 1,
    });
    expect(
      loadConfig(tracingSettings, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr%3Dt, tenant = a',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toMatchObject({
      otlpEndpoint: 'https://otel.example.com:4318',
      otlpHeaders: { 'x-api-key': 's3cr=t', tenant: 'a' },
      tracesSamplerArg: 0.25,
    });
    const problems = problemsOf(() =>
      loadConfig(tracingSettings, {
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
    expect(loadConfig({ x: envVar('X', z.string().default('d')) }, { X: '  ' })).toEqual({ x: 'd' });
  });

  it('gives settings without a variable their value, and reads no other variable', () => {
    const spec = { ...loggingSettings, retryMs: internal(500) };
    expect(loadConfig(spec, { LOG_LEVEL: 'debug', retryMs: '1' })).toEqual({
      logLevel: 'debug',
      logFormat: 'auto',
      retryMs: 500,
    });
  });
});

describe('buildConfig', () => {
  const spec = { ...komboSettings, ...komboBudgetSettings, retryMs: internal(500) };

  it('spreads every default once, then the overrides, in the shape loadConfig gives', () => {
    const built = buildConfig(spec, { komboApiKey: 'key', komboTimeoutMs: 50, retryMs: 1 });
    expect(built).toEqual({
      komboApiUrl: 'https://api.kombo.dev/v1',
      komboApiKey: 'key',
      komboTimeoutMs: 50,
      komboMaxRetries: 3,
      komboMaxRetryWaitMs: 5_000,
      retryMs: 1,
    });
    expect(buildConfig(spec, { komboApiKey: 'key' })).toEqual(loadConfig(spec, { KOMBO_API_KEY: 'key' }));
  });

  it('refuses a missing setting without default and an unknown one', () => {
    expect(() => buildConfig(spec, {} as never)).toThrow(/komboApiKey \(KOMBO_API_KEY\) has no default/);
    expect(() => buildConfig(spec, { komboApiKey: 'k', bogus: 1 } as never)).toThrow(
      /unknown settings: bogus/,
    );
  });

  it('lists the defaults of the settings that have one', () => {
    expect(defaultsOf(spec)).toEqual({
      komboApiUrl: 'https://api.kombo.dev/v1',
      komboTimeoutMs: 30_000,
      komboMaxRetries: 3,
      komboMaxRetryWaitMs: 5_000,
      retryMs: 500,
    });
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
