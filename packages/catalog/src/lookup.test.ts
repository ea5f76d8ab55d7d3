import { describe, expect, it } from '@jest/globals';
import { ALL_MODEL_NAMES, MODELS, getModel, modelsForChangedNames } from './index.js';

describe('model catalog', () => {
  it('has unique names and paths', () => {
    expect(new Set(ALL_MODEL_NAMES).size).toBe(MODELS.length);
    expect(new Set(MODELS.map((m) => m.path)).size).toBe(MODELS.length);
  });

  it('maps Kombo changed-model names, join tables included, to synced models', () => {
    expect(modelsForChangedNames(['hris_teams']).models).toEqual(['hris_groups']);
    expect(modelsForChangedNames(['hris_join_employees_teams']).models).toEqual(['hris_employees']);
    expect(modelsForChangedNames(['ats_join_candidates_tags']).models).toEqual(['ats_candidates']);
    expect(modelsForChangedNames(['hris_employments']).models).toEqual([
      'hris_employees',
      'hris_employments',
    ]);
  });

  it('reports unknown names instead of failing', () => {
    expect(modelsForChangedNames(['lms_courses', 'ats_tags'])).toEqual({
      models: ['ats_tags'],
      unknown: ['lms_courses'],
    });
  });

  it('lists lookup columns that exist as fields', () => {
    for (const model of MODELS) {
      for (const column of model.lookupColumns)
        expect(Object.keys(getModel(model.name).fields)).toContain(column);
    }
  });
});
