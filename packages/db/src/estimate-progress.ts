import type { SyncProgressRow } from './schema/sync-progress.js';

/** A pass's progress as shown: done vs. expected and, when both are known, the time left. */
export interface ProgressEstimate {
  status: SyncProgressRow['status'];
  isFullPass: boolean;
  runId: number;
  pagesDone: number;
  recordsDone: number;
  /** null: unknown (a delta pass, or a first sync of an empty mirror). */
  expectedPages: number | null;
  expectedRecords: number | null;
  /** recordsDone / expectedRecords, at most 1; null when the expectation is unknown. */
  fraction: number | null;
  /** Records per second so far; null before a measurable interval. */
  recordsPerSecond: number | null;
  /** Seconds left at the pace so far; 0 once the expectation is reached; null when unknown or not running. */
  etaSeconds: number | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/**
 * The estimate for a progress row, at `now`. The pace is records done over the time from the pass's start to its
 * last update (both Postgres times, so any process may read it); the time since that update is already spent.
 */
export function estimateProgress(row: SyncProgressRow, now: Date): ProgressEstimate {
  const elapsedMs = row.updatedAt.getTime() - row.startedAt.getTime();
  const recordsPerSecond = elapsedMs > 0 && row.recordsDone > 0 ? row.recordsDone / (elapsedMs / 1000) : null;
  const expected = row.expectedRecords;
  const fraction = expected === null ? null : expected === 0 ? 1 : Math.min(1, row.recordsDone / expected);
  let etaSeconds: number | null = null;
  if (row.status === 'running' && expected !== null) {
    const remaining = Math.max(0, expected - row.recordsDone);
    if (remaining === 0) etaSeconds = 0;
    else if (recordsPerSecond !== null) {
      const sinceUpdate = Math.max(0, (now.getTime() - row.updatedAt.getTime()) / 1000);
      etaSeconds = Math.max(0, remaining / recordsPerSecond - sinceUpdate);
    }
  }
  return {
    status: row.status,
    isFullPass: row.isFullPass,
    runId: row.runId,
    pagesDone: row.pagesDone,
    recordsDone: row.recordsDone,
    expectedPages: row.expectedPages,
    expectedRecords: expected,
    fraction,
    recordsPerSecond,
    etaSeconds,
    startedAt: row.startedAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
  };
}
