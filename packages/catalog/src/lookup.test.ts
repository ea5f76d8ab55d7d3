import { describe, expect, it } from '@jest/globals';
import type { ModelSpec } from './models.js';
import {
  ALL_MODEL_NAMES,
  IGNORED_CHANGED_MODEL_NAMES,
  MODELS,
  getModel,
  isModelName,
  modelsForChangedNames,
} from './index.js';

describe('model catalog', () => {
  it('has unique names and paths', () => {
    expect(new Set(ALL_MODEL_NAMES).size).toBe(MODELS.length);
    expect(new Set(MODELS.map((m) => m.path)).size).toBe(MODELS.length);
  });

  it('maps Kombo changed-model names, join tables included, to synced models', () => {
    // Staffing entities embed groups, and their updated_after follows the linked groups.
    expect(modelsForChangedNames(['hris_teams']).models).toEqual(['hris_groups', 'hris_staffing_entities']);
    expect(modelsForChangedNames(['hris_join_employees_teams']).models).toEqual(['hris_employees']);
    expect(modelsForChangedNames(['ats_join_candidates_tags']).models).toEqual(['ats_candidates']);
    expect(modelsForChangedNames(['hris_employments']).models).toEqual([
      'hris_employees',
      'hris_employments',
    ]);
  });

  it('maps the join tables and linked models of the newer models', () => {
    expect(modelsForChangedNames(['ats_join_user_job_role_assignments']).models).toEqual(['ats_jobs']);
    expect(modelsForChangedNames(['hris_join_staffing_entities_groups']).models).toEqual([
      'hris_staffing_entities',
    ]);
    expect(modelsForChangedNames(['hris_performance_review_cycles']).models).toEqual([
      'hris_performance_review_cycles',
      'hris_performance_reviews',
    ]);
    expect(modelsForChangedNames(['ats_roles']).models).toEqual(['ats_users', 'ats_roles']);
    expect(modelsForChangedNames(['lms_course_revisions', 'lms_join_revisions_skills']).models).toEqual([
      'lms_courses',
    ]);
    expect(modelsForChangedNames(['lms_users', 'lms_course_progressions']).models).toEqual([
      'lms_users',
      'lms_course_progressions',
    ]);
  });

  it('reports unknown names instead of failing', () => {
    expect(modelsForChangedNames(['lms_courses', 'brand_new_model', 'ats_tags'])).toEqual({
      models: ['ats_tags', 'lms_courses'],
      unknown: ['brand_new_model'],
      ignored: [],
    });
  });

  it('never both maps and ignores a name', () => {
    const mapped = new Set<string>(MODELS.flatMap((model) => model.changedModelNames));
    for (const name of Object.keys(IGNORED_CHANGED_MODEL_NAMES)) expect(mapped.has(name)).toBe(false);
  });

  it('names only catalog models as embedded, and gives stamp-less models no cursor paging', () => {
    for (const model of MODELS as readonly ModelSpec[]) {
      for (const embedded of model.embeds ?? []) expect(isModelName(embedded)).toBe(true);
      if (model.hasChangeStamps === false) expect(model.paging).toBe('none');
    }
  });

  it('lists lookup columns that exist as fields', () => {
    for (const model of MODELS) {
      for (const column of model.lookupColumns)
        expect(Object.keys(getModel(model.name).fields)).toContain(column);
    }
  });
});
