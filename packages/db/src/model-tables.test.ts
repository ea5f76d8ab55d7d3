import { describe, expect, it } from '@jest/globals';
import { MODELS, type ModelSpec } from '@kombo-sync/catalog';
import { getTableConfig } from 'drizzle-orm/pg-core';
import * as schemaModule from './schema/model-tables.js';
import { buildModelTable, COMMON_COLUMN_NAMES, modelTables } from './schema/model-tables.js';

const spec = (overrides: Partial<ModelSpec>): ModelSpec => ({
  name: 'hris_things',
  category: 'HRIS',
  path: '/hris/things',
  changedModelNames: ['hris_things'],
  fields: { name: { type: 'text' } },
  lookupColumns: [],
  ...overrides,
});

describe('model tables', () => {
  it('has a table per catalog model, each exported by name for drizzle-kit', () => {
    const exported = schemaModule as unknown as Record<string, unknown>;
    for (const model of MODELS) {
      expect(getTableConfig(modelTables[model.name]).name).toBe(model.name);
      expect(exported[model.name]).toBe(modelTables[model.name]);
    }
  });

  it('builds the common columns plus one column per catalog field', () => {
    for (const model of MODELS) {
      const config = getTableConfig(modelTables[model.name]);
      expect(config.columns.map((column) => column.name).sort()).toEqual(
        [...COMMON_COLUMN_NAMES, ...Object.keys(model.fields)].sort(),
      );
      expect(config.indexes.map((index) => index.config.name).sort()).toEqual(
        [
          `${model.name}_deleted_idx`,
          `${model.name}_purge_idx`,
          ...model.lookupColumns.map((column) => `${model.name}_${column}_idx`),
        ].sort(),
      );
    }
  });

  it('rejects a field that collides with a common column or a lookup column that is no field', () => {
    expect(() => buildModelTable(spec({ fields: { raw: { type: 'json' } } }))).toThrow('collides');
    expect(() => getTableConfig(buildModelTable(spec({ lookupColumns: ['missing'] })))).toThrow(
      'not a catalog field',
    );
  });
});
