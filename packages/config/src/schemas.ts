// The settings of every process, one concern each: a key (what the code reads), its environment variable, and the
// variable's validation with its default and range. A process's config spreads the concerns it uses (see
// apps/*/src/*-config.ts); adding a variable is one entry here.
import { z } from 'zod';
import {
  boolVar,
  intVar,
  listVar,
  modelListVar,
  moduleVar,
  otlpHeadersVar,
  positiveNumberVar,
  redisUrlVar,
  timerMsVar,
  urlVar,
} from './fields.js';
import { parseRedisUrl, redisHashTag } from './redis-url.js';
import { MIN_FULL_INTERVAL_MS, MIN_SAFETY_NET_INTERVAL_MS } from './interval.js';
import { envVar, type Config, type SettingsSpec } from './settings.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Most days of SYNC_DELETED_RETENTION_DAYS (100 years): beyond a few million days Postgres's timestamps cannot hold
 * the cutoff (`timestamp out of range`).
 */
export const MAX_DELETED_RETENTION_DAYS = 36_500;
const HOUR_MS = 60 * 60 * 1000;
/** Shortest bulk time slice: each slice costs a job hand-over, a lease and a run's bookkeeping. */
const MIN_BULK_SLICE_MS = 100;

/** Postgres. */
export const databaseSettings = {
  /** Postgres connection string. Default: a local database, as `npm start`/`npm test` start one when unset. */
  databaseUrl: envVar(
    'DATABASE_URL',
    urlVar(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/kombo_sync'),
  ),
  /** Connections in each process's pool. */
  databasePoolSize: envVar('DATABASE_POOL_SIZE', intVar(10, { min: 1, max: 200 })),
} satisfies SettingsSpec;

/** Redis and queue naming. */
export const redisSettings = {
  /**
   * One Redis server (`redis://`, `rediss://`) or a Redis Cluster: `redis+cluster://host:port[,host:port…]`
   * (`rediss+cluster://` for TLS), a few seed nodes; every process of the fleet then uses ioredis' Cluster client.
   */
  redisUrl: envVar('REDIS_URL', redisUrlVar('redis://127.0.0.1:6379')),
  /**
   * Prefix of every Redis key the fleet writes. The braces make it a Redis Cluster hash tag, so all keys of the
   * fleet live in one slot and the multi-key scripts work on Cluster (required with a cluster REDIS_URL).
   */
  queuePrefix: envVar(
    'QUEUE_PREFIX',
    z
      .string()
      .regex(/^[A-Za-z0-9{}:_-]+$/, 'may contain letters, digits, {, }, :, _ and - only')
      .default('{kombo-sync}'),
  ),
  /**
   * Attempts of a sync job for retryable faults (5xx, network) before it fails visibly. BullMQ fixes attempts when a
   * job is added, so every process that enqueues (ingress, worker schedules, dashboard, CLI) reads it here.
   */
  jobAttempts: envVar('SYNC_JOB_ATTEMPTS', intVar(8, { min: 1, max: 100 })),
} satisfies SettingsSpec;

/** Kombo's API. */
export const komboSettings = {
  /** Base URL including /v1: EU https://api.kombo.dev/v1, US https://api.us.kombo.dev/v1, or a sandbox. */
  komboApiUrl: envVar('KOMBO_API_URL', urlVar(['http', 'https'], 'https://api.kombo.dev/v1')),
  komboApiKey: envVar(
    'KOMBO_API_KEY',
    z.string({ error: 'is required (your Kombo API key)' }).min(1, 'is required'),
  ),
  /** Timeout of one Kombo request. */
  komboTimeoutMs: envVar('KOMBO_TIMEOUT_MS', timerMsVar(30_000, { min: 100 })),
  /** Retries inside the client for short transient faults (network, 5xx, short 429s). */
  komboMaxRetries: envVar('KOMBO_MAX_RETRIES', intVar(3, { min: 0, max: 10 })),
  /** Longest wait the client sleeps itself before a retry; longer waits are handed to the queue as delays. */
  komboMaxRetryWaitMs: envVar('KOMBO_MAX_RETRY_WAIT_MS', timerMsVar(5_000)),
} satisfies SettingsSpec;

/**
 * Least KOMBO_MAX_REQUESTS_PER_SECOND, req/s: one request every 100 s. Below it a request would wait for its slot
 * for days (a key-wide 429 lowers the rate to 1/64 of it), and the budget only tells a stuck fleet from a slow one.
 */
export const MIN_REQUESTS_PER_SECOND = 0.01;
/** Most KOMBO_MAX_REQUESTS_PER_SECOND, req/s. */
export const MAX_REQUESTS_PER_SECOND = 100_000;

/**
 * The fleet-wide request budget per Kombo API key (workers). Unset: no budget, no Redis round trip per request.
 */
export const komboBudgetSettings = {
  /**
   * Most Kombo requests per second the whole fleet sends with this API key, enforced through Redis across every
   * worker process; halved on a key-wide 429 and recovered gradually (README, "Request budget").
   */
  komboMaxRequestsPerSecond: envVar(
    'KOMBO_MAX_REQUESTS_PER_SECOND',
    positiveNumberVar({ min: MIN_REQUESTS_PER_SECOND, max: MAX_REQUESTS_PER_SECOND }).optional(),
  ),
  /** Requests that may go at once after an idle spell. Default: the rate, rounded up. Needs the rate set. */
  komboRequestBurst: envVar(
    'KOMBO_REQUEST_BURST',
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(100_000, 'must be at most 100000')
      .optional(),
  ),
} satisfies SettingsSpec;

/** Webhook verification. */
export const webhookSettings = {
  /** Kombo webhook secret(s), comma-separated: during a rotation list the new and the old one. */
  webhookSecrets: envVar(
    'KOMBO_WEBHOOK_SECRETS',
    listVar().refine((list) => list.length > 0, 'needs at least one secret'),
  ),
} satisfies SettingsSpec;

/** Logging. */
export const loggingSettings = {
  logLevel: envVar(
    'LOG_LEVEL',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  /** `auto`: pretty on a TTY, JSON otherwise. */
  logFormat: envVar('LOG_FORMAT', z.enum(['auto', 'json', 'pretty']).default('auto')),
} satisfies SettingsSpec;

/**
 * OpenTelemetry tracing, by the standard OTel variables (only those listed here are read). Off unless
 * OTEL_EXPORTER_OTLP_ENDPOINT is set: then no SDK is loaded and every span is the API's no-op one.
 */
export const tracingSettings = {
  /** OTLP/HTTP collector base URL, e.g. `http://localhost:4318`; spans go to `<url>/v1/traces`. Unset: tracing off. */
  otlpEndpoint: envVar('OTEL_EXPORTER_OTLP_ENDPOINT', urlVar(['http', 'https']).optional()),
  /** Headers sent to the collector, `key=value,key2=value2` (values URL-encoded), e.g. a vendor's API key. Never logged. */
  otlpHeaders: envVar('OTEL_EXPORTER_OTLP_HEADERS', otlpHeadersVar().optional()),
  /** `service.name` of the spans. Default: the app's own name (`kombo-sync-ingress`, `kombo-sync-worker`). */
  serviceName: envVar('OTEL_SERVICE_NAME', z.string().trim().min(1, 'must not be empty').max(200).optional()),
  /** Which traces are kept: OTel's sampler names. `parentbased_always_on` (default) keeps every trace. */
  tracesSampler: envVar(
    'OTEL_TRACES_SAMPLER',
    z
      .enum([
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ])
      .default('parentbased_always_on'),
  ),
  /** The ratio of the `*traceidratio` samplers, 0..1. Default 1. */
  tracesSamplerArg: envVar(
    'OTEL_TRACES_SAMPLER_ARG',
    z.coerce
      .number({ error: 'must be a number from 0 to 1' })
      .min(0, 'must be a number from 0 to 1')
      .max(1, 'must be a number from 0 to 1')
      .default(1),
  ),
} satisfies SettingsSpec;

/** The tracing settings as a process reads them. */
export type TracingConfig = Config<typeof tracingSettings>;

/** The ingress HTTP server. */
export const ingressSettings = {
  ingressPort: envVar('INGRESS_PORT', intVar(3000, { min: 0, max: 65535 })),
  /** Largest webhook body accepted; larger ones get 413. */
  bodyLimitBytes: envVar('INGRESS_BODY_LIMIT_BYTES', intVar(1024 * 1024, { min: 1024 })),
  /** How long the ingress waits for Redis before answering 503. */
  queueTimeoutMs: envVar('INGRESS_QUEUE_TIMEOUT_MS', timerMsVar(2_000, { min: 50 })),
  /** How long a webhook event id is remembered for replay detection. */
  replayTtlSeconds: envVar('WEBHOOK_REPLAY_TTL_SECONDS', intVar(7 * 24 * 60 * 60, { min: 60 })),
} satisfies SettingsSpec;

/** What of Kombo's records the mirror keeps: read by the workers and by the CLI's `verify`. */
export const storageSettings = {
  /**
   * `false`: every `remote_data` member (the upstream system's raw payload, on the record and nested copies) is
   * dropped before storing. Default true: records are stored as Kombo sends them.
   */
  shouldStoreRemoteData: envVar('SYNC_STORE_REMOTE_DATA', boolVar(true)),
} satisfies SettingsSpec;

/** The sync engine and workers. */
export const syncSettings = {
  ...storageSettings,
  /** Most in-flight Kombo requests for one integration, fleet-wide. */
  concurrencyPerIntegration: envVar('SYNC_CONCURRENCY_PER_INTEGRATION', intVar(2, { min: 1, max: 30 })),
  /** Integrations one worker process syncs at once in the delta lane (webhooks, manual and safety-net deltas). */
  workerConcurrency: envVar('WORKER_CONCURRENCY', intVar(4, { min: 1, max: 100 })),
  /**
   * Integrations one worker process syncs at once in the bulk lane (full and initial passes), in slots of their
   * own: bulk work never holds the delta lane's slots.
   */
  bulkConcurrency: envVar('WORKER_BULK_CONCURRENCY', intVar(2, { min: 1, max: 100 })),
  /**
   * Integrations one worker process syncs at once in the onboarding lane: the first slice of integrations with
   * nothing committed yet, in slots of their own, so a new integration's first rows never wait for a backfill.
   */
  onboardingConcurrency: envVar('WORKER_ONBOARDING_CONCURRENCY', intVar(1, { min: 1, max: 100 })),
  /**
   * Length of a bulk time slice, ms: a full or initial pass stops at the next page boundary after this long, keeps
   * its checkpoint and waits in line again behind the other integrations' work. `0`: no slices, a pass runs to its
   * end in one job.
   */
  bulkSliceMs: envVar(
    'SYNC_BULK_SLICE_MS',
    intVar(5_000, { max: 24 * HOUR_MS }).refine(
      (ms) => ms === 0 || ms >= MIN_BULK_SLICE_MS,
      `must be 0 (no slices) or at least ${MIN_BULK_SLICE_MS}`,
    ),
  ),
  /**
   * Least pages a bulk time slice writes before its length ends it, so that a slice's fixed costs (the hand-over, the
   * plan's reads, the next slice's first fetch) stay a small share of it however slow Kombo's pages are.
   */
  bulkSliceMinPages: envVar('SYNC_BULK_SLICE_MIN_PAGES', intVar(20, { min: 1, max: 100_000 })),
  /** Overlap subtracted from the watermark for `updated_after`, against boundary and clock effects. */
  overlapMs: envVar('SYNC_OVERLAP_MS', intVar(5 * 60 * 1000, { min: 0 })),
  pageSize: envVar('SYNC_PAGE_SIZE', intVar(250, { min: 1, max: 250 })),
  /** Models to sync, comma-separated catalog names (each checked against the catalog); default all. */
  enabledModels: envVar('SYNC_ENABLED_MODELS', modelListVar().optional()),
  /** Periodic full sync per integration. */
  fullIntervalMs: envVar('SYNC_FULL_INTERVAL_MS', intVar(7 * DAY_MS, { min: MIN_FULL_INTERVAL_MS })),
  /** Safety-net delta sync for integrations that had no webhook for this long. */
  safetyNetIntervalMs: envVar(
    'SYNC_SAFETY_NET_INTERVAL_MS',
    intVar(6 * HOUR_MS, { min: MIN_SAFETY_NET_INTERVAL_MS }),
  ),
  /**
   * Retention: rows Kombo reported deleted (`remote_deleted_at`) longer ago than this many days are removed from the
   * mirror (0..36500), hourly, by one worker of the fleet at a time. Unset: kept forever.
   */
  deletedRetentionDays: envVar(
    'SYNC_DELETED_RETENTION_DAYS',
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(MAX_DELETED_RETENTION_DAYS, `must be at most ${MAX_DELETED_RETENTION_DAYS} (100 years)`)
      .optional(),
  ),
  /**
   * History retention: finished sync runs older than this many days (each integration's latest run excepted), open
   * passes no run touched for as long, and the quarantine of integrations deleted as long ago are pruned, hourly,
   * by one worker of the fleet at a time.
   */
  runRetentionDays: envVar('SYNC_RUN_RETENTION_DAYS', intVar(30, { min: 1, max: 3650 })),
  /** On `integration-deleted`: `delete` removes the rows, `soft` keeps them marked deleted. */
  onIntegrationDeleted: envVar('SYNC_ON_INTEGRATION_DELETED', z.enum(['delete', 'soft']).default('delete')),
  /**
   * How long Kombo must keep answering INTEGRATION_NOT_FOUND for a known integration before it is marked NOT_FOUND
   * and its schedules removed (only `integration-deleted` acts at once). Until then it is flagged, rows kept.
   */
  notFoundGraceMs: envVar('SYNC_NOT_FOUND_GRACE_MS', intVar(DAY_MS, { min: 0 })),
  /**
   * How long Kombo may report a model unavailable (MODEL_NOT_AVAILABLE, MODEL_DISABLED) before its rows are marked
   * deleted. Kombo's own policy for a turned-off model is 14 days.
   */
  modelUnavailableGraceMs: envVar('SYNC_MODEL_UNAVAILABLE_GRACE_MS', intVar(14 * DAY_MS, { min: 0 })),
  /**
   * Module of user handlers called inside each page's transaction (see README): a path (relative to the working
   * directory; the file must exist) or a package name.
   */
  handlersModule: envVar('SYNC_HANDLERS_MODULE', moduleVar().optional()),
  /** BullMQ lock duration: a worker that misses renewing its lock this long is considered stalled. */
  lockDurationMs: envVar('WORKER_LOCK_DURATION_MS', timerMsVar(60_000, { min: 5_000 })),
  /**
   * How long an integration's sync lease (the fence that keeps two runs from writing at once) lasts unless renewed;
   * a run whose worker died holds its integration this long at most.
   */
  leaseTtlMs: envVar('SYNC_LEASE_TTL_MS', timerMsVar(30_000, { min: 1_000 })),
  /**
   * A full or initial pass left open (its run failed, was killed or yielded) resumes at its checkpointed cursor
   * unless that cursor is older than this; then it starts over. Kombo does not document how long cursors live; one
   * it refuses restarts the pass anyway.
   */
  passCursorMaxAgeMs: envVar('SYNC_PASS_CURSOR_MAX_AGE_MS', intVar(12 * HOUR_MS, { min: 0 })),
  /** How often BullMQ checks for stalled jobs. */
  stalledIntervalMs: envVar('WORKER_STALLED_INTERVAL_MS', timerMsVar(30_000, { min: 1_000 })),
  /**
   * How long a stopping worker (SIGTERM) may take: its syncs stop at their next page boundary and hand their work
   * back; those still running at three quarters of it (at most 5 s before it) are cancelled; then it exits.
   */
  shutdownTimeoutMs: envVar('WORKER_SHUTDOWN_TIMEOUT_MS', timerMsVar(30_000, { min: 1_000 })),
  metricsPort: envVar('WORKER_METRICS_PORT', intVar(9464, { min: 0, max: 65535 })),
  /** How often the sweeper ensures a job for intents recorded without one (a crash between record and add). */
  sweepIntervalMs: envVar('WORKER_SWEEP_INTERVAL_MS', timerMsVar(30_000, { min: 100 })),
  /**
   * The change feed (`kombo-sync-changes`, see README): `off` writes no change_outbox rows and no feed keys to
   * Redis; `on` publishes one message per committed page with changes.
   */
  isChangeFeedOn: envVar(
    'CHANGE_FEED',
    z
      .enum(['on', 'off'], { error: 'must be on or off' })
      .default('off')
      .transform((value) => value === 'on'),
  ),
  /**
   * Most messages kept waiting for a consumer, also with none running; the oldest beyond it are dropped (a consumer
   * that falls this far behind must resync from the mirror).
   */
  changeFeedMaxMessages: envVar('CHANGE_FEED_MAX_MESSAGES', intVar(10_000, { min: 1, max: 10_000_000 })),
} satisfies SettingsSpec;

/** Outbound webhooks: how every worker's dispatcher sends the deliveries (see README "Receiving changes"). */
export const deliverySettings = {
  /** Deadline of one webhook attempt (DNS, connect, TLS, response): a hanging receiver is cut here. */
  webhookTimeoutMs: envVar('WEBHOOK_TIMEOUT_MS', intVar(15_000, { min: 100, max: 120_000 })),
  /** Most deliveries in flight per endpoint, fleet-wide (order per endpoint, integration and model holds anyway). */
  webhookConcurrencyPerEndpoint: envVar('WEBHOOK_CONCURRENCY_PER_ENDPOINT', intVar(4, { min: 1, max: 100 })),
  /**
   * Lets webhooks go to private, loopback, link-local and other non-public addresses (checked after DNS resolution,
   * on the address connected to). Off: such targets are refused (SSRF); turn on for receivers inside your network.
   */
  isWebhookPrivateTargetAllowed: envVar('WEBHOOK_ALLOW_PRIVATE_TARGETS', boolVar(false)),
  /**
   * A delivery is retried (exponential backoff with jitter, up to 4 h apart) until this long after its first
   * attempt, then dead.
   */
  webhookRetryWindowMs: envVar('WEBHOOK_RETRY_WINDOW_MS', intVar(DAY_MS, { min: HOUR_MS, max: 30 * DAY_MS })),
  /** An endpoint whose every attempt failed for this long is disabled (a 410 Gone disables it at once). */
  webhookDisableAfterMs: envVar(
    'WEBHOOK_DISABLE_AFTER_MS',
    intVar(5 * DAY_MS, { min: HOUR_MS, max: 90 * DAY_MS }),
  ),
  /** How often each worker looks for due deliveries besides after its own pages and attempts. */
  webhookPollIntervalMs: envVar('WEBHOOK_POLL_INTERVAL_MS', intVar(1_000, { min: 50, max: 60_000 })),
  /** Delivered deliveries (and their attempt log) are deleted this many days after delivery, hourly. */
  webhookDeliveredRetentionDays: envVar('WEBHOOK_DELIVERED_RETENTION_DAYS', intVar(7, { min: 0, max: 3650 })),
  /** Dead letters are kept this many days for `kombo-sync deliveries replay`, then deleted. */
  webhookDeadRetentionDays: envVar('WEBHOOK_DEAD_RETENTION_DAYS', intVar(30, { min: 0, max: 3650 })),
} satisfies SettingsSpec;

/** `/metrics` of the worker and the dashboard. */
export const metricsSettings = {
  /**
   * Adds an `integration_id` label to the lag and progress series (one series per integration and model). Off by
   * default: the series are per model (lag: the largest over integrations), so their count does not grow with the
   * fleet. Turn on only for fleets small enough for the metrics backend.
   */
  isMetricsPerIntegration: envVar('METRICS_PER_INTEGRATION', boolVar(false)),
} satisfies SettingsSpec;

/** The status views of the dashboard and the CLI. */
export const statusSettings = {
  /**
   * An integration is shown lagging when a model's last successful sync is older than this (or it never synced).
   * Default 7 h: the default safety-net interval (6 h), within which every live integration is checked, plus an
   * hour; raise it with SYNC_SAFETY_NET_INTERVAL_MS.
   */
  lagThresholdMs: envVar('STATUS_LAG_THRESHOLD_MS', intVar(7 * HOUR_MS, { min: 60_000, max: 365 * DAY_MS })),
} satisfies SettingsSpec;

/** The dashboard. */
export const dashboardSettings = {
  dashboardPort: envVar('DASHBOARD_PORT', intVar(3001, { min: 0, max: 65535 })),
  dashboardUsername: envVar('DASHBOARD_USERNAME', z.string().optional()),
  dashboardPassword: envVar('DASHBOARD_PASSWORD', z.string().optional()),
  /** Alternative to basic auth: `Authorization: Bearer <token>`. */
  dashboardToken: envVar('DASHBOARD_TOKEN', z.string().optional()),
  /**
   * The dashboard only reads: every request that would change something (syncs, controls, Bull Board's actions) is
   * refused with 403, and the pages show no buttons for them.
   */
  isDashboardReadOnly: envVar('DASHBOARD_READ_ONLY', boolVar(false)),
} satisfies SettingsSpec;

/** `production` makes missing credentials fatal where a development default would be unsafe. */
export const runtimeSettings = {
  nodeEnv: envVar('NODE_ENV', z.enum(['development', 'production', 'test']).default('development')),
} satisfies SettingsSpec;

/** A rule over several variables, checked by `loadConfig` whenever a schema holds all of them. */
export interface CrossVariableRule {
  readonly variables: readonly string[];
  /** The problem, or undefined; called with the parsed values of `variables` only when each of them is valid. */
  check(values: Record<string, unknown>): { variable: string; message: string } | undefined;
}

/**
 * Rules that span variables. Kept apart from the schemas (a refinement on a zod object is lost when a process
 * composes its schema with `.extend()` or `...shape`), and applied by `loadConfig` to any schema that has them all.
 */
export const crossVariableRules: readonly CrossVariableRule[] = [
  {
    variables: ['REDIS_URL', 'QUEUE_PREFIX'],
    check: ({ REDIS_URL, QUEUE_PREFIX }) =>
      parseRedisUrl(String(REDIS_URL)).kind === 'cluster' && redisHashTag(String(QUEUE_PREFIX)) === undefined
        ? {
            variable: 'QUEUE_PREFIX',
            message:
              'must contain a Redis Cluster hash tag (a non-empty {…}, e.g. the default {kombo-sync}) when ' +
              "REDIS_URL is a cluster URL: BullMQ's and the fleet's scripts need all keys in one slot",
          }
        : undefined,
  },
];
