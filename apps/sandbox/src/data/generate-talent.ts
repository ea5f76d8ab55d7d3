import { BASE_TIME_MS, type IntegrationState } from './store.js';
import { integrationFields, iso, pad, stamps, type Generator, type JsonRecord } from './common.js';
import { managerSummary } from './generate-employee.js';
import { managerIndex } from './generate-hris.js';
import { DEPARTMENTS, JOB_TITLES } from './words.js';

/** Timesheets, performance reviews and their cycles, staffing entities, document categories, skills. */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const DOCUMENT_CATEGORIES = ['Contracts', 'Payslips', 'Certificates', 'Sick notes', 'Reviews', 'Other'];
const SKILLS = [
  'TypeScript',
  'SQL',
  'Negotiation',
  'Public speaking',
  'Accounting',
  'Project management',
  'German',
  'Spanish',
  'Data analysis',
  'Recruiting',
  'Customer support',
  'Design',
];
const LEVELS = ['Beginner', 'Intermediate', 'Advanced', 'Expert'];
const REVIEW_TYPES = ['MANAGER', 'SELF', 'PEER', 'DIRECT_REPORT'] as const;
const SE_STATUSES = ['OPEN_LIMITED', 'OPEN_UNLIMITED', 'PENDING', 'FROZEN', 'FILLED', 'CLOSED'] as const;
const SE_TYPES = ['POSITION', 'REQUISITION', 'JOB'] as const;

const baseOf = (state: IntegrationState, model: Parameters<IntegrationState['store']>[0]): number =>
  Math.max(1, state.store(model)?.baseSize ?? 1);

/** The cycle of review `index` (also what mutations of a cycle touch). */
export const cycleIndexOf = (state: IntegrationState, review: number): number =>
  review % baseOf(state, 'hris_performance_review_cycles');

/** The location, legal entity and group staffing entity `index` links (also what their mutations touch). */
export function staffingLinks(
  state: IntegrationState,
  index: number,
): { location: number; legalEntity: number; group: number } {
  return {
    location: index % baseOf(state, 'hris_locations'),
    legalEntity: index % baseOf(state, 'hris_legal_entities'),
    group: index % baseOf(state, 'hris_groups'),
  };
}

export const timesheets: Generator = (input) => {
  const { index, state, rng, revRng } = input;
  const employees = state.store('hris_employees')!;
  const employeeIndex = state.parentIndex('hris_timesheets', index);
  const day = BASE_TIME_MS - rng.int(1, 60) * DAY_MS;
  const started = day + rng.int(7, 10) * HOUR_MS;
  const hours = revRng.int(4, 9);
  const breakStart = started + 4 * HOUR_MS;
  const status = revRng.pick(['APPROVED', 'APPROVED', 'PENDING', 'REJECTED']);
  return {
    id: input.store.codec.encode(index),
    remote_id: `ts-${index + 1}`,
    employee_id: employees.codec.encode(employeeIndex),
    started_at: iso(started),
    ended_at: iso(started + hours * HOUR_MS + 30 * 60_000),
    timezone: '+01:00',
    payable_hours: hours,
    unpaid_break_minutes: 30,
    breaks: [{ started_at: iso(breakStart), ended_at: iso(breakStart + 30 * 60_000), paid: false }],
    approval_status: status,
    approved_at: status === 'APPROVED' ? iso(day + DAY_MS) : null,
    comment: rng.chance(0.2) ? 'Client visit' : null,
    custom_fields: null,
    integration_fields: integrationFields(rng, ['project_code']),
    ...stamps(input),
    remote_data: null,
  };
};

export const performanceReviewCycles: Generator = (input) => {
  const { index } = input;
  return {
    id: input.store.codec.encode(index),
    remote_id: `cycle-${index + 1}`,
    name: `${2024 - Math.floor(index / 2)} ${index % 2 === 0 ? 'H2' : 'H1'} review${input.overlay?.rev ? ` v${input.overlay.rev}` : ''}`,
    review_period_start_date: iso(Date.UTC(2024 - Math.floor(index / 2), index % 2 === 0 ? 6 : 0, 1)),
    ...stamps(input),
    remote_data: null,
  };
};

/** What a performance review embeds of an employee: identity fields and deletion state. */
function personRef(state: IntegrationState, index: number): JsonRecord {
  const store = state.store('hris_employees')!;
  const summary = managerSummary(state, store, index);
  const deletedAtMs = store.overlays.get(index)?.deletedAtMs;
  return {
    id: summary.id,
    remote_id: summary.remote_id,
    first_name: summary.first_name,
    last_name: summary.last_name,
    display_full_name: summary.display_full_name,
    work_email: summary.work_email,
    remote_deleted_at: deletedAtMs != null ? iso(deletedAtMs) : null,
  };
}

