import type { ModelName } from '@kombo-sync/catalog';
import {
  countQuarantined,
  countRows,
  estimateProgress,
  getIntegration,
  getModelProgress,
  listRunningEstimates,
  listQuarantined,
  getRecentRuns,
  getSyncStates,
  type DbLike,
  type Executor,
  type IntegrationRow,
  type ProgressEstimate,
  type QuarantinedRecordSummary,
  type SyncRunRow,
} from '@kombo-sync/db';
import { sql } from 'drizzle-orm';
import { environmentOf } from '@kombo-sync/kombo';
import { IntegrationNotFoundError } from '../errors.js';
import { modelsOfCategory } from '../models-option.js';

/** One integration's line of `status`. */
export interface IntegrationSummary {
  /** The fleet's key: the Kombo id, or `<environment>/<Kombo id>` in a named environment. */
  id: string;
  /** The Kombo environment (KOMBO_ENVIRONMENTS): its name, or `default`. */
  environment: string;
  tool: string;
  category: string;
  state: string | null;
  /** Kombo's setup status (COMPLETED, FINAL_SYNC_PENDING, INCOMPLETE); null before Kombo was asked. */
  setupStatus: string | null;
  /** Kombo's own latest sync (`sync-finished`): its state, end and log link; null when none was reported. */
  komboSync: KomboSyncView | null;
  isPaused: boolean;
  /** Kombo has answered INTEGRATION_NOT_FOUND since then (flagged, within the grace); null when it serves it. */
  notFoundSince: Date | null;
  modelsSynced: number;
  modelsFailed: number;
  oldestWatermark: Date | null;
  /**
   * now − the oldest last successful sync of its models (skipped ones left out), in ms: the time since the
   * stalest model was last checked, not the watermark's age; null when no model was synced.
   */
  oldestLagMs: number | null;
  /** The integration's running passes together; null when none runs. */
  progress: RunningProgress | null;
  lastSuccessAt: Date | null;
  /** `CODE: message` of the most recent error of a model currently failing. */
  lastError: string | null;
  /** Records set aside in quarantine (Postgres or the schema refused them), over all models. */
  quarantined: number;
}

/** Kombo's own latest sync of an integration, as its `sync-finished` webhook reported it. */
export interface KomboSyncView {
  state: string;
  endedAt: Date | null;
  logUrl: string | null;
}

/** Kombo's own sync of the row, or null when Kombo never reported one. */
export function komboSyncOf(row: {
  komboSyncState: string | null;
  komboSyncEndedAt: Date | null;
  komboSyncLogUrl: string | null;
}): KomboSyncView | null {
  return row.komboSyncState === null
    ? null
    : { state: row.komboSyncState, endedAt: row.komboSyncEndedAt, logUrl: row.komboSyncLogUrl };
}

/** The running passes of one integration, summed (records of passes that know their expectation). */
export interface RunningProgress {
  passes: number;
  pagesDone: number;
  recordsDone: number;
  /** Sum over the passes that know it; null when none does. */
  expectedRecords: number | null;
  /** The longest estimate of the passes; null when none has one. */
  etaSeconds: number | null;
}

/** One model's line of `status <integration>`. */
export interface ModelStatus {
  model: ModelName;
  watermark: Date | null;
  /** now − the last successful sync (the last check), in ms; null when never synced. */
  lagMs: number | null;
  lastSuccessAt: Date | null;
  lastFullSyncAt: Date | null;
  consecutiveFailures: number;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastErrorAt: Date | null;
  skippedReason: string | null;
  rows: number;
  deletedRows: number;
  /** Records of the model in quarantine. */
  quarantined: number;
  /** The model's current (or last) pass: done vs. expected, ETA; null when none was recorded. */
  progress: ProgressEstimate | null;
}

