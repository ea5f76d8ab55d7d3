import type { ModelName } from '@kombo-sync/catalog';
import {
  countQuarantined,
  countRows,
  getIntegration,
  listQuarantined,
  getRecentRuns,
  getSyncStates,
  type DbLike,
  type Executor,
  type IntegrationRow,
  type QuarantinedRecordSummary,
  type SyncRunRow,
} from '@kombo-sync/db';
import { sql } from 'drizzle-orm';
import { IntegrationNotFoundError } from '../errors.js';
import { modelsOfCategory } from '../models-option.js';

/** One integration's line of `status`. */
export interface IntegrationSummary {
  id: string;
  tool: string;
  category: string;
  state: string | null;
  isPaused: boolean;
  /** Kombo has answered INTEGRATION_NOT_FOUND since then (flagged, within the grace); null when it serves it. */
  notFoundSince: Date | null;
  modelsSynced: number;
  modelsFailed: number;
  oldestWatermark: Date | null;
  /** now − oldest watermark, in ms; null when no model has a watermark. */
  oldestLagMs: number | null;
  lastSuccessAt: Date | null;
  /** `CODE: message` of the most recent error of a model currently failing. */
  lastError: string | null;
  /** Records set aside in quarantine (Postgres or the schema refused them), over all models. */
  quarantined: number;
}

/** One model's line of `status <integration>`. */
export interface ModelStatus {
  model: ModelName;
  watermark: Date | null;
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

function lag(now: Date, watermark: Date | null): number | null {
  return watermark ? now.getTime() - watermark.getTime() : null;
}

function executor(db: DbLike): Executor {
  return 'pool' in db && 'close' in db ? (db.db as unknown as Executor) : db;
}

/** Every non-deleted integration with its sync state aggregated, in one query, ordered by id. */
export async function loadSummaries(db: DbLike, now: Date): Promise<IntegrationSummary[]> {
  const result = await executor(db).execute<Record<string, unknown>>(sql`
    SELECT i.id, i.tool, i.category, i.state, i.is_paused, i.not_found_since,
      count(s.model) FILTER (WHERE s.last_success_at IS NOT NULL) AS synced,
      count(s.model) FILTER (WHERE s.consecutive_failures > 0) AS failed,
      min(s.watermark) AS oldest_watermark,
      max(s.last_success_at) AS last_success_at,
      (array_agg(coalesce(s.last_error_code, 'ERROR') || ': ' || coalesce(s.last_error_message, '')
        ORDER BY s.last_error_at DESC NULLS LAST) FILTER (WHERE s.consecutive_failures > 0))[1] AS last_error,
      (SELECT count(*) FROM quarantined_records q WHERE q.integration_id = i.id) AS quarantined
    FROM integrations i LEFT JOIN sync_state s ON s.integration_id = i.id
    WHERE i.deleted_at IS NULL
    GROUP BY i.id ORDER BY i.id`);
  return result.rows.map((row) => {
    const oldestWatermark = toDate(row.oldest_watermark);
    return {
      id: String(row.id),
      tool: String(row.tool),
      category: String(row.category),
      state: row.state === null ? null : String(row.state),
      isPaused: row.is_paused === true,
      notFoundSince: toDate(row.not_found_since),
      modelsSynced: Number(row.synced),
      modelsFailed: Number(row.failed),
      oldestWatermark,
      oldestLagMs: lag(now, oldestWatermark),
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
  const [states, counts, runs, quarantined, quarantinedRecords] = await Promise.all([
    getSyncStates(db, integrationId),
    countRows(db, integrationId),
    getRecentRuns(db, integrationId, runLimit),
    countQuarantined(db, integrationId),
    listQuarantined(db, integrationId, 20),
  ]);
  const names = new Set<ModelName>(modelsOfCategory(integration.category));
  for (const model of states.keys()) names.add(model);
  for (const model of quarantined.keys()) names.add(model);
  const models = [...names].map((model): ModelStatus => {
    const state = states.get(model);
    const watermark = toDate(state?.watermark);
    return {
      model,
      watermark,
      lagMs: lag(now, watermark),
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
    };
  });
  return { integration, models, runs, quarantinedRecords };
}
