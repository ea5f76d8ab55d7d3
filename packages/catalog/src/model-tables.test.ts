import { describe, expect, it } from '@jest/globals';
import { MODEL_TABLES } from '../../../scripts/model-tables.mjs';
import { ALL_MODEL_NAMES } from './index.js';

describe('scripts/model-tables.mjs', () => {
  it('lists exactly the catalog models (the start script counts rows with it)', () => {
    expect([...MODEL_TABLES].sort()).toEqual([...ALL_MODEL_NAMES].sort());
  });
});
