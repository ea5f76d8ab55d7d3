import type { ModelName } from '@kombo-sync/catalog';
import { estimateProgress, type ProgressEstimate } from './estimate-progress.js';
import { KOMBO_SYNC_FAILURE_STATES } from './integration-health-store.js';
import type { SyncProgressRow } from './schema/sync-progress.js';
import type { ModelRunCounts, SyncRunRow } from './schema/sync-runs.js';
import { flagsOf, healthOf, type HealthState, type StatusFilterName } from './status-filters.js';
import { environmentOf } from '@kombo-sync/config';

/** A model's last error, as sync_state keeps it. */
export interface ModelError {
  model: string;
  code: string | null;
  message: string | null;
  /** Kombo's log URL for the failed request, when it gave one. */
  logUrl: string | null;
  at: Date | null;
}

/** Kombo's own latest sync of an integration, as its `sync-finished` webhook reported it. */
export interface KomboSync {
  state: string;
  endedAt: Date | null;
  logUrl: string | null;
  /** FAILED, PARTIALLY_FAILED, AUTHENTICATION_FAILED or TIMED_OUT. */
  isFailed: boolean;
}

/** Kombo's own latest sync from an integration row's columns; null when Kombo never reported one. */
export function komboSyncOf(row: Record<string, unknown>): KomboSync | null {
  const state = toText(row.kombo_sync_state);
  if (state === null) return null;
  return {
    state,
    endedAt: toDate(row.kombo_sync_ended_at),
    logUrl: toText(row.kombo_sync_log_url),
    isFailed: (KOMBO_SYNC_FAILURE_STATES as readonly string[]).includes(state),
  };
}

/** A sync run as the status views show it. */
export interface RunStatusRow {
  id: number;
  kind: string;
  trigger: string;
  /** `running`, `succeeded`, `failed`, `partial`, `abandoned`, or another status a later version records. */
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationSeconds: number | null;
  error: string | null;
}

/** A run with what it did per model (the integration's recent runs). */
export interface RunDetail extends RunStatusRow {
  totals: { pages: number; upserted: number; unchanged: number; deleted: number };
  counts: Partial<Record<string, ModelRunCounts>>;
}

/** The running passes of one integration, summed (records of the passes that know their expectation). */
export interface RunningProgress {
  passes: number;
  pagesDone: number;
  recordsDone: number;
  /** Sum over the passes that know it; null when none does. */
  expectedRecords: number | null;
  /** The longest estimate of the passes; null when none has one. */
  etaSeconds: number | null;
}

/** One integration in the fleet list: what it is, its states, and a summary of its models and latest run. */
export interface IntegrationStatus {
  /** The fleet's key: the Kombo id, or `<environment>/<Kombo id>` in a named environment. */
  id: string;
  /** The Kombo environment (KOMBO_ENVIRONMENTS): its name, or `default`. */
  environment: string;
  tool: string;
  category: string;
  originId: string | null;
  organizationName: string | null;
  /** Kombo's integration state (ACTIVE, INACTIVE, INVALID; NOT_FOUND once confirmed); null before Kombo was asked. */
  state: string | null;
  /** Kombo's setup status (COMPLETED, FINAL_SYNC_PENDING, INCOMPLETE); null before Kombo was asked. */
  setupStatus: string | null;
  /** Kombo's own latest sync of the integration (`sync-finished`); null when Kombo reported none. */
  komboSync: KomboSync | null;
  isPaused: boolean;
  /** Kombo has answered INTEGRATION_NOT_FOUND since then (flagged within the grace); null when it serves it. */
  notFoundSince: Date | null;
  /** The first state of `STATUS_FILTERS` that holds, `ok` when none. */
  health: HealthState;
  /** Every state that holds (`STATUS_FILTERS` order). */
  flags: StatusFilterName[];
  /** Models with a sync state: not skipped, synced at least once, failing now, skipped by the last run. */
  modelCounts: { active: number; synced: number; failing: number; skipped: number };
  /** Latest success over all models. */
  lastSuccessAt: Date | null;
  /** Seconds since the stalest model's last successful sync (skipped models left out); null when never synced. */
  maxLagSeconds: number | null;
  /** The most recent error of a model failing now. */
  lastError: ModelError | null;
  /** Records set aside in quarantine, over all models. */
  quarantined: number;
  /** Its running passes, summed; null when none runs. */
  running: RunningProgress | null;
  latestRun: RunStatusRow | null;
}

