import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { MODELS } from '@kombo-sync/catalog';
import { parsePage } from './record-schemas.js';

type Examples = Record<string, { value: unknown }>;
interface Spec {
  paths: Record<
    string,
    { get?: { responses: Record<string, { content?: Record<string, { examples?: Examples }> }> } }
  >;
}

const spec = JSON.parse(readFileSync(new URL('../spec/openapi.json', import.meta.url), 'utf8')) as Spec;

describe('list response examples of the spec parse with the catalog-derived schemas', () => {
  for (const model of MODELS) {
    it(`${model.name} (${model.path})`, () => {
      const examples = spec.paths[model.path]?.get?.responses['200']?.content?.['application/json']?.examples;
      expect(examples).toBeDefined();
      const values = Object.values(examples ?? {});
      expect(values.length).toBeGreaterThan(0);
      for (const { value } of values) {
        const page = parsePage(model.name, value);
        expect(page.results.length).toBeGreaterThan(0);
        for (const record of page.results) expect(typeof record.id).toBe('string');
      }
    });
  }
});
