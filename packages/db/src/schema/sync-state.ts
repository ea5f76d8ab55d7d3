import type { ModelName } from '@kombo-sync/catalog';
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Sync progress of one model of one integration. Row counts live in the model tables, not here. */
export const syncState = pgTable(
  'sync_state',
  {
    integrationId: text('integration_id').notNull(),
    model: text('model').$type<ModelName>().notNull(),
    /** Kombo-side time up to which every change is stored: the next delta sync asks for `updated_after` it. */
    watermark: timestamptz('watermark'),
    lastDeltaSyncAt: timestamptz('last_delta_sync_at'),
    lastFullSyncAt: timestamptz('last_full_sync_at'),
    lastSuccessAt: timestamptz('last_success_at'),
    lastErrorCode: text('last_error_code'),
    lastErrorMessage: text('last_error_message'),
    lastErrorLogUrl: text('last_error_log_url'),
    lastErrorAt: timestamptz('last_error_at'),
    /** Failed syncs of this model since its last success. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** Why the last run skipped this model, e.g. `INTEGRATION.MODEL_NOT_AVAILABLE`; cleared by a success. */
    skippedReason: text('skipped_reason'),
    /**
     * Since when Kombo reports the model unavailable for the integration (MODEL_NOT_AVAILABLE, MODEL_DISABLED) without
     * a success in between; null when it serves it. Past SYNC_MODEL_UNAVAILABLE_GRACE_MS its rows are marked deleted.
     */
    unavailableSince: timestamptz('unavailable_since'),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.integrationId, t.model] }),
    // The status views find the failing and the lagging integrations of a fleet through these two small indexes
    // (packages/db/src/status-filters.ts), instead of reading every model of every integration.
    index('sync_state_failing_idx')
      .on(t.integrationId)
      .where(sql`${t.consecutiveFailures} > 0`),
    index('sync_state_last_success_idx')
      .on(t.lastSuccessAt)
      .where(sql`${t.skippedReason} IS NULL`),
  ],
);

export type SyncStateRow = typeof syncState.$inferSelect;
