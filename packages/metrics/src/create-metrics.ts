import { DEFAULT_ENVIRONMENT } from '@kombo-sync/config';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process a registry belongs to; put on every series as the `service` label. */
export type MetricsService = 'ingress' | 'worker' | 'dashboard';

/** The fleet's metrics, all registered on one registry owned by the caller (no global registry is touched). */
export interface Metrics {
  registry: Registry;
  /**
   * Webhooks received, by Kombo `environment` (the path's: `default` for `/webhooks/kombo`), webhook `type` and
   * `outcome` (e.g. accepted, replay, invalid_signature).
   */
  webhooks: Counter<'environment' | 'type' | 'outcome'>;
  /** Duration of a queue job, by `kind` (delta, full, scheduled...) and final `status`. */
  jobDurationSeconds: Histogram<'kind' | 'status'>;
  /** Sync runs closed, by status (`succeeded`, `failed`, `interrupted`) and, for `interrupted`, reason. */
  runsFinished: Counter<'status' | 'reason'>;
  /** Records a sync wrote, by `model` and `outcome`: upserted, unchanged, deleted or quarantined. */
  recordsWritten: Counter<'model' | 'outcome'>;
  /**
   * Requests to Kombo, by `environment` (the Kombo environment's name, `default` for KOMBO_API_KEY's), `endpoint`
   * (model or path), `outcome` (ok, error) and `code` (HTTP status or error code). Every Kombo-facing series has
   * `environment`: names are configured (KOMBO_ENVIRONMENTS), so the label stays bounded.
   */
  komboRequests: Counter<'environment' | 'endpoint' | 'outcome' | 'code'>;
  /** Duration of a Kombo request, by `environment` and `endpoint`. */
  komboRequestSeconds: Histogram<'environment' | 'endpoint'>;
  /**
   * Time a Kombo request waited for its environment's request budget (KOMBO_MAX_REQUESTS_PER_SECOND,
   * KOMBO_<NAME>_MAX_REQUESTS_PER_SECOND), per request, by `environment`.
   */
  komboBudgetWaitSeconds: Histogram<'environment'>;
  /**
   * An environment's budget's effective rate (req/s, fleet-wide: lowered by key-wide 429s), as this process last
   * saw it, by `environment`; only environments with a budget have a series.
   */
  komboBudgetRate: Gauge<'environment'>;
  /** Key-wide 429s that lowered an environment's budget's rate (counted by the process that reported them). */
  komboBudgetDecreases: Counter<'environment'>;
  /**
   * Seconds since a model was last checked successfully (its last successful pass), by `model`: the largest over
   * live, unpaused integrations; with METRICS_PER_INTEGRATION also by `integration_id`. Refreshed on scrape by
   * {@link collectSyncHealth}.
   */
  syncLagSeconds: Gauge<'integration_id' | 'model'>;
  /** Passes running now, by `model` (and `integration_id` when per-integration labels are on). */
  syncPassesRunning: Gauge<'integration_id' | 'model'>;
  /** Pages of the running passes, by `model` and `of` (`done`, `expected`: summed over passes that know it). */
  syncProgressPages: Gauge<'integration_id' | 'model' | 'of'>;
  /** Records of the running passes, by `model` and `of` (`done`, `expected`). */
  syncProgressRecords: Gauge<'integration_id' | 'model' | 'of'>;
  /** Estimated seconds left of the running passes, by `model`: the longest of those with an estimate. */
  syncProgressEtaSeconds: Gauge<'integration_id' | 'model'>;
  /**
   * Jobs in a queue, by `queue`, BullMQ `state` (waiting, active, delayed, failed...) and, for the sync lanes, `lane`
   * (`delta`, `bulk`, …): alert rules key on the lane label, so a lane added later is covered without new rules.
   */
  queueJobs: Gauge<'queue' | 'state' | 'lane'>;
  /**
   * Records in quarantine now (all integrations), by `model` and `reason_class` (schema, data, constraint, limit):
   * refreshed on scrape by {@link collectQuarantinedRecords}.
   */
  quarantinedRecords: Gauge<'model' | 'reason_class'>;
  /**
   * INTEGRATION_NOT_FOUND answers for known integrations, by `environment` and `decision`: `flag` (within
   * SYNC_NOT_FOUND_GRACE_MS, rows and schedules kept) or `confirm` (the grace passed: marked NOT_FOUND, schedules
   * removed).
   */
  integrationNotFound: Counter<'environment' | 'decision'>;
  /** Live integrations flagged NOT_FOUND now (within the grace), all together: refreshed on scrape. */
  integrationsNotFoundFlagged: Gauge;
  /**
   * Outbound webhook attempts, by `endpoint` (its id: endpoints are few, created by an operator; never the URL) and
   * `outcome`: delivered, failed (non-2xx), timeout, refused (SSRF guard), network.
   */
  webhookAttempts: Counter<'endpoint' | 'outcome'>;
  /** Deliveries that ended, by `endpoint` and `result`: delivered, dead (retries exhausted or endpoint disabled). */
  webhookDeliveries: Counter<'endpoint' | 'result'>;
  /** Duration of one webhook attempt, by `endpoint`. */
  webhookAttemptSeconds: Histogram<'endpoint'>;
  /** Deliveries of an endpoint by `state` (pending, in_flight, dead): refreshed on scrape by {@link collectDeliveryHealth}. */
  webhookDeliveriesWaiting: Gauge<'endpoint' | 'state'>;
  /** Age of the oldest change not yet delivered to an endpoint, seconds (0 when none waits): refreshed on scrape. */
  webhookLagSeconds: Gauge<'endpoint'>;
  /** 1 while an endpoint is enabled, 0 once disabled (by an operator, a 410, or failing past the threshold). */
  webhookEndpointEnabled: Gauge<'endpoint'>;
  /**
   * Worker processes that sent a heartbeat within the last `WORKER_LIVE_WINDOW_MS` (kept in Redis, so every
   * process reports the fleet's count): 0 means nothing is draining the queues. Refreshed on scrape.
   */
  workersLive: Gauge;
  /**
   * Failed syncs in a row of a model since its last success, by `model`: the largest over live integrations (with
   * METRICS_PER_INTEGRATION also by `integration_id`). Refreshed on scrape by {@link collectIntegrationHealth}.
   */
  consecutiveFailures: Gauge<'integration_id' | 'model'>;
  /**
   * Live integrations by Kombo's `state` (ACTIVE, INACTIVE, INVALID; NOT_FOUND once confirmed; `unknown` before
   * Kombo was asked) and `setup_status` (COMPLETED, INCOMPLETE, FINAL_SYNC_PENDING, `unknown`). Refreshed on scrape.
   */
  integrationsByState: Gauge<'state' | 'setup_status'>;
  /**
   * Live integrations whose latest Kombo sync (`sync-finished` webhook) ended in a failure, by `sync_state`
   * (FAILED, PARTIALLY_FAILED, AUTHENTICATION_FAILED, …). Refreshed on scrape.
   */
  komboSyncsFailed: Gauge<'sync_state'>;
  /** `connection-flow-failed` webhooks Kombo sent in the last 24 hours (end users who could not connect a tool). */
  connectionFlowFailures: Gauge;
  /**
   * Kombo answers 429, by `environment` and `scope`: `key` (the environment's API key's limit, its whole fleet
   * share waits) or `integration`.
   */
  komboRateLimited: Counter<'environment' | 'scope'>;
  /** Kombo requests answered PLATFORM.AUTHENTICATION_INVALID, by `environment`: its API key was rejected. */
  komboKeyRejections: Counter<'environment'>;
  /**
   * Change feed messages dropped unread since the feed began (CHANGE_FEED=on), as counted in Redis for the whole
   * fleet: a rise means a consumer fell more than CHANGE_FEED_MAX_MESSAGES behind. Refreshed on scrape.
   */
  changeFeedDropped: Gauge;
}

