import {
  countQuarantined,
  countRows,
  getIntegration,
  listQuarantined,
  quarantinedRecords,
  getRecentRuns,
  getModelProgress,
  getSyncStates,
  listIntegrations,
  syncProgress,
  syncRuns,
  syncState,
  type Database,
  type QuarantinedRecordSummary,
  type SyncProgressRow,
  type SyncRunRow,
  type SyncStateRow,
} from '@kombo-sync/db';
import { desc, sql } from 'drizzle-orm';
import {
  toProgressView,
  toIntegrationView,
  toModelView,
  toRunView,
  type IntegrationView,
  type RunView,
} from './status-model.js';

export type StatusFilter = 'all' | 'failing' | 'lagging';

/** Every (non-deleted) integration with its models, quarantine counts and latest run: four queries in all. */
export async function loadIntegrations(
  database: Database,
  { now, lagThresholdMs, filter = 'all' }: { now: Date; lagThresholdMs: number; filter?: StatusFilter },
): Promise<IntegrationView[]> {
  const [integrations, states, latestRuns, quarantine, progressRows] = await Promise.all([
    listIntegrations(database),
    database.db.select().from(syncState),
    database.db
      .selectDistinctOn([syncRuns.integrationId])
      .from(syncRuns)
      .orderBy(syncRuns.integrationId, desc(syncRuns.id)),
    database.db
      .select({
        integrationId: quarantinedRecords.integrationId,
        model: quarantinedRecords.model,
        count: sql<number>`count(*)::int`,
      })
      .from(quarantinedRecords)
      .groupBy(quarantinedRecords.integrationId, quarantinedRecords.model),
    // Running passes only: the list shows what is in progress; finished passes are on the detail page.
    database.db
      .select()
      .from(syncProgress)
      .where(sql`${syncProgress.status} = 'running'`),
  ]);
  const progressOf = new Map<string, SyncProgressRow>(
    progressRows.map((row) => [`${row.integrationId}|${row.model}`, row]),
  );
  const quarantinedOf = new Map(quarantine.map((q) => [`${q.integrationId}|${q.model}`, q.count]));
  const statesOf = new Map<string, SyncStateRow[]>();
  for (const state of states)
    statesOf.set(state.integrationId, [...(statesOf.get(state.integrationId) ?? []), state]);
  const runOf = new Map<string, SyncRunRow>(latestRuns.map((run) => [run.integrationId, run]));
  const views = integrations.map((integration) => {
    const run = runOf.get(integration.id);
    const models = (statesOf.get(integration.id) ?? []).map((state) =>
      toModelView(
        state,
        now,
        quarantinedOf.get(`${integration.id}|${state.model}`) ?? 0,
        progressOf.get(`${integration.id}|${state.model}`),
      ),
    );
    for (const row of progressRows) {
      if (row.integrationId === integration.id && !models.some((m) => m.model === row.model))
        models.push({ ...emptyModel(row.model), progress: toProgressView(row, now) });
    }
    return toIntegrationView(integration, models, run ? toRunView(run) : null, lagThresholdMs);
  });
  if (filter === 'failing') return views.filter((view) => view.isFailing);
  if (filter === 'lagging') return views.filter((view) => view.isLagging);
  return views;
}

export interface IntegrationDetail extends IntegrationView {
  recentRuns: RunView[];
  /** The 50 most recently seen quarantined records, without their texts. */
  quarantinedRecords: QuarantinedRecordSummary[];
}

/** One integration with row counts per model and its recent runs; undefined when unknown or deleted. */
export async function loadIntegrationDetail(
  database: Database,
  id: string,
  { now, lagThresholdMs, runLimit = 20 }: { now: Date; lagThresholdMs: number; runLimit?: number },
): Promise<IntegrationDetail | undefined> {
  const integration = await getIntegration(database, id);
  if (!integration || integration.deletedAt) return undefined;
  const [states, rows, runs, quarantined, quarantinedList, progress] = await Promise.all([
    getSyncStates(database, id),
    countRows(database, id),
    getRecentRuns(database, id, runLimit),
    countQuarantined(database, id),
    listQuarantined(database, id, 50),
    getModelProgress(database, id),
  ]);
  const models = [...states.values()].map((state) => ({
    ...toModelView(state, now, quarantined.get(state.model) ?? 0, progress.get(state.model)),
    rows: rows[state.model],
  }));
  // A first sync's models have progress before they have a sync state.
  for (const [model, row] of progress) {
    if (!states.has(model))
      models.push({ ...emptyModel(model), progress: toProgressView(row, now), rows: rows[model] });
  }
  // Models with stored rows but no sync state (e.g. state reset) are shown too.
  for (const [model, counts] of Object.entries(rows)) {
    if (
      counts.total > 0 &&
      !states.has(model as SyncStateRow['model']) &&
      !progress.has(model as SyncStateRow['model'])
    ) {
      models.push({ ...emptyModel(model), rows: counts });
    }
  }
  const recentRuns = runs.map(toRunView);
  return {
    ...toIntegrationView(integration, models, recentRuns[0] ?? null, lagThresholdMs),
    recentRuns,
    quarantinedRecords: quarantinedList,
  };
}

function emptyModel(model: string) {
  return {
    model,
    watermark: null,
    lagSeconds: null,
    lastSuccessAt: null,
    lastDeltaSyncAt: null,
    lastFullSyncAt: null,
    consecutiveFailures: 0,
    skippedReason: null,
    lastError: null,
    quarantined: 0,
    progress: null,
  };
}
