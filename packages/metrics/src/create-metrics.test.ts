import { describe, expect, it } from '@jest/globals';
import {
  collectIntegrationHealth,
  collectLaneDepth,
  collectQuarantinedRecords,
  collectQueueDepth,
  createMetrics,
  type QueueLike,
} from './index.js';
import { parseExposition, sampleValue } from './testing/parse-exposition.js';

describe('createMetrics', () => {
  it('exposes the fleet metrics and process metrics in valid exposition format', async () => {
    const metrics = createMetrics({ service: 'worker' });
    metrics.recordsWritten.inc({ model: 'hris_employees', outcome: 'upserted' }, 250);
    metrics.jobDurationSeconds.observe({ kind: 'delta', status: 'succeeded' }, 1.5);
    metrics.komboRequests.inc({ environment: 'us', endpoint: 'hris_employees', outcome: 'ok', code: '200' });
    metrics.komboRequestSeconds.observe({ environment: 'us', endpoint: 'hris_employees' }, 0.2);
    metrics.syncLagSeconds.set({ model: 'hris_employees' }, 12);
    metrics.webhooks.inc({ environment: 'default', type: 'data-changed', outcome: 'accepted' });
    metrics.komboBudgetWaitSeconds.observe({ environment: 'default' }, 0.05);
    metrics.komboBudgetRate.set({ environment: 'default' }, 12.5);
    metrics.komboBudgetRate.set({ environment: 'us' }, 3);
    metrics.komboBudgetDecreases.inc({ environment: 'us' });

    const parsed = parseExposition(await metrics.registry.metrics());
    expect([...parsed.types.keys()]).toEqual(
      expect.arrayContaining([
        'kombo_sync_webhooks_total',
        'kombo_sync_job_duration_seconds',
        'kombo_sync_runs_finished_total',
        'kombo_sync_records_written_total',
        'kombo_sync_kombo_requests_total',
        'kombo_sync_kombo_request_duration_seconds',
        'kombo_sync_lag_seconds',
        'kombo_sync_queue_jobs',
        'kombo_sync_kombo_budget_wait_seconds',
        'kombo_sync_kombo_budget_rate',
        'kombo_sync_kombo_budget_decreases_total',
        'kombo_sync_integration_not_found_total',
        'kombo_sync_integrations_not_found_flagged',
        'kombo_sync_process_cpu_user_seconds_total',
      ]),
    );
    const labels = { service: 'worker', model: 'hris_employees', outcome: 'upserted' };
    expect(sampleValue(parsed, 'kombo_sync_records_written_total', labels)).toBe(250);
    expect(sampleValue(parsed, 'kombo_sync_job_duration_seconds_count', { kind: 'delta' })).toBe(1);
    const us = { service: 'worker', environment: 'us' };
    const eu = { service: 'worker', environment: 'default' };
    expect(sampleValue(parsed, 'kombo_sync_kombo_requests_total', { ...us, code: '200' })).toBe(1);
    expect(sampleValue(parsed, 'kombo_sync_kombo_request_duration_seconds_count', us)).toBe(1);
    expect(sampleValue(parsed, 'kombo_sync_kombo_budget_rate', eu)).toBe(12.5);
    expect(sampleValue(parsed, 'kombo_sync_kombo_budget_rate', us)).toBe(3);
    expect(sampleValue(parsed, 'kombo_sync_kombo_budget_wait_seconds_count', eu)).toBe(1);
    expect(sampleValue(parsed, 'kombo_sync_kombo_budget_decreases_total', us)).toBe(1);
    expect(sampleValue(parsed, 'kombo_sync_kombo_budget_decreases_total', eu)).toBeUndefined();
    expect(sampleValue(parsed, 'kombo_sync_lag_seconds', { model: 'hris_employees' })).toBe(12);
  });

  it('gives each call its own registry: a counter moves in one only', async () => {
    const a = createMetrics({ service: 'ingress' });
    const b = createMetrics({ service: 'ingress' });
    const labels = { environment: 'default', type: 'data-changed', outcome: 'accepted' };
    a.webhooks.inc(labels);
    a.webhooks.inc(labels);
    expect(
      sampleValue(parseExposition(await a.registry.metrics()), 'kombo_sync_webhooks_total', labels),
    ).toBe(2);
    expect(
      sampleValue(parseExposition(await b.registry.metrics()), 'kombo_sync_webhooks_total', labels),
    ).toBe(undefined);
  });

  it('collectQueueDepth sets one series per state', async () => {
    const metrics = createMetrics({ service: 'dashboard' });
    const queue: QueueLike = {
      name: 'kombo-sync',
      getJobCounts: async () => ({ waiting: 3, active: 1, failed: 2 }),
    };
    await collectQueueDepth(queue, metrics.queueJobs);
    const parsed = parseExposition(await metrics.registry.metrics());
    expect(sampleValue(parsed, 'kombo_sync_queue_jobs', { queue: 'kombo-sync', state: 'waiting' })).toBe(3);
    expect(sampleValue(parsed, 'kombo_sync_queue_jobs', { queue: 'kombo-sync', state: 'delayed' })).toBe(0);
  });

  it('the parser rejects malformed text', () => {
    expect(() => parseExposition('# TYPE x counter\nx{a="1" 2\n')).toThrow(/malformed sample/);
    expect(() => parseExposition('y 1\n')).toThrow(/without TYPE/);
  });

  it('sets the quarantine gauge from a count query by model and reason class, dropping cleared series', async () => {
    const metrics = createMetrics({ service: 'worker' });
    let counts = [
      { model: 'hris_employees', reasonClass: 'data', count: 2 },
      { model: 'hris_groups', reasonClass: 'schema', count: 1 },
    ];
    await collectQuarantinedRecords(async () => counts, metrics.quarantinedRecords);
    let parsed = parseExposition(await metrics.registry.metrics());
    const name = 'kombo_sync_quarantined_records';
    expect(sampleValue(parsed, name, { model: 'hris_employees', reason_class: 'data' })).toBe(2);
    expect(sampleValue(parsed, name, { model: 'hris_groups', reason_class: 'schema' })).toBe(1);
    expect(parsed.samples.filter((s) => s.name === name).every((s) => !('integration_id' in s.labels))).toBe(
      true,
    );
    counts = [{ model: 'hris_employees', reasonClass: 'data', count: 1 }];
    await collectQuarantinedRecords(async () => counts, metrics.quarantinedRecords);
    parsed = parseExposition(await metrics.registry.metrics());
    expect(sampleValue(parsed, name, { model: 'hris_groups' })).toBeUndefined();
    expect(sampleValue(parsed, name, { model: 'hris_employees' })).toBe(1);
  });
});

