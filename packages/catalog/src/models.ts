/**
 * The model catalog: the single list of Kombo models kombo-sync mirrors. The Kombo client (endpoint paths and
 * record schemas), the sync engine (which models a webhook touches) and the Postgres schema (one table per model,
 * typed columns) are all derived from it, so adding a model is one entry here plus a generated migration.
 */

/** How a top-level field of a Kombo record is stored and validated. */
export type FieldType =
  /** string (enums included: Kombo passes unmapped values through as plain strings) */
  | 'text'
  /** ISO-8601 date-time string, stored as timestamptz */
  | 'timestamp'
  /** JSON number, stored as double precision */
  | 'number'
  | 'boolean'
  /** nested object or array, stored as jsonb */
  | 'json';

export interface FieldSpec {
  readonly type: FieldType;
  /** Whether Kombo may send null (or omit the field). Defaults to true: most Kombo fields are nullable. */
  readonly nullable?: boolean;
}

export type KomboCategory = 'HRIS' | 'ATS' | 'LMS';

export interface ModelSpec {
  /** Kombo's model name, also our table name, e.g. `hris_employees`. */
  readonly name: string;
  readonly category: KomboCategory;
  /** List endpoint, relative to the API base URL (which ends in /v1). */
  readonly path: string;
  /**
   * Names in a `data-changed` webhook's `changed_models` that mean this model's endpoint may return new data:
   * its own name, the join tables nested in it, and the nested models whose changes move its `updated_after`.
   */
  readonly changedModelNames: readonly string[];
  /**
   * The record's top-level fields kept as typed columns (snake_case, as the API names them). `id`, `changed_at`
   * and `remote_deleted_at` are implied for every model and not listed. The whole record is kept in `raw` too.
   */
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Columns users look rows up by; each gets an index next to the (integration_id, id) primary key. */
  readonly lookupColumns: readonly string[];
  /**
   * How the list endpoint pages and filters. Default `cursor`, Kombo's standard: `cursor`, `page_size`,
   * `updated_after`, `include_deleted`, `ids`. `none`: the spec declares none of `cursor`, `page_size`,
   * `updated_after`, `include_deleted` (the closed-beta skill endpoints take only `ids`, `remote_ids` and their own
   * filters). The client then sends `ids` at most, so every pass, a delta too, reads the whole list, which Kombo
   * sends as one page; a non-null `next` is still followed as `cursor`, as the envelope's schema describes it.
   */
  readonly paging?: 'cursor' | 'none';
  /**
   * Whether records carry `changed_at` and `remote_deleted_at` (default true). Without them (employee skill
   * assignments) the record schema fills in `changed_at` = the epoch and `remote_deleted_at` = null: the
   * stale-overwrite guard then compares data only (a different version fetched later replaces the row), and a
   * deletion, which such an endpoint shows only by leaving the record out, is found by a full sync's reconciliation.
   */
  readonly hasChangeStamps?: boolean;
  /**
   * Catalog models whose records appear nested (as copies) in this model's records, per the spec's response
   * schema. Kombo's `updated_after` does not always track a change of such a copy: the untracked ones are listed
   * in `UNTRACKED_EMBEDS` (untracked-embeds.ts), whose parents the engine refetches when a child changes.
   */
  readonly embeds?: readonly string[];
}

// Literal types (not widened to FieldSpec), so each model's field types reach the type level: the typed mirror rows
// of packages/mirror are derived from them.
const text = { type: 'text' } as const satisfies FieldSpec;
const requiredText = { type: 'text', nullable: false } as const satisfies FieldSpec;
const timestamp = { type: 'timestamp' } as const satisfies FieldSpec;
const num = { type: 'number' } as const satisfies FieldSpec;
const bool = { type: 'boolean' } as const satisfies FieldSpec;
const json = { type: 'json' } as const satisfies FieldSpec;

