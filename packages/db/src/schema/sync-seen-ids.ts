import { bigint, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * Ids a full pass saw, per run and model, for deletion reconciliation. UNLOGGED (a hand edit of the generated
 * migration, as drizzle has no UNLOGGED option): the rows are scratch data, cleared when the pass ends, and a crash
 * that loses them only makes the next full pass start over.
 */
export const syncSeenIds = pgTable(
  'sync_seen_ids',
  {
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    model: text('model').notNull(),
    id: text('id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.model, t.id] })],
);
