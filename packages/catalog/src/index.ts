export { MODELS } from './models.js';
export type { FieldSpec, FieldType, KomboCategory, ModelName, ModelSpec } from './models.js';
export { ALL_MODEL_NAMES, getModel, isModelName, modelsForChangedNames } from './lookup.js';