const toNumber = (value: unknown): number => Number(value ?? 0);

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

export const toText = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/** Seconds from `at` to `now`, never negative; null without `at`. */
export function lagSecondsOf(now: Date, at: Date | null): number | null {
  return at ? Math.max(0, (now.getTime() - at.getTime()) / 1000) : null;
}

export function toRunStatus(
  run: Pick<SyncRunRow, 'id' | 'kind' | 'trigger' | 'status' | 'startedAt' | 'finishedAt' | 'error'>,
): RunStatusRow {
  return {
    id: run.id,
    kind: run.kind,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationSeconds: run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null,
    error: run.error,
  };
}

export function toRunDetail(run: SyncRunRow): RunDetail {
  const totals = { pages: 0, upserted: 0, unchanged: 0, deleted: 0 };
  for (const counts of Object.values(run.counts)) {
    if (!counts) continue;
    totals.pages += counts.pages;
    totals.upserted += counts.upserted;
    totals.unchanged += counts.unchanged;
    totals.deleted += counts.deleted;
  }
  return { ...toRunStatus(run), totals, counts: run.counts };
}

/** Running passes summed per integration, with their estimates at `now`. */
export function sumRunningProgress(
  rows: readonly SyncProgressRow[],
  now: Date,
): Map<string, RunningProgress> {
  const byIntegration = new Map<string, RunningProgress>();
  for (const row of rows) {
    const pass: ProgressEstimate = estimateProgress(row, now);
    const sum = byIntegration.get(row.integrationId) ?? {
      passes: 0,
      pagesDone: 0,
      recordsDone: 0,
      expectedRecords: null,
      etaSeconds: null,
    };
    sum.passes += 1;
    sum.pagesDone += pass.pagesDone;
    sum.recordsDone += pass.recordsDone;
    if (pass.expectedRecords !== null)
      sum.expectedRecords = (sum.expectedRecords ?? 0) + pass.expectedRecords;
    if (pass.etaSeconds !== null) sum.etaSeconds = Math.max(sum.etaSeconds ?? 0, pass.etaSeconds);
    byIntegration.set(row.integrationId, sum);
  }
  return byIntegration;
}

/**
 * An {@link IntegrationStatus} from a row of the status list's query (integration columns, flags, the model,
 * quarantine and latest-run aggregates; see list-integration-status.ts).
 */
export function toIntegrationStatus(
  row: Record<string, unknown>,
  { now, running }: { now: Date; running: RunningProgress | undefined },
): IntegrationStatus {
  const flags = flagsOf(row);
  const runId = row.run_id;
  return {
    id: String(row.id),
    environment: environmentOf(String(row.id)),
    tool: String(row.tool),
    category: String(row.category),
    originId: toText(row.origin_id),
    organizationName: toText(row.organization_name),
    state: toText(row.state),
    setupStatus: toText(row.setup_status),
    komboSync: komboSyncOf(row),
    isPaused: row.is_paused === true,
    notFoundSince: toDate(row.not_found_since),
    health: healthOf(flags),
    flags,
    modelCounts: {
      active: toNumber(row.models_active),
      synced: toNumber(row.models_synced),
      failing: toNumber(row.models_failing),
      skipped: toNumber(row.models_skipped),
    },
    lastSuccessAt: toDate(row.last_success_at),
    maxLagSeconds: lagSecondsOf(now, toDate(row.oldest_success)),
    lastError:
      row.error_model === null || row.error_model === undefined
        ? null
        : {
            model: String(row.error_model as ModelName),
            code: toText(row.error_code),
            message: toText(row.error_message),
            logUrl: toText(row.error_log_url),
            at: toDate(row.error_at),
          },
    quarantined: toNumber(row.quarantined),
    running: running ?? null,
    latestRun:
      runId === null || runId === undefined
        ? null
        : toRunStatus({
            id: Number(runId),
            kind: String(row.run_kind) as SyncRunRow['kind'],
            trigger: String(row.run_trigger),
            status: String(row.run_status) as SyncRunRow['status'],
            startedAt: toDate(row.run_started_at) ?? new Date(0),
            finishedAt: toDate(row.run_finished_at),
            error: toText(row.run_error),
          }),
  };
}
