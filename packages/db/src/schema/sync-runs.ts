import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export type SyncKind = 'delta' | 'full';
/**
 * `abandoned`: the run's worker died (or lost Postgres) mid-run; a later run of the integration took over.
 * `interrupted`: the run stopped early on purpose (worker shutdown, pause, end of its time slice), its reason in
 * `error` (`SYNC.INTERRUPTED: <reason>`); what it did is kept and the rest was handed back to a later run.
 */
export type SyncRunStatus = 'running' | 'succeeded' | 'failed' | 'partial' | 'abandoned' | 'interrupted';
/** `yielded`: the run stopped the model at a page boundary; a later run goes on with its pass. */
export type ModelRunStatus = 'succeeded' | 'failed' | 'skipped' | 'yielded';

/** What one run did to one model. */
export interface ModelRunCounts {
  pages: number;
  upserted: number;
  unchanged: number;
  deleted: number;
  /** Records set aside in quarantined_records by this run (absent in runs before quarantine existed). */
  quarantined?: number;
  status: ModelRunStatus;
  error?: string;
}

/**
 * One row per sync run of one integration (delta or full), kept after the integration's data is deleted, until
 * history retention (SYNC_RUN_RETENTION_DAYS) prunes it; an integration's latest run is always kept.
 */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    integrationId: text('integration_id').notNull(),
    kind: text('kind').$type<SyncKind>().notNull(),
    /** What started the run: a webhook type (e.g. `data-changed`), `schedule` or `manual`. */
    trigger: text('trigger').notNull(),
    /** Ingress request ids of the webhooks this run serves. */
    requestIds: text('request_ids').array().notNull().default([]),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    status: text('status').$type<SyncRunStatus>().notNull().default('running'),
    counts: jsonb('counts').$type<Partial<Record<string, ModelRunCounts>>>().notNull().default({}),
    error: text('error'),
  },
  (t) => [
    index('sync_runs_integration_id_id_idx').on(t.integrationId, t.id),
    // The abandoned-run sweep looks at running runs only.
    index('sync_runs_running_idx')
      .on(t.startedAt)
      .where(sql`${t.status} = 'running'`),
    // History retention finds the runs older than SYNC_RUN_RETENTION_DAYS oldest first.
    index('sync_runs_started_at_idx').on(t.startedAt),
    // The status views' "latest run failed": the ids of failed runs, matched against integrations.last_run_id.
    index('sync_runs_failed_idx')
      .on(t.id)
      .where(sql`${t.status} IN ('failed', 'partial')`),
  ],
);

export type SyncRunRow = typeof syncRuns.$inferSelect;
