import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The fence of each integration: at most one sync run holds it at a time, and Postgres checks it in every
 * transaction that run writes (see src/sync-leases-store.ts). `token` grows by one with each new holder, so a run
 * that lost the lease finds its token gone at its next write. Times are Postgres's clock (`now()`), never a worker's.
 */
export const syncLeases = pgTable('sync_leases', {
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
});

export type SyncLeaseRow = typeof syncLeases.$inferSelect;