describe('the series the alert rules read', () => {
  it('labels sync lanes by lane, and exports the 429 and key counters per environment at 0 from the start', async () => {
    const metrics = createMetrics({ service: 'worker', komboEnvironments: ['default', 'us'] });
    const queue = (name: string): QueueLike => ({ name, getJobCounts: async () => ({ waiting: 2 }) });
    await collectLaneDepth({ delta: queue('kombo-sync'), bulk: queue('kombo-sync-bulk') }, metrics.queueJobs);
    await collectQueueDepth(queue('kombo-sync-changes'), metrics.queueJobs);
    const parsed = parseExposition(await metrics.registry.metrics());
    expect(
      sampleValue(parsed, 'kombo_sync_queue_jobs', {
        lane: 'bulk',
        queue: 'kombo-sync-bulk',
        state: 'waiting',
      }),
    ).toBe(2);
    const feed = parsed.samples.find(
      (s) => s.name === 'kombo_sync_queue_jobs' && s.labels['queue'] === 'kombo-sync-changes',
    );
    expect(feed?.labels['lane']).toBeUndefined();
    for (const environment of ['default', 'us']) {
      for (const scope of ['key', 'integration'])
        expect(sampleValue(parsed, 'kombo_sync_kombo_rate_limited_total', { environment, scope })).toBe(0);
      expect(sampleValue(parsed, 'kombo_sync_kombo_key_rejections_total', { environment })).toBe(0);
    }
    const defaults = parseExposition(await createMetrics({ service: 'worker' }).registry.metrics());
    expect(
      defaults.samples
        .filter((s) => s.name === 'kombo_sync_kombo_key_rejections_total')
        .map((s) => s.labels['environment']),
    ).toEqual(['default']);
  });

  it('sets integration health: states (null as unknown), Kombo sync failures, the largest failure count per model', async () => {
    const metrics = createMetrics({ service: 'dashboard' });
    const health = {
      states: [
        { state: 'ACTIVE', setupStatus: 'COMPLETED', count: 7 },
        { state: null, setupStatus: null, count: 2 },
      ],
      komboSyncsFailed: [{ syncState: 'FAILED', count: 1 }],
      consecutiveFailures: [
        { integrationId: 'personio:1', model: 'hris_employees', failures: 2 },
        { integrationId: 'personio:2', model: 'hris_employees', failures: 5 },
      ],
      connectionFlowFailures: 3,
    };
    await collectIntegrationHealth(async () => health, metrics);
    let parsed = parseExposition(await metrics.registry.metrics());
    expect(
      sampleValue(parsed, 'kombo_sync_integrations', { state: 'ACTIVE', setup_status: 'COMPLETED' }),
    ).toBe(7);
    expect(
      sampleValue(parsed, 'kombo_sync_integrations', { state: 'unknown', setup_status: 'unknown' }),
    ).toBe(2);
    expect(sampleValue(parsed, 'kombo_sync_kombo_syncs_failed', { sync_state: 'FAILED' })).toBe(1);
    expect(sampleValue(parsed, 'kombo_sync_consecutive_failures', { model: 'hris_employees' })).toBe(5);
    expect(sampleValue(parsed, 'kombo_sync_connection_flow_failures', {})).toBe(3);

    await collectIntegrationHealth(async () => health, metrics, { isPerIntegration: true });
    parsed = parseExposition(await metrics.registry.metrics());
    expect(
      sampleValue(parsed, 'kombo_sync_consecutive_failures', {
        integration_id: 'personio:1',
        model: 'hris_employees',
      }),
    ).toBe(2);

    await collectIntegrationHealth(
      async () => ({ states: [], komboSyncsFailed: [], consecutiveFailures: [], connectionFlowFailures: 0 }),
      metrics,
    );
    parsed = parseExposition(await metrics.registry.metrics());
    expect(sampleValue(parsed, 'kombo_sync_kombo_syncs_failed', { sync_state: 'FAILED' })).toBeUndefined();
    expect(
      sampleValue(parsed, 'kombo_sync_consecutive_failures', { model: 'hris_employees' }),
    ).toBeUndefined();
  });
});
