import type { KomboCategory, ModelName } from '@kombo-sync/catalog';

export type Sizes = Partial<Record<ModelName, number>>;

const clamp = (value: number, min: number, max: number): number => Math.max(min, Math.min(max, value));

/** Record counts of every HRIS model, scaled from the number of employees. */
export function hrisSizes(employees: number): Sizes {
  return {
    hris_employees: employees,
    hris_employments: Math.ceil(employees * 1.1),
    hris_groups: clamp(Math.ceil(employees / 15), 3, 500),
    hris_locations: clamp(Math.ceil(employees / 100), 2, 50),
    hris_legal_entities: clamp(Math.ceil(employees / 500), 1, 10),
    hris_absence_types: 5,
    hris_absences: employees * 2,
    hris_time_off_balances: employees * 2,
    hris_timesheets: employees * 3,
    hris_performance_review_cycles: 4,
    hris_performance_reviews: employees,
    hris_staffing_entities: clamp(Math.ceil(employees / 10), 2, 1000),
    hris_employee_document_categories: 6,
    hris_skills: 12,
    // Served as one page (the endpoint has no paging), so bounded.
    hris_employee_skill_assignments: Math.min(employees * 2, 5000),
  };
}

/** Record counts of every ATS model, scaled from the number of candidates. */
export function atsSizes(candidates: number): Sizes {
  return {
    ats_candidates: candidates,
    ats_applications: Math.ceil(candidates * 1.3),
    ats_jobs: clamp(Math.ceil(candidates / 25), 2, 2000),
    ats_application_stages: 6,
    ats_users: clamp(Math.ceil(candidates / 50), 3, 500),
    ats_tags: 12,
    ats_interviews: Math.ceil(candidates * 0.8),
    ats_offers: Math.ceil(candidates * 0.2),
    ats_rejection_reasons: 5,
    ats_roles: 6,
  };
}

/** Record counts of every LMS model, scaled from the number of users (learners). */
export function lmsSizes(users: number): Sizes {
  return {
    lms_users: users,
    lms_courses: clamp(Math.ceil(users / 4), 2, 2000),
    lms_course_progressions: users * 2,
    lms_skills: 8,
  };
}

/**
 * Resolves the admin API's `sizes` (model names, or the `employees` / `candidates` / `users` shorthands) into a
 * full table: models of the integration's category default from the shorthand scale (50), explicit model sizes win.
 */
export function resolveSizes(category: KomboCategory, sizes: Record<string, number> = {}): Sizes {
  const base = {
    HRIS: () => hrisSizes(sizes.employees ?? sizes.hris_employees ?? 50),
    ATS: () => atsSizes(sizes.candidates ?? sizes.ats_candidates ?? 50),
    LMS: () => lmsSizes(sizes.users ?? sizes.lms_users ?? 50),
  }[category]();
  const resolved: Sizes = { ...base };
  for (const [name, size] of Object.entries(sizes)) {
    if (name in base) resolved[name as ModelName] = Math.max(0, Math.floor(size));
  }
  // A few rows of the small reference models are always needed for references to resolve.
  for (const name of [
    'hris_absence_types',
    'hris_locations',
    'hris_legal_entities',
    'hris_groups',
    'hris_performance_review_cycles',
    'hris_skills',
  ] as const) {
    if (resolved[name] !== undefined) resolved[name] = Math.max(1, resolved[name]);
  }
  for (const name of [
    'ats_jobs',
    'ats_application_stages',
    'ats_users',
    'ats_tags',
    'ats_rejection_reasons',
    'lms_courses',
    'lms_skills',
  ] as const) {
    if (resolved[name] !== undefined) resolved[name] = Math.max(1, resolved[name]);
  }
  return resolved;
}