export const MODELS = [
  {
    name: 'hris_employees',
    category: 'HRIS',
    path: '/hris/employees',
    changedModelNames: [
      'hris_employees',
      'hris_join_employees_teams',
      'hris_employments',
      'hris_time_off_balances',
      'hris_legal_entities',
      'hris_locations',
    ],
    fields: {
      remote_id: text,
      employee_number: text,
      first_name: text,
      last_name: text,
      nationality: text,
      display_full_name: text,
      job_title: text,
      work_email: text,
      personal_email: text,
      mobile_phone_number: text,
      ssn: text,
      tax_id: text,
      gender: text,
      ethnicity: text,
      marital_status: text,
      employment_status: text,
      employment_type: text,
      weekly_hours: num,
      avatar: text,
      work_location_id: text,
      legal_entity_id: text,
      manager_id: text,
      home_address: json,
      bank_accounts: json,
      date_of_birth: timestamp,
      start_date: timestamp,
      termination_date: timestamp,
      remote_created_at: timestamp,
      custom_fields: json,
      integration_fields: json,
      employments: json,
      time_off_balances: json,
      manager: json,
      groups: json,
      legal_entity: json,
      work_location: json,
    },
    lookupColumns: ['work_email', 'manager_id', 'employment_status'],
    embeds: [
      'hris_employments',
      'hris_time_off_balances',
      'hris_employees',
      'hris_groups',
      'hris_legal_entities',
      'hris_locations',
    ],
  },
  {
    name: 'hris_employments',
    category: 'HRIS',
    path: '/hris/employments',
    changedModelNames: ['hris_employments'],
    fields: {
      remote_id: text,
      employee_id: requiredText,
      job_title: text,
      pay_rate: num,
      pay_period: text,
      pay_frequency: text,
      employment_type: text,
      pay_currency: text,
      effective_date: timestamp,
      custom_fields: json,
      integration_fields: json,
    },
    lookupColumns: ['employee_id'],
  },
  {
    name: 'hris_groups',
    category: 'HRIS',
    path: '/hris/groups',
    changedModelNames: ['hris_teams', 'hris_groups'],
    fields: { remote_id: text, name: text, type: text, parent_id: text },
    lookupColumns: ['parent_id'],
  },
  {
    name: 'hris_locations',
    category: 'HRIS',
    path: '/hris/locations',
    changedModelNames: ['hris_locations'],
    fields: { remote_id: text, name: text, address: json, type: text },
    lookupColumns: [],
  },
  {
    name: 'hris_legal_entities',
    category: 'HRIS',
    path: '/hris/legal-entities',
    changedModelNames: ['hris_legal_entities'],
    fields: { remote_id: text, name: text, address: json },
    lookupColumns: [],
  },
  {
    name: 'hris_absence_types',
    category: 'HRIS',
    path: '/hris/absence-types',
    changedModelNames: ['hris_absence_types'],
    fields: {
      remote_id: text,
      name: text,
      unit: text,
      half_days_supported: bool,
      exact_times_supported: bool,
    },
    lookupColumns: [],
  },
  {
    name: 'hris_absences',
    category: 'HRIS',
    path: '/hris/absences',
    changedModelNames: ['hris_absences', 'hris_absence_types'],
    fields: {
      remote_id: text,
      employee_id: requiredText,
      approver_id: text,
      start_date: text,
      end_date: text,
      start_half_day: bool,
      end_half_day: bool,
      start_time: text,
      end_time: text,
      amount: num,
      unit: text,
      status: text,
      employee_note: text,
      type_id: text,
      remote_created_at: timestamp,
      remote_updated_at: timestamp,
      type: json,
    },
    lookupColumns: ['employee_id'],
    embeds: ['hris_absence_types'],
  },
  {
    name: 'hris_time_off_balances',
    category: 'HRIS',
    path: '/hris/time-off-balances',
    changedModelNames: ['hris_time_off_balances', 'hris_absence_types'],
    fields: {
      remote_id: text,
      employee_id: requiredText,
      type_id: requiredText,
      balance: num,
      balance_unit: text,
      used: num,
      used_unit: text,
      type: json,
    },
    lookupColumns: ['employee_id'],
    embeds: ['hris_absence_types'],
  },
  {
    name: 'ats_jobs',
    category: 'ATS',
    path: '/ats/jobs',
    changedModelNames: [
      'ats_jobs',
      'ats_job_postings',
      'ats_screening_questions',
      'ats_join_jobs_application_stages',
      'ats_join_jobs_screening_questions',
      'ats_join_jobs_users',
      'ats_join_user_job_role_assignments',
    ],
    fields: {
      remote_id: text,
      name: text,
      job_code: text,
      description: text,
      confidential: bool,
      weekly_hours: num,
      employment_type: text,
      status: text,
      visibility: text,
      category: text,
      department: text,
      post_url: text,
      experience_level: text,
      remote_work_status: text,
      salary_amount: num,
      salary_amount_from: num,
      salary_amount_to: num,
      salary_currency: text,
      salary_period: text,
      location: json,
      custom_fields: json,
      integration_fields: json,
      remote_url: text,
      opened_at: timestamp,
      closed_at: timestamp,
      remote_created_at: timestamp,
      remote_updated_at: timestamp,
      contact_id: text,
      stages: json,
      screening_questions: json,
      job_postings: json,
      hiring_team: json,
    },
    lookupColumns: ['status'],
    embeds: ['ats_application_stages', 'ats_users'],
  },
  {
    name: 'ats_candidates',
    category: 'ATS',
    path: '/ats/candidates',
    changedModelNames: ['ats_candidates', 'ats_join_candidates_tags', 'ats_applications'],
    fields: {
      remote_id: text,
      first_name: text,
      last_name: text,
      company: text,
      title: text,
      confidential: bool,
      source: text,
      phone_numbers: json,
      email_addresses: json,
      social_media: json,
      location: json,
      custom_fields: json,
      integration_fields: json,
      remote_url: text,
      remote_created_at: timestamp,
      remote_updated_at: timestamp,
      applications: json,
      tags: json,
    },
    lookupColumns: [],
    embeds: ['ats_applications', 'ats_tags'],
  },
  {
    name: 'ats_applications',
    category: 'ATS',
    path: '/ats/applications',
    changedModelNames: [
      'ats_applications',
      'ats_candidates',
      'ats_application_stages',
      'ats_interviews',
      'ats_offers',
    ],
    fields: {
      remote_id: text,
      outcome: text,
      rejection_reason_name: text,
      rejected_at: timestamp,
      current_stage_id: text,
      job_id: text,
      candidate_id: text,
      screening_question_answers: json,
      custom_fields: json,
      integration_fields: json,
      remote_url: text,
      remote_created_at: timestamp,
      remote_updated_at: timestamp,
      candidate: json,
      current_stage: json,
      job: json,
      interviews: json,
      offers: json,
    },
    lookupColumns: ['candidate_id', 'job_id'],
    embeds: ['ats_candidates', 'ats_application_stages', 'ats_jobs', 'ats_interviews', 'ats_offers'],
  },
  {
    name: 'ats_application_stages',
    category: 'ATS',
    path: '/ats/application-stages',
    changedModelNames: ['ats_application_stages'],
    fields: { remote_id: text, name: text },
    lookupColumns: [],
  },
  {
    name: 'ats_users',
    category: 'ATS',
    path: '/ats/users',
    changedModelNames: ['ats_users', 'ats_join_users_roles', 'ats_roles'],
    fields: {
      remote_id: text,
      first_name: text,
      last_name: text,
      email: text,
      status: text,
      system_roles: json,
    },
    lookupColumns: ['email'],
  },
  {
    name: 'ats_tags',
    category: 'ATS',
    path: '/ats/tags',
    changedModelNames: ['ats_tags'],
    fields: { remote_id: text, name: text },
    lookupColumns: [],
  },
  {
    name: 'ats_interviews',
    category: 'ATS',
    path: '/ats/interviews',
    changedModelNames: ['ats_interviews', 'ats_join_interviews_users', 'ats_applications'],
    fields: {
      remote_id: text,
      title: text,
      starting_at: timestamp,
      ending_at: timestamp,
      location: json,
      video_conferencing_url: text,
      application_id: text,
      stage_id: text,
      canceled: bool,
      remote_created_at: timestamp,
      remote_updated_at: timestamp,
      users: json,
      application: json,
    },
    lookupColumns: ['application_id'],
    embeds: ['ats_users', 'ats_applications'],
  },
  {
    name: 'ats_offers',
    category: 'ATS',
    path: '/ats/offers',
    changedModelNames: ['ats_offers', 'ats_applications'],
    fields: {
      remote_id: text,
      status: text,
      employment_start_date: timestamp,
      application_id: text,
      custom_fields: json,
      integration_fields: json,
      remote_created_at: timestamp,
      remote_updated_at: timestamp,
      application: json,
    },
    lookupColumns: ['application_id'],
    embeds: ['ats_applications'],
  },
  {
    name: 'ats_rejection_reasons',
    category: 'ATS',
    path: '/ats/rejection-reasons',
    changedModelNames: ['ats_rejection_reasons'],
    fields: { remote_id: text, name: text },
    lookupColumns: [],
  },
  // Appended after the first 17 models: the sandbox derives its ids from catalog positions, so existing ids stay.
  {
    name: 'hris_timesheets',
    category: 'HRIS',
    path: '/hris/timesheets',
    changedModelNames: ['hris_timesheets'],
    fields: {
      remote_id: text,
      employee_id: requiredText,
      started_at: timestamp,
      ended_at: timestamp,
      timezone: text,
      payable_hours: num,
      unpaid_break_minutes: num,
      breaks: json,
      approval_status: text,
      approved_at: timestamp,
      comment: text,
      custom_fields: json,
      integration_fields: json,
    },
    lookupColumns: ['employee_id'],
  },
  {
    name: 'hris_performance_review_cycles',
    category: 'HRIS',
    path: '/hris/performance-review-cycles',
    changedModelNames: ['hris_performance_review_cycles'],
    fields: { remote_id: text, name: text, review_period_start_date: timestamp },
    lookupColumns: [],
  },
  {
    name: 'hris_performance_reviews',
    category: 'HRIS',
    path: '/hris/performance-reviews',
    // updated_after follows review_cycle, reviewee and reviewer (linked records).
    changedModelNames: ['hris_performance_reviews', 'hris_performance_review_cycles', 'hris_employees'],
    fields: {
      remote_id: text,
      type: text,
      summary_comment: text,
      summary_rating: json,
      reviewee: json,
      reviewer: json,
      review_cycle: json,
    },
    lookupColumns: [],
    embeds: ['hris_employees', 'hris_performance_review_cycles'],
  },
  {
    name: 'hris_staffing_entities',
    category: 'HRIS',
    path: '/hris/staffing-entities',
    // updated_after follows locations, legal_entities, groups and skills (added/removed and linked records).
    changedModelNames: [
      'hris_staffing_entities',
      'hris_join_staffing_entities_locations',
      'hris_join_staffing_entities_legal_entities',
      'hris_join_staffing_entities_groups',
      'hris_join_staffing_entities_skills',
      'hris_locations',
      'hris_legal_entities',
      'hris_teams',
      'hris_skills',
    ],
    fields: {
      remote_id: text,
      name: text,
      model_type: text,
      description: text,
      status: text,
      employment_types: json,
      number_of_openings: num,
      parent_id: text,
      remote_url: text,
      remote_created_at: timestamp,
      remote_updated_at: timestamp,
      custom_fields: json,
      integration_fields: json,
      locations: json,
      legal_entities: json,
      groups: json,
    },
    lookupColumns: ['parent_id'],
    embeds: ['hris_locations', 'hris_legal_entities', 'hris_groups'],
  },
  {
    name: 'hris_employee_document_categories',
    category: 'HRIS',
    path: '/hris/employee-document-categories',
    changedModelNames: ['hris_employee_document_categories'],
    fields: { remote_id: text, name: text },
    lookupColumns: [],
  },
  {
    name: 'hris_skills',
    category: 'HRIS',
    path: '/hris/skills',
    // Not in the spec's changed_models enum (closed beta); Kombo's TypeScript SDK lists hris_skills.
    changedModelNames: ['hris_skills'],
    fields: { remote_id: text, name: text, description: text, ordered_levels: json },
    lookupColumns: [],
    paging: 'none',
  },
  {
    name: 'hris_employee_skill_assignments',
    category: 'HRIS',
    path: '/hris/employee-skill-assignments',
    // Not in the spec's enum; the SDK's hris_employee_skill_proficiency_ratings is the nearest name (inferred).
    changedModelNames: [
      'hris_employee_skill_assignments',
      'hris_employee_skill_proficiency_ratings',
      'hris_skills',
    ],
    fields: { employee_id: requiredText, skill_id: requiredText, current_level: text },
    lookupColumns: ['employee_id'],
    paging: 'none',
    hasChangeStamps: false,
  },
  {
    name: 'ats_roles',
    category: 'ATS',
    path: '/ats/roles',
    changedModelNames: ['ats_roles'],
    fields: { remote_id: text, remote_label: text, scope: text, unified_type: text },
    lookupColumns: [],
  },
  {
    name: 'lms_users',
    category: 'LMS',
    path: '/lms/users',
    changedModelNames: ['lms_users'],
    fields: {
      remote_id: text,
      first_name: text,
      last_name: text,
      work_email: text,
      status: text,
      remote_created_at: timestamp,
      custom_fields: json,
      integration_fields: json,
    },
    lookupColumns: ['work_email'],
  },
  {
    name: 'lms_courses',
    category: 'LMS',
    path: '/lms/courses',
    // updated_after follows `revisions` (added/removed and linked records), not `provider` nor a revision's skill
    // assignments: a provider or a revision's skills changed is mapped here, but only a full sync may see it.
    changedModelNames: [
      'lms_courses',
      'lms_course_revisions',
      'lms_course_providers',
      'lms_join_revisions_skills',
    ],
    fields: {
      remote_id: text,
      provider_id: text,
      origin_id: text,
      remote_created_at: timestamp,
      custom_fields: json,
      integration_fields: json,
      provider: json,
      revisions: json,
    },
    lookupColumns: ['provider_id'],
    embeds: ['lms_skills'],
  },
  {
    name: 'lms_course_progressions',
    category: 'LMS',
    path: '/lms/course-progressions',
    // updated_after follows neither `user` nor `course_revision` (UNTRACKED_EMBEDS).
    changedModelNames: ['lms_course_progressions'],
    fields: {
      remote_id: text,
      user_id: requiredText,
      course_revision_id: requiredText,
      status: text,
      enrolled_at: timestamp,
      completed_at: timestamp,
      user: json,
      course_revision: json,
    },
    lookupColumns: ['user_id', 'course_revision_id'],
    embeds: ['lms_users', 'lms_courses'],
  },
  {
    name: 'lms_skills',
    category: 'LMS',
    path: '/lms/skills',
    changedModelNames: ['lms_skills'],
    fields: {
      remote_id: text,
      name: text,
      remote_created_at: timestamp,
      custom_fields: json,
      integration_fields: json,
    },
    lookupColumns: [],
  },
] as const satisfies readonly ModelSpec[];