/**
 * Exports the counter's series at 0 for each of `labels` from the start, so that `increase()` sees the first event
 * (a series that appears at 1 has no earlier sample to increase from).
 */
function counterAtZero<T extends string>(
  counter: Counter<T>,
  labels: Partial<Record<T, string>>[],
): Counter<T> {
  for (const label of labels) counter.inc(label, 0);
  return counter;
}

/** Prefix of every metric name of the fleet (default process metrics included). */
export const METRIC_PREFIX = 'kombo_sync_';

/** Webhooks received, runs and jobs, records written. */
function jobMetrics(registers: Registry[]) {
  return {
    webhooks: new Counter({
      name: `${METRIC_PREFIX}webhooks_total`,
      help: 'Kombo webhooks received, by Kombo environment, type and outcome.',
      labelNames: ['environment', 'type', 'outcome'] as const,
      registers,
    }),
    runsFinished: new Counter({
      name: `${METRIC_PREFIX}runs_finished_total`,
      help: 'Sync runs closed, by status (succeeded, failed, interrupted) and the reason of an interrupted run (shutdown, pause, slice; empty otherwise).',
      labelNames: ['status', 'reason'] as const,
      registers,
    }),
    jobDurationSeconds: new Histogram({
      name: `${METRIC_PREFIX}job_duration_seconds`,
      help: 'Duration of queue jobs, by kind and final status.',
      labelNames: ['kind', 'status'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    recordsWritten: new Counter({
      name: `${METRIC_PREFIX}records_written_total`,
      help: 'Records written to Postgres, by model and outcome (upserted, unchanged, deleted, quarantined).',
      labelNames: ['model', 'outcome'] as const,
      registers,
    }),
  };
}

/** Kombo requests, 429s, rejected keys and the request budgets, each by Kombo environment. */
function komboMetrics(registers: Registry[], environments: readonly string[]) {
  const perEnvironment = environments.map((environment) => ({ environment }));
  return {
    komboRequests: new Counter({
      name: `${METRIC_PREFIX}kombo_requests_total`,
      help: 'Requests to the Kombo API, by Kombo environment, endpoint, outcome and code.',
      labelNames: ['environment', 'endpoint', 'outcome', 'code'] as const,
      registers,
    }),
    komboRequestSeconds: new Histogram({
      name: `${METRIC_PREFIX}kombo_request_duration_seconds`,
      help: 'Duration of Kombo API requests, by Kombo environment and endpoint.',
      labelNames: ['environment', 'endpoint'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    komboBudgetWaitSeconds: new Histogram({
      name: `${METRIC_PREFIX}kombo_budget_wait_seconds`,
      help: "Time a Kombo request waited for its environment's fleet-wide request budget.",
      labelNames: ['environment'] as const,
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    komboBudgetRate: new Gauge({
      name: `${METRIC_PREFIX}kombo_budget_rate`,
      help: "Effective rate of a Kombo environment's fleet-wide request budget, requests per second.",
      labelNames: ['environment'] as const,
      registers,
    }),
    komboBudgetDecreases: new Counter({
      name: `${METRIC_PREFIX}kombo_budget_decreases_total`,
      help: "Key-wide 429s that halved a Kombo environment's request budget.",
      labelNames: ['environment'] as const,
      registers,
    }),
    komboRateLimited: counterAtZero(
      new Counter({
        name: `${METRIC_PREFIX}kombo_rate_limited_total`,
        help: "Kombo 429 answers, by Kombo environment and scope (key: the environment's API key is throttled; integration).",
        labelNames: ['environment', 'scope'] as const,
        registers,
      }),
      perEnvironment.flatMap((labels) => [
        { ...labels, scope: 'key' },
        { ...labels, scope: 'integration' },
      ]),
    ),
    komboKeyRejections: counterAtZero(
      new Counter({
        name: `${METRIC_PREFIX}kombo_key_rejections_total`,
        help: 'Kombo requests answered PLATFORM.AUTHENTICATION_INVALID (the API key was rejected), by Kombo environment.',
        labelNames: ['environment'] as const,
        registers,
      }),
      perEnvironment,
    ),
  };
}

/** Lag, running passes and their progress, queue depth, quarantine, INTEGRATION_NOT_FOUND. */
function syncStateMetrics(registers: Registry[]) {
  return {
    syncLagSeconds: new Gauge({
      name: `${METRIC_PREFIX}lag_seconds`,
      help: 'Seconds since the last successful sync of a model (largest over integrations unless per integration).',
      labelNames: ['integration_id', 'model'] as const,
      registers,
    }),
    syncPassesRunning: new Gauge({
      name: `${METRIC_PREFIX}passes_running`,
      help: 'Model passes running now, by model.',
      labelNames: ['integration_id', 'model'] as const,
      registers,
    }),
    syncProgressPages: new Gauge({
      name: `${METRIC_PREFIX}progress_pages`,
      help: 'Pages of the running passes, done and expected, by model.',
      labelNames: ['integration_id', 'model', 'of'] as const,
      registers,
    }),
    syncProgressRecords: new Gauge({
      name: `${METRIC_PREFIX}progress_records`,
      help: 'Records of the running passes, done and expected, by model.',
      labelNames: ['integration_id', 'model', 'of'] as const,
      registers,
    }),
    syncProgressEtaSeconds: new Gauge({
      name: `${METRIC_PREFIX}progress_eta_seconds`,
      help: 'Estimated seconds left of the running passes of a model (the longest).',
      labelNames: ['integration_id', 'model'] as const,
      registers,
    }),
    queueJobs: new Gauge({
      name: `${METRIC_PREFIX}queue_jobs`,
      help: 'Jobs in a queue, by queue, state and (sync lanes) lane.',
      labelNames: ['queue', 'state', 'lane'] as const,
      registers,
    }),
    quarantinedRecords: new Gauge({
      name: `${METRIC_PREFIX}quarantined_records`,
      help: 'Records set aside in quarantine (not stored, retried on each pass), by model and reason class.',
      labelNames: ['model', 'reason_class'] as const,
      registers,
    }),
    integrationNotFound: new Counter({
      name: `${METRIC_PREFIX}integration_not_found_total`,
      help: 'INTEGRATION_NOT_FOUND answers for known integrations, by Kombo environment and decision (flag within the grace, confirm after).',
      labelNames: ['environment', 'decision'] as const,
      registers,
    }),
    integrationsNotFoundFlagged: new Gauge({
      name: `${METRIC_PREFIX}integrations_not_found_flagged`,
      help: 'Live integrations Kombo answers INTEGRATION_NOT_FOUND for, still within the grace (rows and schedules kept).',
      registers,
    }),
  };
}

/** Outbound webhooks: attempts, deliveries, waiting, lag, enabled endpoints. */
function outboundWebhookMetrics(registers: Registry[]) {
  return {
    webhookAttempts: new Counter({
      name: `${METRIC_PREFIX}webhook_attempts_total`,
      help: 'Outbound webhook attempts, by endpoint id and outcome (delivered, failed, timeout, refused, network).',
      labelNames: ['endpoint', 'outcome'] as const,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: `${METRIC_PREFIX}webhook_deliveries_total`,
      help: 'Outbound webhook deliveries that ended, by endpoint id and result (delivered, dead).',
      labelNames: ['endpoint', 'result'] as const,
      registers,
    }),
    webhookAttemptSeconds: new Histogram({
      name: `${METRIC_PREFIX}webhook_attempt_seconds`,
      help: 'Duration of one outbound webhook attempt, by endpoint id.',
      labelNames: ['endpoint'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    webhookDeliveriesWaiting: new Gauge({
      name: `${METRIC_PREFIX}webhook_deliveries`,
      help: 'Outbound webhook deliveries of an endpoint by state (pending, in_flight, dead).',
      labelNames: ['endpoint', 'state'] as const,
      registers,
    }),
    webhookLagSeconds: new Gauge({
      name: `${METRIC_PREFIX}webhook_lag_seconds`,
      help: 'Age of the oldest change not yet delivered to an endpoint, seconds (0 when none waits).',
      labelNames: ['endpoint'] as const,
      registers,
    }),
    webhookEndpointEnabled: new Gauge({
      name: `${METRIC_PREFIX}webhook_endpoint_enabled`,
      help: '1 while an outbound webhook endpoint is enabled, 0 once disabled.',
      labelNames: ['endpoint'] as const,
      registers,
    }),
  };
}

/** The fleet's health: live workers, failures in a row, Kombo's states and syncs, the change feed. */
function fleetHealthMetrics(registers: Registry[]) {
  return {
    workersLive: new Gauge({
      name: `${METRIC_PREFIX}workers_live`,
      help: 'Worker processes with a recent heartbeat (fleet-wide, from Redis).',
      registers,
    }),
    consecutiveFailures: new Gauge({
      name: `${METRIC_PREFIX}consecutive_failures`,
      help: 'Failed syncs in a row of a model since its last success (largest over integrations unless per integration).',
      labelNames: ['integration_id', 'model'] as const,
      registers,
    }),
    integrationsByState: new Gauge({
      name: `${METRIC_PREFIX}integrations`,
      help: "Live integrations by Kombo's state and setup status.",
      labelNames: ['state', 'setup_status'] as const,
      registers,
    }),
    komboSyncsFailed: new Gauge({
      name: `${METRIC_PREFIX}kombo_syncs_failed`,
      help: "Live integrations whose latest Kombo sync (sync-finished) failed, by Kombo's sync state.",
      labelNames: ['sync_state'] as const,
      registers,
    }),
    connectionFlowFailures: new Gauge({
      name: `${METRIC_PREFIX}connection_flow_failures`,
      help: 'connection-flow-failed webhooks received in the last 24 hours.',
      registers,
    }),
    changeFeedDropped: new Gauge({
      name: `${METRIC_PREFIX}change_feed_dropped_messages`,
      help: 'Change feed messages dropped unread since the feed began (fleet-wide, from Redis).',
      registers,
    }),
  };
}

export interface CreateMetricsOptions {
  service: MetricsService;
  /**
   * The Kombo environments the process serves, by the names the `environment` label takes: the 429 and key
   * rejection counters are exported at 0 for each from the start. Default: the default environment only.
   */
  komboEnvironments?: readonly string[];
}

/**
 * Creates a fresh registry with the fleet's metrics plus prom-client's default process metrics (collected on
 * scrape), every series labelled `service`. Call once per process; tests may create as many as they like.
 */
export function createMetrics({
  service,
  komboEnvironments = [DEFAULT_ENVIRONMENT],
}: CreateMetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];
  return {
    registry,
    ...jobMetrics(registers),
    ...komboMetrics(registers, komboEnvironments),
    ...syncStateMetrics(registers),
    ...outboundWebhookMetrics(registers),
    ...fleetHealthMetrics(registers),
  };
}
