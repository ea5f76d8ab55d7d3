import { and, asc, eq, getTableColumns, isNull, type SQL } from 'drizzle-orm';
import {
  customFieldDefinitions as customTable,
  integrationFieldDefinitions as integrationTable,
} from './field-definition-tables.js';
import type { MirrorDb } from './queries.js';

/** What one integration's custom field means (Kombo's `GET /integrations/{id}/custom-fields`). */
export interface CustomFieldDefinition {
  integrationId: string;
  /** Kombo's id of the definition. */
  id: string;
  /** The model as Kombo names it (a plain string in Kombo's spec, e.g. `hris_employees`). */
  model: string;
  /** The key of the records' `custom_fields` it explains. */
  key: string;
  label: string | null;
  description: string | null;
  /** The tool's field it is mapped to (an {@link IntegrationFieldDefinition}'s id), null when unmapped. */
  integrationFieldId: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** When Kombo stopped listing it; null while listed. */
  removedAt: Date | null;
}

/** A field of the connected tool Kombo knows (Kombo's `GET /integrations/{id}/integration-fields`). */
export interface IntegrationFieldDefinition {
  integrationId: string;
  id: string;
  /** The model as Kombo names it (a plain string in Kombo's spec, e.g. `hris_employees`). */
  model: string;
  /** The key of the records' `integration_fields` entries it explains. */
  key: string;
  label: string | null;
  /** DEFAULT (the tool's static fields) or CUSTOM (fields the tool's users created). */
  type: string;
  /** Whether records carry it in `integration_fields`. */
  isPassthroughEnabled: boolean;
  firstSeenAt: Date;
  lastSeenAt: Date;
  removedAt: Date | null;
}

export interface FieldDefinitionOptions {
  /** Only the definitions of this model. */
  model?: string;
  /** Also the definitions Kombo no longer lists (with `removedAt`); default false. */
  includeRemoved?: boolean;
}

const where = (
  table: typeof customTable | typeof integrationTable,
  integrationId: string,
  { model, includeRemoved = false }: FieldDefinitionOptions,
): SQL | undefined =>
  and(
    eq(table.integrationId, integrationId),
    model === undefined ? undefined : eq(table.model, model),
    includeRemoved ? undefined : isNull(table.removedAt),
  );

/** The integration's custom field definitions, by model then key. */
export async function customFieldDefinitions(
  db: MirrorDb,
  integrationId: string,
  options: FieldDefinitionOptions = {},
): Promise<CustomFieldDefinition[]> {
  const { raw: _raw, ...columns } = getTableColumns(customTable);
  const rows = await db
    .select(columns)
    .from(customTable)
    .where(where(customTable, integrationId, options))
    .orderBy(asc(customTable.model), asc(customTable.key), asc(customTable.id));
  return rows as CustomFieldDefinition[];
}

/** The integration's integration field definitions, by model then key. */
export async function integrationFieldDefinitions(
  db: MirrorDb,
  integrationId: string,
  options: FieldDefinitionOptions = {},
): Promise<IntegrationFieldDefinition[]> {
  const { raw: _raw, ...columns } = getTableColumns(integrationTable);
  const rows = await db
    .select(columns)
    .from(integrationTable)
    .where(where(integrationTable, integrationId, options))
    .orderBy(asc(integrationTable.model), asc(integrationTable.key), asc(integrationTable.id));
  return rows as IntegrationFieldDefinition[];
}