/** A synced model's name, e.g. `hris_employees`. */
export type ModelName = (typeof MODELS)[number]['name'];

/**
 * List endpoints of the spec that are deliberately not catalog models, with the reason. Together with the
 * catalog's paths they cover every GET endpoint of Kombo's spec that answers with a list envelope (a test
 * enumerates the spec), so a new endpoint cannot go unnoticed.
 */
export const UNSYNCED_LIST_ENDPOINTS: Readonly<Record<string, string>> = {
  '/hris/teams':
    'deprecated alias of /hris/groups: the spec says it returns the same data (same ids), so it is synced once, as hris_groups',
  '/ats/applications/{application_id}/attachments':
    'per-record attachment files, not a model; reading them is a Kombo action (counts against the concurrency limit)',
  '/ats/candidates/{candidate_id}/attachments':
    'per-record attachment files, not a model; reading them is a Kombo action (counts against the concurrency limit)',
  '/integrations/{integration_id}/integration-fields': 'integration configuration, not HR data',
  '/integrations/{integration_id}/custom-fields': 'integration configuration, not HR data',
  '/custom/datev/available-documents': 'a DATEV-specific custom endpoint, not a unified model',
};

/** Path prefixes of the spec's categories kombo-sync does not mirror (it mirrors HRIS, ATS and LMS). */
export const UNSYNCED_CATEGORY_PREFIXES: Readonly<Record<string, string>> = {
  '/assessment/': 'assessment integrations are not mirrored',
  '/ai-apply/': 'AI Apply is not mirrored',
};

/**
 * `changed_models` names of Kombo's spec that map to no synced model, with the reason. Every name of the spec's
 * enum is either in some model's `changedModelNames` or here (a test checks it against the spec). None today.
 */
export const IGNORED_CHANGED_MODEL_NAMES: Readonly<Record<string, string>> = {};
