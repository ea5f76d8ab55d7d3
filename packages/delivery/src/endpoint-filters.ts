import { ALL_MODEL_NAMES, isModelName, type ModelName } from '@kombo-sync/catalog';

/**
 * An endpoint's model filter from a list of names (comma-separated text or an array): null for every model (an
 * empty list or `all`), else the catalog names, deduplicated. Throws a RangeError naming the unknown ones.
 */
export function parseModelFilter(value: string | readonly string[]): ModelName[] | null {
  const names = listOf(value);
  if (names.length === 0 || (names.length === 1 && names[0] === 'all')) return null;
  const unknown = names.filter((name) => !isModelName(name));
  if (unknown.length > 0)
    throw new RangeError(`unknown model ${unknown.join(', ')}; models: ${ALL_MODEL_NAMES.join(', ')}`);
  return names as ModelName[];
}

/** An endpoint's integration filter: null for every integration (an empty list or `all`), else the ids. */
export function parseIntegrationFilter(value: string | readonly string[]): string[] | null {
  const ids = listOf(value);
  return ids.length === 0 || (ids.length === 1 && ids[0] === 'all') ? null : ids;
}

function listOf(value: string | readonly string[]): string[] {
  const parts = typeof value === 'string' ? value.split(',') : value;
  return [...new Set(parts.map((part) => part.trim()).filter(Boolean))];
}
