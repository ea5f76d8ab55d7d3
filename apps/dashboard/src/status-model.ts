import {
  estimateProgress,
  KOMBO_SYNC_FAILURE_STATES,
  type SyncProgressRow,
  type SyncRunRow,
  type SyncStateRow,
} from '@kombo-sync/db';

/** The last error of a model, as the sync engine stored it. */
export interface ErrorView {
  code: string | null;
  message: string | null;
  /** Kombo's log URL for the failed request, when it gave one. */
  logUrl: string | null;
  at: string | null;
}

/** One model of one integration, as the page and the JSON API show it. */
export interface ModelView {
  model: string;
  watermark: string | null;
  /**
   * Seconds since the model was last checked successfully (its last successful pass); null when never synced. Not
   * the watermark's age: an idle integration whose deltas find nothing is up to date as of its last check.
   */
  lagSeconds: number | null;
  lastSuccessAt: string | null;
  lastDeltaSyncAt: string | null;
  lastFullSyncAt: string | null;
  consecutiveFailures: number;
  skippedReason: string | null;
  lastError: ErrorView | null;
  /** Rows stored (deleted ones included) and rows marked deleted; only on the detail view. */
  rows?: { total: number; deleted: number };
  /** Records of the model set aside in quarantine (not stored; retried on each pass). */
  quarantined: number;
  /** The model's current (or last) pass: done vs. expected and the time left; null when none was recorded. */
  progress: ProgressView | null;
}

