import type { ModelName } from '@kombo-sync/catalog';
import { bigint, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The open full (or initial) pass of one model of one integration, so a retried, recovered or yielded job resumes it
 * where it stopped (see src/sync-passes-store.ts). A row exists only while a pass is open: it is written before the
 * pass's first page, checkpointed in each page's transaction and deleted with the pass's deletion reconciliation.
 */
export const syncPasses = pgTable(
  'sync_passes',
  {
    integrationId: text('integration_id').notNull(),
    model: text('model').$type<ModelName>().notNull(),
    /**
     * The run that opened the pass. Its ids seen in sync_seen_ids are keyed by it, and every run from it on
     * (`last_run_id >= pass_id`) counts as the pass's (its later segments, or deltas that recorded what they saw).
     */
    passId: bigint('pass_id', { mode: 'number' }).notNull(),
    /** Kombo time of the pass's first response: the watermark the pass commits, however many runs it takes. */
    startedAt: timestamptz('started_at').notNull(),
    /** Cursor of the page after the last checkpoint; null with `pages` > 0: every page is committed. */
    cursor: text('cursor'),
    /** Pages of the listing committed, every earlier one included (the highest contiguous page). */
    pages: integer('pages').notNull().default(0),
    /** Postgres's clock: when the pass was opened and when its cursor was last checkpointed (cursors expire). */
    openedAt: timestamptz('opened_at').notNull().defaultNow(),
    checkpointedAt: timestamptz('checkpointed_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.model] })],
);

export type SyncPassRow = typeof syncPasses.$inferSelect;
