import { bigint, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The fence of each integration: at most one sync run holds it at a time, and Postgres checks it in every
 * transaction that run writes (see src/sync-leases-store.ts). `token` grows by one with each new holder, so a run
 * that lost the lease finds its token gone at its next write. Times are Postgres's clock (`now()`), never a worker's.
 */
export const syncLeases = pgTable(
  'sync_leases',
  {
    integrationId: text('integration_id').primaryKey(),
    /** Fencing token of the current (or last) holder; a takeover increments it. */
    token: bigint('token', { mode: 'number' }).notNull(),
    /** Who holds it, for operators: `<worker id>/<job id>`. */
    holder: text('holder').notNull(),
    /** The sync_runs row the holder is running, once started. */
    runId: bigint('run_id', { mode: 'number' }),
    acquiredAt: timestamp('acquired_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** The holder renews it before this; once past (or released), another run may take the lease over. */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    // Unique anyway (the primary key is in it). It makes `token` a key column for Postgres's row locks: an UPDATE
    // that changes the token takes FOR UPDATE, which conflicts with the fence check's FOR KEY SHARE, so a takeover
    // waits for the holder's open transactions however it is written; an UPDATE of `expires_at` alone (the
    // renewal) takes FOR NO KEY UPDATE, which does not, so it never queues behind the holder's own pages.
    uniqueIndex('sync_leases_integration_id_token_key').on(t.integrationId, t.token),
  ],
);

export type SyncLeaseRow = typeof syncLeases.$inferSelect;
