import type { ModelName } from '@kombo-sync/catalog';
import { bigint, boolean, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** `running` while a pass writes pages; then how it ended. */
export type ProgressStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * The current (or last) pass of one model of one integration, as it goes: pages and records done, and what the
 * pass is expected to read. Written by the worker (throttled, not per record) and read by `status`, the dashboard
 * and `/metrics` from any process. Kept apart from sync_state, which holds what a pass commits.
 */
export const syncProgress = pgTable(
  'sync_progress',
  {
    integrationId: text('integration_id').notNull(),
    model: text('model').$type<ModelName>().notNull(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    isFullPass: boolean('is_full_pass').notNull(),
    status: text('status').$type<ProgressStatus>().notNull().default('running'),
    pagesDone: integer('pages_done').notNull().default(0),
    recordsDone: integer('records_done').notNull().default(0),
    /** Records the pass is expected to read: the last complete full pass's, else the mirror's rows; null: unknown. */
    expectedRecords: integer('expected_records'),
    /** Pages the pass is expected to read, on the same basis; null: unknown. */
    expectedPages: integer('expected_pages'),
    /** Records and pages the last complete full pass of the model read: the next full pass's expectation. */
    lastFullRecords: integer('last_full_records'),
    lastFullPages: integer('last_full_pages'),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.model] })],
);

export type SyncProgressRow = typeof syncProgress.$inferSelect;
