import { modelTables } from '@kombo-sync/mirror/tables';

// The model tables are defined in packages/mirror (the typed read package products use); the migrations are
// generated from this schema folder.
export {
  buildModelTable,
  COMMON_COLUMN_NAMES,
  modelTables,
  type ModelTable,
} from '@kombo-sync/mirror/tables';

// drizzle-kit finds tables among a schema file's exports, so each model table is exported under its own name.
export const {
  hris_employees,
  hris_employments,
  hris_groups,
  hris_locations,
  hris_legal_entities,
  hris_absence_types,
  hris_absences,
  hris_time_off_balances,
  ats_jobs,
  ats_candidates,
  ats_applications,
  ats_application_stages,
  ats_users,
  ats_tags,
  ats_interviews,
  ats_offers,
  ats_rejection_reasons,
  hris_timesheets,
  hris_performance_review_cycles,
  hris_performance_reviews,
  hris_staffing_entities,
  hris_employee_document_categories,
  hris_skills,
  hris_employee_skill_assignments,
  ats_roles,
  lms_users,
  lms_courses,
  lms_course_progressions,
  lms_skills,
} = modelTables;
