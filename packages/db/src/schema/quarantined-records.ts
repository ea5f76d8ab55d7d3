import type { ModelName } from '@kombo-sync/catalog';
import { bigint, boolean, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Why a record was set aside, bounded for metrics labels: `schema` (it breaks the model's zod schema), `data`
 * (Postgres rejected a value: SQLSTATE class 22), `constraint` (23502/23514) or `limit` (54000, or an id longer than
 * the mirror stores).
 */
export type QuarantineReasonClass = 'schema' | 'data' | 'constraint' | 'limit';

/**
 * Records Kombo sent that could not be stored (Postgres refused a value, or the record breaks the model's schema):
 * set aside so the rest of their page and model go on, retried on each pass of the model (re-fetched by id) and
 * removed as soon as a version of the record stores. A record whose id is too long to store is kept under a hashed
 * key instead (`record_id_hashed`). `reason` is bounded and never carries the record's values;
 * `record_text` is the record as received (for a person to inspect), nothing else reads it.
 */
export const quarantinedRecords = pgTable(
  'quarantined_records',
  {
    integrationId: text('integration_id').notNull(),
    model: text('model').$type<ModelName>().notNull(),
    /**
     * The record's id; for an id longer than the mirror stores (`MAX_RECORD_ID_BYTES` of packages/catalog) its
     * hashed key `sha256:<hex of its UTF-8 bytes>`, with `record_id_hashed` set.
     */
    recordId: text('record_id').notNull(),
    /**
     * `record_id` is the hash of an id too long to store or refetch: never retried by id; released by the first
     * complete full pass of the model that no longer sees it.
     */
    recordIdHashed: boolean('record_id_hashed').notNull().default(false),
    /** SQLSTATE (e.g. `22P02`) for a Postgres refusal, `CLIENT.SCHEMA_VIOLATION` for a schema break. */
    reasonCode: text('reason_code').notNull(),
    reasonClass: text('reason_class').$type<QuarantineReasonClass>().notNull(),
    /** Postgres's or zod's reason with the record id, at most 2 KB, without the record's values. */
    reason: text('reason').notNull(),
    /** The record's JSON text as last received. */
    recordText: text('record_text').notNull(),
    firstSeenAt: timestamptz('first_seen_at').notNull().defaultNow(),
    lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
    /** Passes that failed to store the record: 1 when first set aside, +1 on each failed retry. */
    attempts: integer('attempts').notNull().default(1),
    lastRunId: bigint('last_run_id', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.model, t.recordId] })],
);

export type QuarantinedRecordRow = typeof quarantinedRecords.$inferSelect;
