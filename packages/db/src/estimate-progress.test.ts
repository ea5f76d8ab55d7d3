import { describe, expect, it } from '@jest/globals';
import { estimateProgress } from './estimate-progress.js';
import type { SyncProgressRow } from './schema/sync-progress.js';

const startedAt = new Date('2026-12-01T10:00:00.000Z');
const row = (overrides: Partial<SyncProgressRow>): SyncProgressRow => ({
  integrationId: 'personio:1',
  model: 'hris_employees',
  runId: 1,
  isFullPass: true,
  status: 'running',
  pagesDone: 10,
  recordsDone: 2_500,
  expectedRecords: 10_000,
  expectedPages: 40,
  lastFullRecords: 10_000,
  lastFullPages: 40,
  startedAt,
  updatedAt: new Date(startedAt.getTime() + 10_000),
  finishedAt: null,
  ...overrides,
});

describe('estimateProgress', () => {
  it('projects the pace so far onto what is left, less the time since the last update', () => {
    const now = new Date(startedAt.getTime() + 12_000);
    expect(estimateProgress(row({}), now)).toMatchObject({
      fraction: 0.25,
      recordsPerSecond: 250,
      // 7,500 records at 250/s = 30 s after the update, 2 s of which have passed.
      etaSeconds: 28,
    });
  });

  it('has no ETA when the expectation is unknown, none yet at the start, 0 once reached, none once ended', () => {
    const now = new Date(startedAt.getTime() + 10_000);
    expect(estimateProgress(row({ expectedRecords: null }), now)).toMatchObject({
      fraction: null,
      etaSeconds: null,
    });
    expect(estimateProgress(row({ recordsDone: 0, updatedAt: startedAt }), now).etaSeconds).toBe(null);
    expect(estimateProgress(row({ recordsDone: 12_000 }), now)).toMatchObject({ fraction: 1, etaSeconds: 0 });
    expect(estimateProgress(row({ status: 'succeeded' }), now).etaSeconds).toBe(null);
  });
});
