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

export type KomboCategory = 'HRIS' | 'ATS';

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
}

const text: FieldSpec = { type: 'text' };
const requiredText: FieldSpec = { type: 'text', nullable: false };
const timestamp: FieldSpec = { type: 'timestamp' };
const num: FieldSpec = { type: 'number' };
const bool: FieldSpec = { type: 'boolean' };
const json: FieldSpec = { type: 'json' };

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
  },
  {
    name: 'ats_rejection_reasons',
    category: 'ATS',
    path: '/ats/rejection-reasons',
    changedModelNames: ['ats_rejection_reasons'],
    fields: { remote_id: text, name: text },
    lookupColumns: [],
  },
] as const satisfies readonly ModelSpec[];

/** A synced model's name, e.g. `hris_employees`. */
export type ModelName = (typeof MODELS)[number]['name'];
