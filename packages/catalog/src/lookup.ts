import { IGNORED_CHANGED_MODEL_NAMES, MODELS, type ModelName, type ModelSpec } from './models.js';

/** Every synced model's name, in catalog order. */
export const ALL_MODEL_NAMES: readonly ModelName[] = MODELS.map((model) => model.name);

const byName = new Map<string, ModelSpec>(MODELS.map((model) => [model.name, model]));

const byChangedName = new Map<string, ModelName[]>();
for (const model of MODELS) {
  for (const changedName of model.changedModelNames) {
    const models = byChangedName.get(changedName) ?? [];
    models.push(model.name);
    byChangedName.set(changedName, models);
  }
}

export function isModelName(name: string): name is ModelName {
  return byName.has(name);
}

/** The catalog entry of a synced model; throws for a name that is not in the catalog. */
export function getModel(name: ModelName): ModelSpec {
  const model = byName.get(name);
  if (!model) throw new Error(`Unknown model: ${name}`);
  return model;
}

/**
 * Maps the `changed_models` names of `data-changed` webhooks to the synced models whose endpoints may now return
 * new data. Names the catalog ignores on purpose (IGNORED_CHANGED_MODEL_NAMES) are returned in
 * `ignored`; names it does not know at all (Kombo adds models over time) in `unknown`, so the caller can log them.
 * Neither is ever an error.
 */
export function modelsForChangedNames(changedNames: readonly string[]): {
  models: ModelName[];
  unknown: string[];
  ignored: string[];
} {
  const models = new Set<ModelName>();
  const unknown: string[] = [];
  const ignored: string[] = [];
  for (const changedName of changedNames) {
    const mapped = byChangedName.get(changedName);
    if (mapped) mapped.forEach((name) => models.add(name));
    else if (Object.hasOwn(IGNORED_CHANGED_MODEL_NAMES, changedName)) ignored.push(changedName);
    else unknown.push(changedName);
  }
  return { models: ALL_MODEL_NAMES.filter((name) => models.has(name)), unknown, ignored };
}
