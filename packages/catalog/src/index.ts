export {
  IGNORED_CHANGED_MODEL_NAMES,
  MODELS,
  UNSYNCED_CATEGORY_PREFIXES,
  UNSYNCED_LIST_ENDPOINTS,
} from './models.js';
export type { FieldSpec, FieldType, KomboCategory, ModelName, ModelSpec } from './models.js';
export { ALL_MODEL_NAMES, getModel, isModelName, modelsForChangedNames } from './lookup.js';
export { UNTRACKED_EMBEDS } from './untracked-embeds.js';
export type { UntrackedEmbed } from './untracked-embeds.js';
export type { KomboRecord, KomboRejectedRecord } from './kombo-record.js';
export { isStorableRecordId, MAX_RECORD_ID_BYTES } from './kombo-record.js';
