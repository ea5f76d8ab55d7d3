import { MODELS, isModelName, type ModelName } from '@kombo-sync/catalog';
import { UsageError } from './errors.js';

/** The catalog models of a category (`HRIS`/`ATS`); every model for an unknown category. */
export function modelsOfCategory(category: string): ModelName[] {
  const models = MODELS.filter((model) => model.category === category).map(
    (model) => model.name as ModelName,
  );
  return models.length > 0 ? models : MODELS.map((model) => model.name as ModelName);
}

/** The distinct, trimmed, non-empty entries of a comma-separated option (`--models a,b`, `--filter x,y`). */
export function commaList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * Parses `--models a,b` against the models valid for the integration (its category's catalog models).
 * Undefined when the option is absent; a {@link UsageError} (exit 2) listing the valid names for unknown ones.
 */
export function parseModelsOption(
  value: string | undefined,
  valid: readonly ModelName[],
): ModelName[] | undefined {
  if (value === undefined) return undefined;
  const names = commaList(value);
  if (names.length === 0) throw new UsageError(`--models is empty; valid models: ${valid.join(', ')}`);
  const unknown = names.filter((name) => !isModelName(name) || !valid.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown model${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; valid models: ${valid.join(', ')}`,
    );
  }
  return names as ModelName[];
}
