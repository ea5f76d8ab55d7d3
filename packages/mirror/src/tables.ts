import { MODELS, type FieldSpec, type ModelName, type ModelSpec } from '@kombo-sync/catalog';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  type PgColumn,
  type PgColumnBuilderBase,
} from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Columns every model table has besides the catalog's typed fields. */
function commonColumns() {
  return {
    integrationId: text('integration_id').notNull(),
    id: text('id').notNull(),
    changedAt: timestamptz('changed_at').notNull(),
    remoteDeletedAt: timestamptz('remote_deleted_at'),
    /** The record exactly as Kombo sent it, `remote_data` and unknown fields included. */
    raw: jsonb('raw').$type<Record<string, unknown>>().notNull(),
    /**
     * SHA-1 of the record's canonical JSON (keys sorted, as `writePage` sends it): equal hashes mean equal `raw`,
     * so a re-sync detects unchanged rows without reading `raw`. NULL for rows written before the column existed:
     * such a row counts as different and is rewritten (with its hash) once.
     */
    rawHash: bytea('raw_hash'),
    /**
     * Kombo-side time (response `Date` header) of the response that carried the stored version; for a row a full
     * pass reconciled as deleted, the pass's start.
     */
    komboFetchedAt: timestamptz('kombo_fetched_at').notNull(),
    /**
     * Breaks ties of `kombo_fetched_at` (1 s resolution) between fetches in the same Kombo second: see
     * `fetchOrder` (src/fetch-order.ts). 0 for rows written before the column existed or without an order.
     */
    komboFetchOrder: bigint('kombo_fetch_order', { mode: 'number' }).notNull().default(0),
    firstSeenAt: timestamptz('first_seen_at').notNull().defaultNow(),
    lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
    lastRunId: bigint('last_run_id', { mode: 'number' }),
  };
}

/** SQL column names that the common columns take; a catalog field may not use them. */
export const COMMON_COLUMN_NAMES = [
  'integration_id',
  'id',
  'changed_at',
  'remote_deleted_at',
  'raw',
  'raw_hash',
  'kombo_fetched_at',
  'kombo_fetch_order',
  'first_seen_at',
  'last_seen_at',
  'last_run_id',
] as const;

function catalogColumn(name: string, field: FieldSpec): PgColumnBuilderBase {
  const column = (() => {
    switch (field.type) {
      case 'text':
        return text(name);
      case 'timestamp':
        return timestamptz(name);
      case 'number':
        return doublePrecision(name);
      case 'boolean':
        return boolean(name);
      case 'json':
        return jsonb(name);
    }
  })();
  return field.nullable === false ? column.notNull() : column;
}

/**
 * Builds a model's table from its catalog entry: the common columns, one typed column per catalog field (named
 * as Kombo names it), PK (integration_id, id), an index per lookup column, one for deletion reconciliation and a
 * partial one of the deleted rows for their retention.
 */
export function buildModelTable(spec: ModelSpec) {
  const fields: Record<string, PgColumnBuilderBase> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    if ((COMMON_COLUMN_NAMES as readonly string[]).includes(name)) {
      throw new Error(`Catalog field ${spec.name}.${name} collides with a common column`);
    }
    fields[name] = catalogColumn(name, field);
  }
  return pgTable(spec.name, { ...commonColumns(), ...fields }, (t) => {
    const columns = t as unknown as Record<string, PgColumn>;
    const lookup = spec.lookupColumns.map((name) => {
      const column = columns[name];
      if (!column) throw new Error(`Lookup column ${spec.name}.${name} is not a catalog field`);
      return index(`${spec.name}_${name}_idx`).on(t.integrationId, column);
    });
    return [
      primaryKey({ name: `${spec.name}_pkey`, columns: [t.integrationId, t.id] }),
      index(`${spec.name}_deleted_idx`).on(t.integrationId, t.remoteDeletedAt),
      // The deleted-rows retention finds rows deleted before its cutoff across integrations: deleted rows only.
      index(`${spec.name}_purge_idx`)
        .on(t.remoteDeletedAt)
        .where(sql`${t.remoteDeletedAt} IS NOT NULL`),
      ...lookup,
    ];
  });
}

export type ModelTable = ReturnType<typeof buildModelTable>;

/** Every catalog model's table, by model name. */
export const modelTables = Object.fromEntries(
  MODELS.map((spec) => [spec.name, buildModelTable(spec)]),
) as Record<ModelName, ModelTable>;

export {
  customFieldDefinitions,
  integrationFieldDefinitions,
  type CustomFieldDefinitionRow,
  type IntegrationFieldDefinitionRow,
} from './field-definition-tables.js';
