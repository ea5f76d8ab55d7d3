export {
  changesSince,
  customFields,
  getRecord,
  liveRecords,
  recordsByIds,
  type ChangesSince,
  type MirrorDb,
  type PageOptions,
} from './queries.js';
export {
  customFieldDefinitions,
  integrationFieldDefinitions,
  type CustomFieldDefinition,
  type FieldDefinitionOptions,
  type IntegrationFieldDefinition,
} from './field-definitions.js';
export type { MirrorFields, MirrorRecord, ModelWithCustomFields } from './records.js';
export { modelTables, type ModelTable } from './tables.js';
export { ALL_MODEL_NAMES, type ModelName } from '@kombo-sync/catalog';