/** A model pass's progress as the page and the JSON API show it. */
export interface ProgressView {
  status: string;
  runId: number;
  isFullPass: boolean;
  pagesDone: number;
  recordsDone: number;
  /** null: unknown (a delta pass, or the first sync of an empty mirror). */
  expectedPages: number | null;
  expectedRecords: number | null;
  /** 0..1; null when the expectation is unknown. */
  fraction: number | null;
  recordsPerSecond: number | null;
  /** Estimated seconds left; null when unknown or not running. */
  etaSeconds: number | null;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export function toProgressView(row: SyncProgressRow, now: Date): ProgressView {
  const estimate = estimateProgress(row, now);
  return {
    ...estimate,
    startedAt: estimate.startedAt.toISOString(),
    updatedAt: estimate.updatedAt.toISOString(),
    finishedAt: iso(estimate.finishedAt),
  };
}

export interface RunView {
  id: number;
  kind: string;
  trigger: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationSeconds: number | null;
  totals: { pages: number; upserted: number; unchanged: number; deleted: number };
  counts: SyncRunRow['counts'];
  error: string | null;
}

/** What the dashboard shows of the integration itself. */
interface IntegrationFields {
  id: string;
  tool: string;
  category: string;
  /** Kombo's state (ACTIVE, INACTIVE, INVALID; NOT_FOUND once confirmed); null before Kombo was asked. */
  state: string | null;
  /** Kombo's setup status (COMPLETED, FINAL_SYNC_PENDING, INCOMPLETE). */
  setupStatus: string | null;
  organizationName: string | null;
  isPaused: boolean;
}

/** Kombo's own latest sync of the integration (`sync-finished`). */
export interface KomboSyncView {
  state: string;
  endedAt: string | null;
  logUrl: string | null;
  /** FAILED, PARTIALLY_FAILED, AUTHENTICATION_FAILED or TIMED_OUT. */
  isFailed: boolean;
}

const FAILED_SYNC_STATES = new Set<string>(KOMBO_SYNC_FAILURE_STATES);

/** The integration row's Kombo sync fields; all null when Kombo never reported one. */
interface KomboSyncFields {
  komboSyncState?: string | null;
  komboSyncEndedAt?: Date | null;
  komboSyncLogUrl?: string | null;
}

export interface IntegrationView extends IntegrationFields {
  /** Kombo's own latest sync; null when Kombo reported none. */
  komboSync: KomboSyncView | null;
  /** Kombo has answered INTEGRATION_NOT_FOUND since then (flagged within the grace); null when it serves it. */
  notFoundSince: string | null;
  models: ModelView[];
  /** Latest success over all models. */
  lastSuccessAt: string | null;
  /** The most recent error over all models still failing (consecutive failures > 0). */
  lastError: (ErrorView & { model: string }) | null;
  /** Largest model lag; null when no model was ever synced. */
  maxLagSeconds: number | null;
  /** Quarantined records over all models. */
  quarantined: number;
  latestRun: RunView | null;
  /** A model failed since its last success, or the latest run failed. */
  isFailing: boolean;
  /** A model's lag exceeds the threshold, or nothing was ever synced. */
  isLagging: boolean;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toRunView(run: SyncRunRow): RunView {
  const totals = { pages: 0, upserted: 0, unchanged: 0, deleted: 0 };
  for (const counts of Object.values(run.counts)) {
    if (!counts) continue;
    totals.pages += counts.pages;
    totals.upserted += counts.upserted;
    totals.unchanged += counts.unchanged;
    totals.deleted += counts.deleted;
  }
  return {
    id: run.id,
    kind: run.kind,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    finishedAt: iso(run.finishedAt),
    durationSeconds: run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null,
    totals,
    counts: run.counts,
    error: run.error,
  };
}

export function toModelView(
  state: SyncStateRow,
  now: Date,
  quarantined = 0,
  progress: SyncProgressRow | undefined = undefined,
): ModelView {
  const hasError = state.lastErrorCode !== null || state.lastErrorMessage !== null;
  return {
    model: state.model,
    watermark: iso(state.watermark),
    lagSeconds: state.lastSuccessAt
      ? Math.max(0, (now.getTime() - state.lastSuccessAt.getTime()) / 1000)
      : null,
    lastSuccessAt: iso(state.lastSuccessAt),
    lastDeltaSyncAt: iso(state.lastDeltaSyncAt),
    lastFullSyncAt: iso(state.lastFullSyncAt),
    consecutiveFailures: state.consecutiveFailures,
    skippedReason: state.skippedReason,
    quarantined,
    progress: progress ? toProgressView(progress, now) : null,
    lastError: hasError
      ? {
          code: state.lastErrorCode,
          message: state.lastErrorMessage,
          logUrl: state.lastErrorLogUrl,
          at: iso(state.lastErrorAt),
        }
      : null,
  };
}

/** Builds the view of one integration from its rows; `lagThresholdMs` decides `isLagging`. */
export function toIntegrationView(
  integration: IntegrationFields & KomboSyncFields & { notFoundSince?: Date | null },
  models: ModelView[],
  latestRun: RunView | null,
  lagThresholdMs: number,
): IntegrationView {
  const active = models.filter((m) => !m.skippedReason);
  const lags = active.map((m) => m.lagSeconds).filter((lag): lag is number => lag !== null);
  const failing = models.filter((m) => m.consecutiveFailures > 0 && m.lastError);
  const latestError = failing.sort((a, b) => (b.lastError?.at ?? '').localeCompare(a.lastError?.at ?? ''))[0];
  const successes = models.map((m) => m.lastSuccessAt).filter((at): at is string => at !== null);
  return {
    id: integration.id,
    tool: integration.tool,
    category: integration.category,
    state: integration.state,
    setupStatus: integration.setupStatus,
    komboSync: integration.komboSyncState
      ? {
          state: integration.komboSyncState,
          endedAt: iso(integration.komboSyncEndedAt ?? null),
          logUrl: integration.komboSyncLogUrl ?? null,
          isFailed: FAILED_SYNC_STATES.has(integration.komboSyncState),
        }
      : null,
    organizationName: integration.organizationName,
    isPaused: integration.isPaused,
    notFoundSince: iso(integration.notFoundSince ?? null),
    models: [...models].sort((a, b) => a.model.localeCompare(b.model)),
    lastSuccessAt: successes.sort().at(-1) ?? null,
    lastError: latestError?.lastError ? { ...latestError.lastError, model: latestError.model } : null,
    maxLagSeconds: lags.length > 0 ? Math.max(...lags) : null,
    quarantined: models.reduce((sum, m) => sum + m.quarantined, 0),
    latestRun,
    isFailing: failing.length > 0 || latestRun?.status === 'failed' || latestRun?.status === 'partial',
    isLagging:
      active.length === 0 ||
      active.some((m) => m.lagSeconds === null || m.lagSeconds * 1000 > lagThresholdMs),
  };
}
