import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  IGNORED_CHANGED_MODEL_NAMES,
  MODELS,
  UNSYNCED_CATEGORY_PREFIXES,
  UNSYNCED_LIST_ENDPOINTS,
  type ModelSpec,
} from '@kombo-sync/catalog';

/**
 * The catalog covers Kombo's whole spec: every list endpoint is a model or set aside with a reason, and every
 * `changed_models` name maps to models or is ignored with a reason. A spec update that adds either fails here
 * until the catalog says what to do with it.
 */
type CatalogJson = Record<string, unknown>;
const spec = JSON.parse(
  readFileSync(new URL('../spec/openapi.json', import.meta.url), 'utf8'),
) as CatalogJson;

/** Follows `$ref`s (local ones) until a schema object. */
function resolve(node: unknown): CatalogJson {
  let current = node as CatalogJson;
  while (typeof current?.['$ref'] === 'string') {
    current = (current['$ref'] as string)
      .slice(2)
      .split('/')
      .reduce<CatalogJson>((object, key) => object[key] as CatalogJson, spec);
  }
  return current;
}

interface GetOperation {
  parameters?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
const paths = spec['paths'] as Record<string, { get?: GetOperation }>;

/** GET paths whose 200 body is a list `{ status, data: { results } }` (with `next` or without), with their operation. */
const listEndpoints = Object.entries(paths).flatMap(([path, item]) => {
  const operation = item.get;
  const schema = operation && resolve(operation.responses['200']?.content?.['application/json']?.schema);
  const data = schema && resolve((schema['properties'] as CatalogJson | undefined)?.['data']);
  const properties = data?.['properties'] as CatalogJson | undefined;
  return operation && properties?.['results'] ? [{ path, operation }] : [];
});

const parameterNames = (operation: GetOperation): string[] =>
  (operation.parameters ?? []).map((parameter) => resolve(parameter)['name'] as string);

const isOutOfScope = (path: string): boolean =>
  Object.keys(UNSYNCED_CATEGORY_PREFIXES).some((prefix) => path.startsWith(prefix));

describe('the catalog covers the spec', () => {
  it('finds the list endpoints', () => {
    expect(listEndpoints.length).toBeGreaterThan(MODELS.length);
  });

  it('has a model for every list endpoint not set aside with a reason, and no model without an endpoint', () => {
    const modelPaths = new Set<string>(MODELS.map((model) => model.path));
    const uncovered = listEndpoints
      .map(({ path }) => path)
      .filter((path) => !modelPaths.has(path) && !UNSYNCED_LIST_ENDPOINTS[path] && !isOutOfScope(path));
    expect(uncovered).toEqual([]);
    const specPaths = new Set(listEndpoints.map(({ path }) => path));
    expect(MODELS.map((model) => model.path).filter((path) => !specPaths.has(path))).toEqual([]);
    // A set-aside endpoint is not also a model, and still exists in the spec (else its entry is stale).
    for (const path of Object.keys(UNSYNCED_LIST_ENDPOINTS)) {
      expect(modelPaths.has(path)).toBe(false);
      expect(specPaths.has(path)).toBe(true);
    }
  });

  it('pages each model the way its endpoint declares (cursor parameters or none)', () => {
    for (const { path, operation } of listEndpoints) {
      const model = (MODELS as readonly ModelSpec[]).find((candidate) => candidate.path === path);
      if (!model) continue;
      const names = parameterNames(operation);
      const hasCursor = ['cursor', 'page_size', 'updated_after', 'include_deleted'].every((name) =>
        names.includes(name),
      );
      expect({ path, paging: model.paging ?? 'cursor' }).toEqual({
        path,
        paging: hasCursor ? 'cursor' : 'none',
      });
      expect(names).toContain('ids');
    }
  });

  it('knows which models carry changed_at and remote_deleted_at', () => {
    for (const { path, operation } of listEndpoints) {
      const model = (MODELS as readonly ModelSpec[]).find((candidate) => candidate.path === path);
      if (!model) continue;
      const schema = resolve(operation.responses['200']?.content?.['application/json']?.schema);
      const data = resolve((schema['properties'] as CatalogJson)['data']);
      const item = resolve(resolve((data['properties'] as CatalogJson)['results'])['items']);
      const required = (item['required'] as string[] | undefined) ?? [];
      const isStamped = required.includes('changed_at') && required.includes('remote_deleted_at');
      expect({ path, isStamped: model.hasChangeStamps ?? true }).toEqual({ path, isStamped });
    }
  });

  it('maps every changed_models name of the data-changed webhook to models, or ignores it with a reason', () => {
    const payload = resolve(
      (
        spec['webhooks'] as Record<
          string,
          { post: { requestBody: { content: Record<string, { schema: unknown }> } } }
        >
      )['data-changed']!.post.requestBody.content['application/json']!.schema,
    );
    const data = resolve((payload['properties'] as CatalogJson)['data']);
    const changedModels = resolve((data['properties'] as CatalogJson)['changed_models']);
    const name = resolve((resolve(changedModels['items'])['properties'] as CatalogJson)['name']);
    const names = name['enum'] as string[];
    expect(names.length).toBeGreaterThan(30);
    const mapped = new Set<string>(MODELS.flatMap((model) => model.changedModelNames));
    expect(names.filter((n) => !mapped.has(n) && !IGNORED_CHANGED_MODEL_NAMES[n])).toEqual([]);
    // An ignored name must still be one Kombo sends (else its entry is stale).
    expect(Object.keys(IGNORED_CHANGED_MODEL_NAMES).filter((n) => !names.includes(n))).toEqual([]);
  });
});