export interface IntegrationDetail {
  integration: IntegrationRow;
  models: ModelStatus[];
  runs: SyncRunRow[];
  /** The most recently seen quarantined records (at most 20), without their texts. */
  quarantinedRecords: QuarantinedRecordSummary[];
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

function lag(now: Date, lastSuccessAt: Date | null): number | null {
  return lastSuccessAt ? Math.max(0, now.getTime() - lastSuccessAt.getTime()) : null;
}

/** Running passes summed per integration. */
function sumProgress(passes: readonly (ProgressEstimate & { integrationId: string })[]) {
  const byIntegration = new Map<string, RunningProgress>();
  for (const pass of passes) {
    const sum = byIntegration.get(pass.integrationId) ?? {
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
    byIntegration.set(pass.integrationId, sum);
  }
  return byIntegration;
}

function executor(db: DbLike): Executor {
  return 'pool' in db && 'close' in db ? (db.db as unknown as Executor) : db;
}

/** Every non-deleted integration with its sync state aggregated, in one query, ordered by id. */
export async function loadSummaries(db: DbLike, now: Date): Promise<IntegrationSummary[]> {
  const running = listRunningEstimates(db, now);
  const result = await executor(db).execute<Record<string, unknown>>(sql`
    SELECT i.id, i.tool, i.category, i.state, i.setup_status, i.is_paused, i.not_found_since,
      i.kombo_sync_state, i.kombo_sync_ended_at, i.kombo_sync_log_url,
      count(s.model) FILTER (WHERE s.last_success_at IS NOT NULL) AS synced,
      count(s.model) FILTER (WHERE s.consecutive_failures > 0) AS failed,
      min(s.watermark) AS oldest_watermark,
      min(s.last_success_at) FILTER (WHERE s.skipped_reason IS NULL) AS oldest_success,
      max(s.last_success_at) AS last_success_at,
      (array_agg(coalesce(s.last_error_code, 'ERROR') || ': ' || coalesce(s.last_error_message, '')
        ORDER BY s.last_error_at DESC NULLS LAST) FILTER (WHERE s.consecutive_failures > 0))[1] AS last_error,
      (SELECT count(*) FROM quarantined_records q WHERE q.integration_id = i.id) AS quarantined
    FROM integrations i LEFT JOIN sync_state s ON s.integration_id = i.id
    WHERE i.deleted_at IS NULL
    GROUP BY i.id ORDER BY i.id`);
  const progressOf = sumProgress(await running);
  return result.rows.map((row) => {
    const oldestWatermark = toDate(row.oldest_watermark);
    return {
      id: String(row.id),
      environment: environmentOf(String(row.id)),
      tool: String(row.tool),
      category: String(row.category),
      state: row.state === null ? null : String(row.state),
      setupStatus: row.setup_status === null ? null : String(row.setup_status),
      komboSync: komboSyncOf({
        komboSyncState: row.kombo_sync_state === null ? null : String(row.kombo_sync_state),
        komboSyncEndedAt: toDate(row.kombo_sync_ended_at),
        komboSyncLogUrl: row.kombo_sync_log_url === null ? null : String(row.kombo_sync_log_url),
      }),
      isPaused: row.is_paused === true,
      notFoundSince: toDate(row.not_found_since),
      modelsSynced: Number(row.synced),
      modelsFailed: Number(row.failed),
      oldestWatermark,
      oldestLagMs: lag(now, toDate(row.oldest_success)),
      progress: progressOf.get(String(row.id)) ?? null,
      lastSuccessAt: toDate(row.last_success_at),
      lastError: row.last_error === null || row.last_error === undefined ? null : String(row.last_error),
      quarantined: Number(row.quarantined ?? 0),
    };
  });
}

/** Loads an integration, throwing {@link IntegrationNotFoundError} (exit 3) for an unknown or deleted one. */
export async function requireIntegration(db: DbLike, integrationId: string): Promise<IntegrationRow> {
  const integration = await getIntegration(db, integrationId);
  if (!integration || integration.deletedAt) throw new IntegrationNotFoundError(integrationId);
  return integration;
}

/** Per-model state, row counts and the last `runLimit` (default 5) runs of one integration. */
export async function loadDetail(
  db: DbLike,
  integrationId: string,
  now: Date,
  runLimit = 5,
): Promise<IntegrationDetail> {
  const integration = await requireIntegration(db, integrationId);
  const [states, counts, runs, quarantined, quarantinedRecords, progress] = await Promise.all([
    getSyncStates(db, integrationId),
    countRows(db, integrationId),
    getRecentRuns(db, integrationId, runLimit),
    countQuarantined(db, integrationId),
    listQuarantined(db, integrationId, 20),
    getModelProgress(db, integrationId),
  ]);
  const names = new Set<ModelName>(modelsOfCategory(integration.category));
  for (const model of states.keys()) names.add(model);
  for (const model of quarantined.keys()) names.add(model);
  for (const model of progress.keys()) names.add(model);
  const models = [...names].map((model): ModelStatus => {
    const state = states.get(model);
    const watermark = toDate(state?.watermark);
    const pass = progress.get(model);
    return {
      model,
      watermark,
      lagMs: lag(now, toDate(state?.lastSuccessAt)),
      lastSuccessAt: toDate(state?.lastSuccessAt),
      lastFullSyncAt: toDate(state?.lastFullSyncAt),
      consecutiveFailures: state?.consecutiveFailures ?? 0,
      lastErrorCode: state?.lastErrorCode ?? null,
      lastErrorMessage: state?.lastErrorMessage ?? null,
      lastErrorAt: toDate(state?.lastErrorAt),
      skippedReason: state?.skippedReason ?? null,
      rows: counts[model]?.total ?? 0,
      deletedRows: counts[model]?.deleted ?? 0,
      quarantined: quarantined.get(model) ?? 0,
      progress: pass ? estimateProgress(pass, now) : null,
    };
  });
  return { integration, models, runs, quarantinedRecords };
}
