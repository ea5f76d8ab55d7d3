import type { Metrics } from './create-metrics.js';

/** A model's lag as {@link collectSyncHealth} needs it (structural: this package does not import the database). */
export interface SyncLagLike {
  readonly integrationId: string;
  readonly model: string;
  readonly lagSeconds: number;
}

/** A running pass's progress as {@link collectSyncHealth} needs it. */
export interface PassProgressLike {
  readonly integrationId: string;
  readonly model: string;
  readonly pagesDone: number;
  readonly recordsDone: number;
  readonly expectedPages: number | null;
  readonly expectedRecords: number | null;
  readonly etaSeconds: number | null;
}

export interface SyncHealthSources {
  lags(): Promise<readonly SyncLagLike[]>;
  progress(): Promise<readonly PassProgressLike[]>;
}

type SyncHealthGauges = Pick<
  Metrics,
  | 'syncLagSeconds'
  | 'syncPassesRunning'
  | 'syncProgressPages'
  | 'syncProgressRecords'
  | 'syncProgressEtaSeconds'
>;

interface Totals {
  passes: number;
  pagesDone: number;
  pagesExpected: number;
  recordsDone: number;
  recordsExpected: number;
  etaSeconds: number | null;
}

/**
 * Refreshes the lag and progress gauges from the fleet's state (every process sees the same, from Postgres). By
 * default each series is per model: lag is the largest over integrations, progress is summed over running passes
 * and the ETA is the longest, so the number of series is bounded by the catalog. `isPerIntegration`
 * (METRICS_PER_INTEGRATION) adds `integration_id`. Gauges are reset first so finished passes and deleted
 * integrations disappear.
 */
export async function collectSyncHealth(
  sources: SyncHealthSources,
  gauges: SyncHealthGauges,
  { isPerIntegration = false }: { isPerIntegration?: boolean } = {},
): Promise<void> {
  const [lags, passes] = await Promise.all([sources.lags(), sources.progress()]);
  const labelsOf = (integrationId: string, model: string): Record<string, string> =>
    isPerIntegration ? { integration_id: integrationId, model } : { model };

  const lagOf = new Map<string, { labels: Record<string, string>; lagSeconds: number }>();
  for (const lag of lags) {
    const labels = labelsOf(lag.integrationId, lag.model);
    const key = JSON.stringify(labels);
    const seen = lagOf.get(key);
    if (!seen || lag.lagSeconds > seen.lagSeconds) lagOf.set(key, { labels, lagSeconds: lag.lagSeconds });
  }

  const totalsOf = new Map<string, { labels: Record<string, string>; totals: Totals }>();
  for (const pass of passes) {
    const labels = labelsOf(pass.integrationId, pass.model);
    const key = JSON.stringify(labels);
    let entry = totalsOf.get(key);
    if (!entry) {
      entry = {
        labels,
        totals: {
          passes: 0,
          pagesDone: 0,
          pagesExpected: 0,
          recordsDone: 0,
          recordsExpected: 0,
          etaSeconds: null,
        },
      };
      totalsOf.set(key, entry);
    }
    const t = entry.totals;
    t.passes += 1;
    t.pagesDone += pass.pagesDone;
    t.recordsDone += pass.recordsDone;
    t.pagesExpected += pass.expectedPages ?? 0;
    t.recordsExpected += pass.expectedRecords ?? 0;
    if (pass.etaSeconds !== null) t.etaSeconds = Math.max(t.etaSeconds ?? 0, pass.etaSeconds);
  }

  gauges.syncLagSeconds.reset();
  gauges.syncPassesRunning.reset();
  gauges.syncProgressPages.reset();
  gauges.syncProgressRecords.reset();
  gauges.syncProgressEtaSeconds.reset();
  for (const { labels, lagSeconds } of lagOf.values()) gauges.syncLagSeconds.set(labels, lagSeconds);
  for (const { labels, totals } of totalsOf.values()) {
    gauges.syncPassesRunning.set(labels, totals.passes);
    gauges.syncProgressPages.set({ ...labels, of: 'done' }, totals.pagesDone);
    gauges.syncProgressPages.set({ ...labels, of: 'expected' }, totals.pagesExpected);
    gauges.syncProgressRecords.set({ ...labels, of: 'done' }, totals.recordsDone);
    gauges.syncProgressRecords.set({ ...labels, of: 'expected' }, totals.recordsExpected);
    if (totals.etaSeconds !== null) gauges.syncProgressEtaSeconds.set(labels, totals.etaSeconds);
  }
}
