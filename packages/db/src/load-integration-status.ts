import { ALL_MODEL_NAMES, MODELS, type ModelName } from '@kombo-sync/catalog';
import { sql } from 'drizzle-orm';
import type { DbLike } from './create-database.js';
import { estimateProgress, type ProgressEstimate } from './estimate-progress.js';
import { countRows } from './integration-data.js';
import {
  lagSecondsOf,
  toRunDetail,
  type IntegrationStatus,
  type ModelError,
  type RunDetail,
} from './integration-status.js';
import { selectIntegrationStatus } from './list-integration-status.js';
import { countQuarantined, listQuarantined, type QuarantinedRecordSummary } from './quarantine-store.js';
import type { SyncStateRow } from './schema/sync-state.js';
import type { StatusClock } from './status-filters.js';
import { getModelProgress } from './sync-progress-store.js';
import { getRecentRuns } from './sync-runs-store.js';
import { getSyncStates } from './sync-state-store.js';

/** One model of one integration, as the integration's status shows it. */
export interface ModelStatusRow {
  model: ModelName;
  /** Kombo-side time up to which every change is stored. */
  watermark: Date | null;
  /** Seconds since the model's last successful sync (its last check, not the watermark's age); null: never. */
  lagSeconds: number | null;
  lastSuccessAt: Date | null;
  lastDeltaSyncAt: Date | null;
  lastFullSyncAt: Date | null;
  /** Failed syncs since its last success. */
  consecutiveFailures: number;
  /** Why the last run skipped it (e.g. `INTEGRATION.MODEL_NOT_AVAILABLE`). */
  skippedReason: string | null;
  lastError: Omit<ModelError, 'model'> | null;
  /** Rows stored (deleted ones included) and rows marked deleted. */
  rows: { total: number; deleted: number };
  /** Records of the model set aside in quarantine. */
  quarantined: number;
  /** The model's current (or last) pass: done vs. expected, ETA; null when none was recorded. */
  progress: ProgressEstimate | null;
}

/** One integration in full: its list status plus every model, its recent runs and quarantined records. */
export interface IntegrationStatusDetail extends IntegrationStatus {
  models: ModelStatusRow[];
  /** Newest first. */
  recentRuns: RunDetail[];
  /** The most recently seen quarantined records, without their texts. */
  quarantinedRecords: QuarantinedRecordSummary[];
}

function toModelStatus(
  model: ModelName,
  state: SyncStateRow | undefined,
  more: Pick<ModelStatusRow, 'rows' | 'quarantined' | 'progress'>,
  now: Date,
): ModelStatusRow {
  const hasError = state !== undefined && (state.lastErrorCode !== null || state.lastErrorMessage !== null);
  return {
    model,
    watermark: state?.watermark ?? null,
    lagSeconds: lagSecondsOf(now, state?.lastSuccessAt ?? null),
    lastSuccessAt: state?.lastSuccessAt ?? null,
    lastDeltaSyncAt: state?.lastDeltaSyncAt ?? null,
    lastFullSyncAt: state?.lastFullSyncAt ?? null,
    consecutiveFailures: state?.consecutiveFailures ?? 0,
    skippedReason: state?.skippedReason ?? null,
    lastError: hasError
      ? {
          code: state.lastErrorCode,
          message: state.lastErrorMessage,
          logUrl: state.lastErrorLogUrl,
          at: state.lastErrorAt,
        }
      : null,
    ...more,
  };
}

/**
 * One live integration's status in full, for `kombo-sync status <id>`, the dashboard's integration page and
 * `/api/integrations/:id`: its list status (states, latest run…), every model of its category or with any sync
 * state, progress, rows or quarantined records, its `runLimit` latest runs (default 20) and its `quarantineLimit`
 * most recently seen quarantined records (default 50). Undefined when unknown or deleted.
 */
export async function loadIntegrationStatus(
  db: DbLike,
  integrationId: string,
  {
    runLimit = 20,
    quarantineLimit = 50,
    ...clock
  }: StatusClock & { runLimit?: number; quarantineLimit?: number },
): Promise<IntegrationStatusDetail | undefined> {
  const [status] = await selectIntegrationStatus(db, {
    clock,
    where: sql`i.deleted_at IS NULL AND i.id = ${integrationId}::text`,
    limit: 1,
  });
  if (!status) return undefined;
  const [states, rows, runs, quarantined, quarantinedRecords, progress] = await Promise.all([
    getSyncStates(db, integrationId),
    countRows(db, integrationId),
    getRecentRuns(db, integrationId, runLimit),
    countQuarantined(db, integrationId),
    listQuarantined(db, integrationId, quarantineLimit),
    getModelProgress(db, integrationId),
  ]);
  const names = new Set<ModelName>(
    MODELS.filter((spec) => spec.category === status.category).map((spec) => spec.name as ModelName),
  );
  for (const model of [...states.keys(), ...quarantined.keys(), ...progress.keys()]) names.add(model);
  for (const [model, counts] of Object.entries(rows)) if (counts.total > 0) names.add(model as ModelName);
  const catalogOrder = (model: ModelName) => ALL_MODEL_NAMES.indexOf(model);
  const models = [...names]
    .sort((a, b) => catalogOrder(a) - catalogOrder(b))
    .map((model) => {
      const pass = progress.get(model);
      return toModelStatus(
        model,
        states.get(model),
        {
          rows: rows[model] ?? { total: 0, deleted: 0 },
          quarantined: quarantined.get(model) ?? 0,
          progress: pass ? estimateProgress(pass, clock.now) : null,
        },
        clock.now,
      );
    });
  return { ...status, models, recentRuns: runs.map(toRunDetail), quarantinedRecords };
}
