import { and, eq, getTableColumns, isNull, notInArray, sql, type SQL } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import {
  customFieldDefinitions,
  integrationFieldDefinitions,
  type CustomFieldDefinitionRow,
  type IntegrationFieldDefinitionRow,
} from './schema/field-definitions.js';
import { integrations } from './schema/integrations.js';
import { boundText } from './safe-error.js';

/** A custom field definition as Kombo lists it (`GET /integrations/{id}/custom-fields`). */
export interface CustomFieldDefinitionInput {
  readonly id: string;
  readonly key: string;
  readonly model: string;
  readonly label: string | null;
  readonly description: string | null;
  readonly integration_field: { readonly id: string; readonly [field: string]: unknown } | null;
  readonly [field: string]: unknown;
}

/** An integration field definition as Kombo lists it (`GET /integrations/{id}/integration-fields`). */
export interface IntegrationFieldDefinitionInput {
  readonly id: string;
  readonly key: string;
  readonly model: string;
  readonly type: string;
  readonly label: string | null;
  readonly is_passthrough_enabled: boolean;
  readonly [field: string]: unknown;
}

export interface FieldDefinitionsInput {
  integrationId: string;
  /** Every custom field Kombo lists now (a complete listing: what it leaves out is marked removed). */
  customFields: readonly CustomFieldDefinitionInput[];
  /** Every integration field Kombo lists now (complete, likewise). */
  integrationFields: readonly IntegrationFieldDefinitionInput[];
  /** When the listing was read (stored as last seen, and as the removal time of what it left out). */
  at: Date;
}

export interface FieldDefinitionCounts {
  /** Definitions listed (inserted, updated or unchanged). */
  listed: number;
  /** Definitions no longer listed, marked removed by this refresh. */
  removed: number;
}

/** Rows per INSERT: 11 parameters a row stays far below Postgres's 65,535 per statement. */
const CHUNK = 1_000;

type DefinitionTable = typeof customFieldDefinitions | typeof integrationFieldDefinitions;

/**
 * Stores one complete listing in its table: upserts every row (every column but the key and `first_seen_at` taken
 * from the listing, the removal mark cleared) and marks removed the integration's rows the listing no longer has.
 */
async function storeListing(
  executor: ReturnType<typeof toExecutor>,
  table: DefinitionTable,
  rows: readonly Record<string, unknown>[],
  { integrationId, at }: { integrationId: string; at: Date },
): Promise<FieldDefinitionCounts> {
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (key === 'integrationId' || key === 'id' || key === 'firstSeenAt') continue;
    set[key] = key === 'removedAt' ? sql`NULL` : sql.raw(`excluded.${column.name}`);
  }
  for (let start = 0; start < rows.length; start += CHUNK) {
    await executor
      .insert(table)
      .values(rows.slice(start, start + CHUNK) as (typeof table.$inferInsert)[])
      .onConflictDoUpdate({ target: [table.integrationId, table.id], set });
  }
  const ids = rows.map((row) => String(row['id']));
  const removed = await executor
    .update(table)
    .set({ removedAt: at })
    .where(
      and(
        eq(table.integrationId, integrationId),
        isNull(table.removedAt),
        ids.length > 0 ? notInArray(table.id, ids) : undefined,
      ),
    );
  return { listed: ids.length, removed: removed.rowCount ?? 0 };
}

/**
 * Stores a complete listing of the integration's field definitions: upserts every listed one (clearing a removal
 * mark: Kombo lists it again), marks the ones no longer listed removed (rows are kept, so records' old keys stay
 * explained) and records the refresh on the integration. Run it in one transaction (the caller's fenced one).
 */
export async function replaceFieldDefinitions(
  db: DbLike,
  input: FieldDefinitionsInput,
): Promise<{ customFields: FieldDefinitionCounts; integrationFields: FieldDefinitionCounts }> {
  const executor = toExecutor(db);
  const { integrationId, at } = input;
  const common = (field: { id: string; key: string; model: string; label: string | null }) => ({
    integrationId,
    id: field.id,
    model: field.model,
    key: field.key,
    label: field.label,
    raw: { ...field },
    lastSeenAt: at,
    removedAt: null,
  });
  const customFields = await storeListing(
    executor,
    customFieldDefinitions,
    input.customFields.map((field) => ({
      ...common(field),
      description: field.description,
      integrationFieldId: field.integration_field?.id ?? null,
    })),
    { integrationId, at },
  );
  const integrationFields = await storeListing(
    executor,
    integrationFieldDefinitions,
    input.integrationFields.map((field) => ({
      ...common(field),
      type: field.type,
      isPassthroughEnabled: field.is_passthrough_enabled,
    })),
    { integrationId, at },
  );
  await executor
    .update(integrations)
    .set({ fieldDefinitionsRefreshedAt: at, fieldDefinitionsError: null })
    .where(eq(integrations.id, integrationId));
  return { customFields, integrationFields };
}

/** Records why a refresh of the integration's field definitions failed (`reason` is bounded; it must be safe). */
export async function recordFieldDefinitionsError(
  db: DbLike,
  integrationId: string,
  reason: string,
): Promise<void> {
  await toExecutor(db)
    .update(integrations)
    .set({ fieldDefinitionsError: boundText(reason) })
    .where(eq(integrations.id, integrationId));
}

/** The integration's field definitions, removed ones included (with `removedAt`), by model then key. */
export async function getFieldDefinitions(
  db: DbLike,
  integrationId: string,
): Promise<{ customFields: CustomFieldDefinitionRow[]; integrationFields: IntegrationFieldDefinitionRow[] }> {
  const executor = toExecutor(db);
  const [customFields, integrationFields] = await Promise.all([
    executor
      .select()
      .from(customFieldDefinitions)
      .where(eq(customFieldDefinitions.integrationId, integrationId))
      .orderBy(customFieldDefinitions.model, customFieldDefinitions.key, customFieldDefinitions.id),
    executor
      .select()
      .from(integrationFieldDefinitions)
      .where(eq(integrationFieldDefinitions.integrationId, integrationId))
      .orderBy(
        integrationFieldDefinitions.model,
        integrationFieldDefinitions.key,
        integrationFieldDefinitions.id,
      ),
  ]);
  return { customFields, integrationFields };
}

/** Deletes the integration's field definitions (its data is deleted: SYNC_ON_INTEGRATION_DELETED=delete). */
export async function deleteFieldDefinitions(db: DbLike, integrationId: string): Promise<void> {
  const executor = toExecutor(db);
  await executor
    .delete(customFieldDefinitions)
    .where(eq(customFieldDefinitions.integrationId, integrationId));
  await executor
    .delete(integrationFieldDefinitions)
    .where(eq(integrationFieldDefinitions.integrationId, integrationId));
}
