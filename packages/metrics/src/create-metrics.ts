import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process a registry belongs to; put on every series as the `service` label. */
export type MetricsService = 'ingress' | 'worker' | 'dashboard';

/** The fleet's metrics, all registered on one registry owned by the caller (no global registry is touched). */
export interface Metrics {
  registry: Registry;
  /** Webhooks received, by Kombo webhook `type` and `outcome` (e.g. accepted, replay, invalid_signature). */
  webhooks: Counter<'type' | 'outcome'>;
  /** Duration of a queue job, by `kind` (delta, full, scheduled...) and final `status`. */
  jobDurationSeconds: Histogram<'kind' | 'status'>;
  /** Sync runs closed, by status (`succeeded`, `failed`, `interrupted`) and, for `interrupted`, reason. */
  runsFinished: Counter<'status' | 'reason'>;
  /** Records a sync wrote, by `model` and `outcome`: upserted, unchanged, deleted or quarantined. */
  recordsWritten: Counter<'model' | 'outcome'>;
  /** Requests to Kombo, by `endpoint` (model or path), `outcome` (ok, error) and `code` (HTTP status or error code). */
  komboRequests: Counter<'endpoint' | 'outcome' | 'code'>;
  /** Duration of a Kombo request, by `endpoint`. */
  komboRequestSeconds: Histogram<'endpoint'>;
  /** Time a Kombo request waited for the fleet's request budget (KOMBO_MAX_REQUESTS_PER_SECOND), per request. */
  komboBudgetWaitSeconds: Histogram;
  /** The budget's effective rate (req/s, fleet-wide: lowered by key-wide 429s), as this process last saw it. */
  komboBudgetRate: Gauge;
  /** Key-wide 429s that lowered the budget's rate (counted by the process that reported them). */
  komboBudgetDecreases: Counter;
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
  /** Jobs in a queue, by `queue` and BullMQ `state` (waiting, active, delayed, failed...). */
  queueJobs: Gauge<'queue' | 'state'>;
  /**
   * Records in quarantine now (all integrations), by `model` and `reason_class` (schema, data, constraint, limit):
   * refreshed on scrape by {@link collectQuarantinedRecords}.
   */
  quarantinedRecords: Gauge<'model' | 'reason_class'>;
  /**
   * INTEGRATION_NOT_FOUND answers for known integrations, by `decision`: `flag` (within SYNC_NOT_FOUND_GRACE_MS,
   * rows and schedules kept) or `confirm` (the grace passed: marked NOT_FOUND, schedules removed).
   */
  integrationNotFound: Counter<'decision'>;
  /** Live integrations flagged NOT_FOUND now (within the grace), all together: refreshed on scrape. */
  integrationsNotFoundFlagged: Gauge;
}

/** Prefix of every metric name of the fleet (default process metrics included). */
export const METRIC_PREFIX = 'kombo_sync_';

/**
 * Creates a fresh registry with the fleet's metrics plus prom-client's default process metrics (collected on
 * scrape), every series labelled `service`. Call once per process; tests may create as many as they like.
 */
export function createMetrics({ service }: { service: MetricsService }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];
  return {
    registry,
    webhooks: new Counter({
      name: `${METRIC_PREFIX}webhooks_total`,
      help: 'Kombo webhooks received, by type and outcome.',
      labelNames: ['type', 'outcome'] as const,
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
    komboRequests: new Counter({
      name: `${METRIC_PREFIX}kombo_requests_total`,
      help: 'Requests to the Kombo API, by endpoint, outcome and code.',
      labelNames: ['endpoint', 'outcome', 'code'] as const,
      registers,
    }),
    komboRequestSeconds: new Histogram({
      name: `${METRIC_PREFIX}kombo_request_duration_seconds`,
      help: 'Duration of Kombo API requests, by endpoint.',
      labelNames: ['endpoint'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    komboBudgetWaitSeconds: new Histogram({
      name: `${METRIC_PREFIX}kombo_budget_wait_seconds`,
      help: "Time a Kombo request waited for the fleet's request budget.",
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    komboBudgetRate: new Gauge({
      name: `${METRIC_PREFIX}kombo_budget_rate`,
      help: "Effective rate of the fleet's Kombo request budget, requests per second.",
      registers,
    }),
    komboBudgetDecreases: new Counter({
      name: `${METRIC_PREFIX}kombo_budget_decreases_total`,
      help: 'Key-wide 429s that halved the request budget.',
      registers,
    }),
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
      help: 'Jobs in a queue, by queue and state.',
      labelNames: ['queue', 'state'] as const,
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
      help: 'INTEGRATION_NOT_FOUND answers for known integrations, by decision (flag within the grace, confirm after).',
      labelNames: ['decision'] as const,
      registers,
    }),
    integrationsNotFoundFlagged: new Gauge({
      name: `${METRIC_PREFIX}integrations_not_found_flagged`,
      help: 'Live integrations Kombo answers INTEGRATION_NOT_FOUND for, still within the grace (rows and schedules kept).',
      registers,
    }),
  };
}
