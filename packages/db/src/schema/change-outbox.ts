import { bigint, bigserial, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Change feed messages written in the same transaction as the page (or reconciliation) they describe, then
 * published to the change queue by the worker's relay and deleted: a crash between commit and publish loses nothing.
 */
export const changeOutbox = pgTable('change_outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  integrationId: text('integration_id').notNull(),
  model: text('model').notNull(),
  runId: bigint('run_id', { mode: 'number' }).notNull(),
  changedIds: text('changed_ids').array().notNull(),
  deletedIds: text('deleted_ids').array().notNull(),
  /** Kombo-side time of the response that carried the changes. */
  komboTime: timestamp('kombo_time', { withTimezone: true, mode: 'date' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type ChangeOutboxRow = typeof changeOutbox.$inferSelect;
