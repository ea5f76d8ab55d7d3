// The model tables, for scripts that run without TypeScript. Kept equal to packages/catalog by
// packages/catalog/src/model-tables.test.ts.
export const MODEL_TABLES = [
  'hris_employees',
  'hris_employments',
  'hris_groups',
  'hris_locations',
  'hris_legal_entities',
  'hris_absence_types',
  'hris_absences',
  'hris_time_off_balances',
  'ats_jobs',
  'ats_candidates',
  'ats_applications',
  'ats_application_stages',
  'ats_users',
  'ats_tags',
  'ats_interviews',
  'ats_offers',
  'ats_rejection_reasons',
];
