import type { ModelName } from '@kombo-sync/catalog';
import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A tombstone per record removed by the deleted-rows retention (SYNC_DELETED_RETENTION_DAYS): Kombo keeps serving
 * deleted records (`include_deleted=true`), so without it the next full sync would store them again. A page write
 * skips a version that is still deleted and not changed since (`changed_at` at most the purged one's); a newer
 * version, or one no longer deleted, is stored as usual. A tombstone goes when a complete full pass of its model
 * no longer sees the record (Kombo stopped serving it), when the record is back in the mirror, and with its
 * integration's data.
 */
export const purgedRecords = pgTable(
  'purged_records',
  {
    integrationId: text('integration_id').notNull(),
    model: text('model').$type<ModelName>().notNull(),
    recordId: text('record_id').notNull(),
    /** `changed_at` of the version that was purged. */
    changedAt: timestamptz('changed_at').notNull(),
    purgedAt: timestamptz('purged_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.model, t.recordId] })],
);

export type PurgedRecordRow = typeof purgedRecords.$inferSelect;
