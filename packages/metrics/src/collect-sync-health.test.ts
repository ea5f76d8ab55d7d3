import { describe, expect, it } from '@jest/globals';
import { collectSyncHealth, createMetrics, type PassProgressLike, type SyncLagLike } from './index.js';
import { parseExposition, sampleValue } from './testing/parse-exposition.js';

const lags: SyncLagLike[] = [
  { integrationId: 'personio:1', model: 'hris_employees', lagSeconds: 30 },
  { integrationId: 'personio:2', model: 'hris_employees', lagSeconds: 90 },
  { integrationId: 'personio:2', model: 'hris_teams', lagSeconds: 5 },
];
const passes: PassProgressLike[] = [
  {
    integrationId: 'personio:1',
    model: 'hris_employees',
    pagesDone: 4,
    recordsDone: 1_000,
    expectedPages: 40,
    expectedRecords: 10_000,
    etaSeconds: 120,
  },
  {
    integrationId: 'personio:2',
    model: 'hris_employees',
    pagesDone: 1,
    recordsDone: 250,
    expectedPages: null,
    expectedRecords: null,
    etaSeconds: null,
  },
];

describe('collectSyncHealth', () => {
  it('aggregates per model by default: no integration_id label, lag the largest, progress summed', async () => {
    const metrics = createMetrics({ service: 'dashboard' });
    await collectSyncHealth({ lags: async () => lags, progress: async () => passes }, metrics);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('integration_id');
    const parsed = parseExposition(text);
    expect(sampleValue(parsed, 'kombo_sync_lag_seconds', { model: 'hris_employees' })).toBe(90);
    expect(sampleValue(parsed, 'kombo_sync_lag_seconds', { model: 'hris_teams' })).toBe(5);
    expect(sampleValue(parsed, 'kombo_sync_passes_running', { model: 'hris_employees' })).toBe(2);
    const employees = { model: 'hris_employees' };
    expect(sampleValue(parsed, 'kombo_sync_progress_records', { ...employees, of: 'done' })).toBe(1_250);
    expect(sampleValue(parsed, 'kombo_sync_progress_records', { ...employees, of: 'expected' })).toBe(10_000);
    expect(sampleValue(parsed, 'kombo_sync_progress_pages', { ...employees, of: 'done' })).toBe(5);
    expect(sampleValue(parsed, 'kombo_sync_progress_eta_seconds', employees)).toBe(120);
  });

  it('labels by integration when asked, and forgets finished passes on the next scrape', async () => {
    const metrics = createMetrics({ service: 'worker' });
    const sources = { lags: async () => lags, progress: async () => passes };
    await collectSyncHealth(sources, metrics, { isPerIntegration: true });
    let parsed = parseExposition(await metrics.registry.metrics());
    expect(sampleValue(parsed, 'kombo_sync_lag_seconds', { integration_id: 'personio:1' })).toBe(30);
    expect(
      sampleValue(parsed, 'kombo_sync_progress_records', { integration_id: 'personio:2', of: 'done' }),
    ).toBe(250);
    await collectSyncHealth({ lags: async () => [], progress: async () => [] }, metrics);
    parsed = parseExposition(await metrics.registry.metrics());
    expect(sampleValue(parsed, 'kombo_sync_passes_running', { model: 'hris_employees' })).toBe(undefined);
  });
});
