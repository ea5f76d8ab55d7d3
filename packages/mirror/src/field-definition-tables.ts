import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Columns both definition tables have: who, when seen, when Kombo stopped listing it, and the definition as sent. */
function definitionColumns() {
  return {
    integrationId: text('integration_id').notNull(),
    /** Kombo's id of the definition. */
    id: text('id').notNull(),
    /** The catalog model the field belongs to, e.g. `hris_employees`. */
    model: text('model').notNull(),
    /** The key records carry it under (`custom_fields.<key>`, `integration_fields[].key`). */
    key: text('key').notNull(),
    label: text('label'),
    /** The definition exactly as Kombo sent it. */
    raw: jsonb('raw').$type<Record<string, unknown>>().notNull(),
    firstSeenAt: timestamptz('first_seen_at').notNull().defaultNow(),
    /** The last refresh that listed it. */
    lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
    /** Set when a complete refresh no longer lists it (the row is kept); cleared if Kombo lists it again. */
    removedAt: timestamptz('removed_at'),
  };
}

/**
 * `GET /integrations/{id}/custom-fields`: the custom fields the customer defined for the integration (what the keys
 * of records' `custom_fields` mean) and the integration field each is mapped to.
 */
export const customFieldDefinitions = pgTable(
  'custom_field_definitions',
  {
    ...definitionColumns(),
    description: text('description'),
    /** The tool's field the custom field is mapped to (`integration_field.id`), null when unmapped. */
    integrationFieldId: text('integration_field_id'),
  },
  (t) => [
    primaryKey({ name: 'custom_field_definitions_pkey', columns: [t.integrationId, t.id] }),
    index('custom_field_definitions_model_idx').on(t.integrationId, t.model),
  ],
);

/** `GET /integrations/{id}/integration-fields`: the connected tool's fields Kombo knows and can pass through. */
export const integrationFieldDefinitions = pgTable(
  'integration_field_definitions',
  {
    ...definitionColumns(),
    /** DEFAULT (the tool's static fields) or CUSTOM (fields the tool's users created). */
    type: text('type').notNull(),
    /** Whether records carry the field in `integration_fields` (Kombo's deprecated `is_writable` is only in raw). */
    isPassthroughEnabled: boolean('is_passthrough_enabled').notNull(),
  },
  (t) => [
    primaryKey({ name: 'integration_field_definitions_pkey', columns: [t.integrationId, t.id] }),
    index('integration_field_definitions_model_idx').on(t.integrationId, t.model),
  ],
);

export type CustomFieldDefinitionRow = typeof customFieldDefinitions.$inferSelect;
export type IntegrationFieldDefinitionRow = typeof integrationFieldDefinitions.$inferSelect;
