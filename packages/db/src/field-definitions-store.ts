import { and, eq, isNull, notInArray, sql } from 'drizzle-orm';
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
  for (let start = 0; start < input.customFields.length; start += CHUNK) {
    const rows = input.customFields.slice(start, start + CHUNK).map((field) => ({
      integrationId,
      id: field.id,
      model: field.model,
      key: field.key,
      label: field.label,
      description: field.description,
      integrationFieldId: field.integration_field?.id ?? null,
      raw: { ...field },
      lastSeenAt: at,
      removedAt: null,
    }));
    await executor
      .insert(customFieldDefinitions)
      .values(rows)
      .onConflictDoUpdate({
        target: [customFieldDefinitions.integrationId, customFieldDefinitions.id],
        set: {
          model: sql`excluded.model`,
          key: sql`excluded.key`,
          label: sql`excluded.label`,
          description: sql`excluded.description`,
          integrationFieldId: sql`excluded.integration_field_id`,
          raw: sql`excluded.raw`,
          lastSeenAt: sql`excluded.last_seen_at`,
          removedAt: sql`NULL`,
        },
      });
  }
  for (let start = 0; start < input.integrationFields.length; start += CHUNK) {
    const rows = input.integrationFields.slice(start, start + CHUNK).map((field) => ({
      integrationId,
      id: field.id,
      model: field.model,
      key: field.key,
      label: field.label,
      type: field.type,
      isPassthroughEnabled: field.is_passthrough_enabled,
      raw: { ...field },
      lastSeenAt: at,
      removedAt: null,
    }));
    await executor
      .insert(integrationFieldDefinitions)
      .values(rows)
      .onConflictDoUpdate({
        target: [integrationFieldDefinitions.integrationId, integrationFieldDefinitions.id],
        set: {
          model: sql`excluded.model`,
          key: sql`excluded.key`,
          label: sql`excluded.label`,
          type: sql`excluded.type`,
          isPassthroughEnabled: sql`excluded.is_passthrough_enabled`,
          raw: sql`excluded.raw`,
          lastSeenAt: sql`excluded.last_seen_at`,
          removedAt: sql`NULL`,
        },
      });
  }
  const customIds = input.customFields.map((field) => field.id);
  const removedCustom = await executor
    .update(customFieldDefinitions)
    .set({ removedAt: at })
    .where(
      and(
        eq(customFieldDefinitions.integrationId, integrationId),
        isNull(customFieldDefinitions.removedAt),
        customIds.length > 0 ? notInArray(customFieldDefinitions.id, customIds) : undefined,
      ),
    );
  const integrationIds = input.integrationFields.map((field) => field.id);
  const removedIntegration = await executor
    .update(integrationFieldDefinitions)
    .set({ removedAt: at })
    .where(
      and(
        eq(integrationFieldDefinitions.integrationId, integrationId),
        isNull(integrationFieldDefinitions.removedAt),
        integrationIds.length > 0 ? notInArray(integrationFieldDefinitions.id, integrationIds) : undefined,
      ),
    );
  await executor
    .update(integrations)
    .set({ fieldDefinitionsRefreshedAt: at, fieldDefinitionsError: null })
    .where(eq(integrations.id, integrationId));
  return {
    customFields: { listed: customIds.length, removed: removedCustom.rowCount ?? 0 },
    integrationFields: { listed: integrationIds.length, removed: removedIntegration.rowCount ?? 0 },
  };
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