export const performanceReviews: Generator = (input) => {
  const { index, state, rng, revRng, lookup } = input;
  const reviewee = state.parentIndex('hris_performance_reviews', index);
  const reviewer = managerIndex(reviewee);
  const cycle = lookup('hris_performance_review_cycles', cycleIndexOf(state, index));
  const isNumeric = rng.chance(0.7);
  return {
    id: input.store.codec.encode(index),
    remote_id: `review-${index + 1}`,
    type: reviewer === null ? 'SELF' : rng.pick(REVIEW_TYPES),
    summary_comment: revRng.pick(['Strong year.', 'Meets expectations.', 'Great teamwork.', null]),
    summary_rating: isNumeric
      ? { type: 'NUMERIC', min: 1, max: 5, value: revRng.int(1, 5) }
      : { type: 'SINGLE_SELECT', ordered_options: LEVELS, value: revRng.pick(LEVELS) },
    ...stamps(input),
    remote_data: null,
    reviewee: personRef(state, reviewee),
    reviewer: reviewer === null ? null : personRef(state, reviewer),
    review_cycle: cycle
      ? {
          id: cycle.id,
          remote_id: cycle.remote_id,
          name: cycle.name,
          review_period_start_date: cycle.review_period_start_date,
          changed_at: cycle.changed_at,
          remote_deleted_at: cycle.remote_deleted_at,
          remote_data: null,
        }
      : null,
  };
};

export const staffingEntities: Generator = (input) => {
  const { index, state, rng, revRng, lookup } = input;
  const links = staffingLinks(state, index);
  const location = lookup('hris_locations', links.location);
  const legalEntity = lookup('hris_legal_entities', links.legalEntity);
  const group = lookup('hris_groups', links.group);
  const created = BASE_TIME_MS - rng.int(30, 900) * DAY_MS;
  const status = revRng.pick(SE_STATUSES);
  return {
    id: input.store.codec.encode(index),
    remote_id: `se-${index + 1}`,
    name: `${rng.pick(JOB_TITLES)} (${DEPARTMENTS[index % DEPARTMENTS.length]})`,
    model_type: SE_TYPES[index % SE_TYPES.length],
    description: null,
    status,
    employment_types: [{ remote_label: 'Full-time', unified_type: 'FULL_TIME' }],
    number_of_openings: status === 'OPEN_LIMITED' ? revRng.int(1, 5) : null,
    parent_id: index >= 3 ? input.store.codec.encode(index % 3) : null,
    remote_url: `https://acme.hris.example.com/positions/${index + 1}`,
    remote_created_at: iso(created),
    remote_updated_at: iso(created + DAY_MS),
    ...stamps(input),
    custom_fields: { budget_code: `BC-${pad(index + 1, 4)}` },
    integration_fields: [],
    remote_data: null,
    locations: location
      ? [{ id: location.id, remote_id: location.remote_id, name: location.name, type: location.type }]
      : [],
    legal_entities: legalEntity
      ? [{ id: legalEntity.id, remote_id: legalEntity.remote_id, name: legalEntity.name }]
      : [],
    groups: group ? [{ id: group.id, remote_id: group.remote_id, name: group.name, type: group.type }] : [],
  };
};

export const employeeDocumentCategories: Generator = (input) => ({
  id: input.store.codec.encode(input.index),
  remote_id: `doccat-${input.index + 1}`,
  name:
    DOCUMENT_CATEGORIES[input.index % DOCUMENT_CATEGORIES.length]! +
    (input.overlay?.rev ? ` v${input.overlay.rev}` : ''),
  remote_data: null,
  ...stamps(input),
});

export const skills: Generator = (input) => ({
  id: input.store.codec.encode(input.index),
  remote_id: `skill-${input.index + 1}`,
  name: SKILLS[input.index % SKILLS.length]! + (input.index >= SKILLS.length ? ` ${input.index}` : ''),
  description: input.overlay?.rev ? `Revised (${input.overlay.rev})` : null,
  ordered_levels: LEVELS,
  ...stamps(input),
  remote_data: null,
});

/** Employee skill assignments: Kombo's schema has no remote_id, changed_at or remote_deleted_at here. */
export const employeeSkillAssignments: Generator = (input) => {
  const { index, state, revRng } = input;
  const employees = state.store('hris_employees')!;
  const skillStore = state.store('hris_skills')!;
  const employeeIndex = state.parentIndex('hris_employee_skill_assignments', index);
  return {
    id: input.store.codec.encode(index),
    employee_id: employees.codec.encode(employeeIndex),
    skill_id: skillStore.codec.encode((index * 5) % Math.max(1, skillStore.baseSize)),
    current_level: revRng.pick(LEVELS),
  };
};
