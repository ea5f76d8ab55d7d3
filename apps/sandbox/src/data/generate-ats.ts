import { BASE_TIME_MS, type IntegrationState } from './store.js';
import {
  address,
  dayIso,
  integrationFields,
  iso,
  pad,
  slug,
  stamps,
  type Generator,
  type JsonRecord,
} from './common.js';
import {
  COMPANIES,
  DEPARTMENTS,
  FIRST_NAMES,
  JOB_TITLES,
  LAST_NAMES,
  REJECTION_REASONS,
  SOURCES,
  STAGES,
  TAGS,
} from './words.js';

const BASE_URL = 'https://acme.ats.example.com';
const DAY_MS = 86_400_000;

export const jobIndexOf = (state: IntegrationState, application: number): number =>
  (application * 13) % Math.max(1, state.store('ats_jobs')?.baseSize ?? 1);
export const stageIndexOf = (state: IntegrationState, application: number, rev: number): number =>
  (application + rev) % Math.max(1, state.store('ats_application_stages')?.baseSize ?? 1);
export function tagIndices(candidate: number, joinRev: number, tagCount: number): number[] {
  if (tagCount === 0 || (candidate + joinRev) % 3 === 0) return [];
  const first = (candidate + joinRev) % tagCount;
  const second = (candidate * 5 + joinRev * 2) % tagCount;
  return first === second ? [first] : [first, second];
}

function person(rng: { pick<T>(items: readonly T[]): T }, index: number, domain: string) {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  return { first, last, email: `${slug(first)}.${slug(last)}.${index + 1}@${domain}` };
}

const isLive = (record: JsonRecord | undefined): record is JsonRecord =>
  record !== undefined && record.remote_deleted_at === null;
const ref = (record: JsonRecord | undefined, ...keys: string[]): JsonRecord | null =>
  record ? Object.fromEntries(keys.map((key) => [key, record[key] ?? null])) : null;

const simple =
  (prefix: string, names: readonly string[]): Generator =>
  (input) => ({
    id: input.store.codec.encode(input.index),
    remote_id: `${prefix}-${input.index + 1}`,
    name: names[input.index % names.length]! + (input.overlay?.rev ? ` v${input.overlay.rev}` : ''),
    remote_data: null,
    ...stamps(input),
  });

export const applicationStages = simple('stage', STAGES);
export const tags = simple('tag', TAGS);
export const rejectionReasons: Generator = (input) => {
  const { remote_data, ...rest } = simple('rr', REJECTION_REASONS)(input);
  return { ...rest, remote_data };
};

const ROLES = [
  ['Recruiter', 'SYSTEM', 'RECRUITER'],
  ['Hiring Manager', 'SYSTEM', 'HIRING_MANAGER'],
  ['Admin', 'SYSTEM', 'ADMIN'],
  ['Interviewer', 'JOB', 'INTERVIEWER'],
  ['Coordinator', 'JOB', 'COORDINATOR'],
  ['Sourcer', 'JOB', 'SOURCER'],
] as const;

export const roles: Generator = (input) => {
  const [label, scope, unifiedType] = ROLES[input.index % ROLES.length]!;
  return {
    id: input.store.codec.encode(input.index),
    remote_id: `role-${input.index}`,
    remote_label: label + (input.overlay?.rev ? ` v${input.overlay.rev}` : ''),
    scope,
    unified_type: unifiedType,
    remote_data: null,
    ...stamps(input),
  };
};

export const users: Generator = (input) => {
  const p = person(input.rng, input.index, 'acme-corp.com');
  return {
    id: input.store.codec.encode(input.index),
    remote_id: `user-${input.index + 1}`,
    first_name: p.first,
    last_name: p.last,
    email: p.email,
    status: input.revRng.chance(0.9) ? 'ACTIVE' : 'INACTIVE',
    remote_data: null,
    ...stamps(input),
    system_roles: [
      {
        remote_id: `role-${input.index % 3}`,
        remote_label: ['Recruiter', 'Hiring Manager', 'Admin'][input.index % 3] ?? null,
        scope: 'SYSTEM',
        unified_type: (['RECRUITER', 'HIRING_MANAGER', 'ADMIN'] as const)[input.index % 3],
      },
    ],
  };
};

/** A job's stages: the live application stages, in order. */
function jobStages({ state, lookup }: Parameters<Generator>[0]) {
  const stages = state.store('ats_application_stages');
  return Array.from({ length: stages?.baseSize ?? 0 }, (_, s) => lookup('ats_application_stages', s))
    .filter(isLive)
    .map((stage, s) => ({
      id: stage.id,
      remote_id: stage.remote_id,
      name: stage.name,
      remote_data: null,
      index: s,
    }));
}

/** A job's two screening questions (a text and a yes/no one). */
function screeningQuestions(id: string, index: number) {
  return [
    {
      id: `${id.slice(0, 20)}sq01`,
      remote_id: `sq-${index}-1`,
      title: 'Why do you want to join us?',
      description: null,
      format: { type: 'TEXT', display_type: 'MULTI_LINE', max_length: 2000 },
      // The spec's category enum (EEO, DEMOGRAPHIC) does not admit null although it is typed nullable.
      category: 'DEMOGRAPHIC',
      index: 0,
      required: true,
      precondition_question_id: null,
      precondition_options: null,
    },
    {
      id: `${id.slice(0, 20)}sq02`,
      remote_id: `sq-${index}-2`,
      title: 'Do you need a visa?',
      description: null,
      format: { type: 'BOOLEAN' },
      category: 'DEMOGRAPHIC',
      index: 1,
      required: false,
      precondition_question_id: null,
      precondition_options: null,
    },
  ];
}

/** A job's one posting, active while the job is open. */
function jobPostings({
  id,
  index,
  title,
  status,
}: {
  id: string;
  index: number;
  title: string;
  status: string;
}) {
  return [
    {
      id: `${id.slice(0, 20)}jp01`,
      remote_id: `jp-${index}`,
      title,
      description_html: `<p>${title}</p>`,
      status: status === 'OPEN' ? 'ACTIVE' : 'INACTIVE',
      visibility: 'PUBLIC',
      url: `${BASE_URL}/postings/${index + 1}`,
      remote_data: null,
    },
  ];
}

/** A job's hiring team: one or two live users, the first its recruiter. */
function hiringTeam({ state, index, lookup }: Parameters<Generator>[0]) {
  const userStore = state.store('ats_users');
  const userCount = Math.max(1, userStore?.baseSize ?? 1);
  const team = [index % userCount, (index + 1) % userCount].filter((u, i, all) => all.indexOf(u) === i);
  return team
    .map((u) => lookup('ats_users', u))
    .filter(isLive)
    .map((u, i) => ({
      id: u.id,
      remote_id: u.remote_id,
      first_name: u.first_name,
      last_name: u.last_name,
      email: u.email,
      hiring_team_roles: [i === 0 ? 'RECRUITER' : 'HIRING_MANAGER'],
      job_roles: [],
    }));
}

export const jobs: Generator = (input) => {
  const { index, rng, revRng } = input;
  const title = rng.pick(JOB_TITLES);
  const opened = BASE_TIME_MS - rng.int(10, 700) * DAY_MS;
  const status = revRng.pick(['OPEN', 'OPEN', 'OPEN', 'CLOSED', 'DRAFT', 'ARCHIVED'] as const);
  const id = input.store.codec.encode(index);
  return {
    id,
    remote_id: `job-${index + 1}`,
    name: title,
    job_code: `JC-${pad(index + 1, 5)}`,
    description: `We are looking for a ${title} to join our ${DEPARTMENTS[index % DEPARTMENTS.length]} team.`,
    confidential: false,
    weekly_hours: 40,
    employment_type: rng.pick(['FULL_TIME', 'FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP'] as const),
    status,
    visibility: rng.pick(['PUBLIC', 'PUBLIC', 'INTERNAL'] as const),
    category: DEPARTMENTS[index % DEPARTMENTS.length],
    department: DEPARTMENTS[index % DEPARTMENTS.length],
    post_url: `${BASE_URL}/jobs/${index + 1}`,
    experience_level: rng.pick(['Junior', 'Mid', 'Senior', 'Lead']),
    remote_work_status: rng.pick(['REMOTE', 'HYBRID', 'ON_SITE'] as const),
    salary_amount: null,
    salary_amount_from: revRng.int(40, 80) * 1000,
    salary_amount_to: revRng.int(81, 140) * 1000,
    salary_currency: 'EUR',
    salary_period: 'YEAR',
    location: address(rng),
    custom_fields: { headcount_id: `HC-${pad(index + 1, 5)}` },
    integration_fields: integrationFields(rng, ['requisition_id']),
    remote_url: `${BASE_URL}/jobs/${index + 1}/edit`,
    opened_at: iso(opened),
    closed_at: status === 'CLOSED' || status === 'ARCHIVED' ? iso(opened + 60 * DAY_MS) : null,
    remote_created_at: iso(opened - 3 * DAY_MS),
    remote_updated_at: iso(opened),
    contact_id: null,
    remote_data: null,
    ...stamps(input),
    stages: jobStages(input),
    screening_questions: screeningQuestions(id, index),
    job_postings: jobPostings({ id, index, title, status }),
    hiring_team: hiringTeam(input),
  };
};

export function candidateCore(input: Parameters<Generator>[0]) {
  return person(input.rng, input.index, 'mail.example.com');
}

export const candidates: Generator = (input) => {
  const { state, index, rng, revRng, lookup, overlay } = input;
  const p = candidateCore(input);
  const created = BASE_TIME_MS - rng.int(1, 500) * DAY_MS;
  const tagStore = state.store('ats_tags');
  const apps = state
    .childIndices('ats_applications', index)
    .map((a) => lookup('ats_applications', a))
    .filter(isLive);
  return {
    id: input.store.codec.encode(index),
    remote_id: `cand-${index + 1}`,
    first_name: p.first,
    last_name: p.last,
    company: revRng.pick(COMPANIES),
    title: revRng.pick(JOB_TITLES),
    confidential: false,
    source: rng.pick(SOURCES),
    phone_numbers: [{ phone_number: `+49 170 ${pad(rng.int(0, 9_999_999), 7)}`, type: 'MOBILE' }],
    email_addresses: [{ email_address: p.email, type: 'PERSONAL' }],
    social_media: [
      { link: `https://linkedin.example.com/in/${slug(p.first)}-${index}`, type: 'LINKEDIN', username: null },
    ],
    location: address(revRng),
    custom_fields: { notice_period_weeks: rng.int(0, 12) },
    integration_fields: integrationFields(rng, ['gdpr_consent']),
    remote_url: `${BASE_URL}/candidates/${index + 1}`,
    remote_created_at: iso(created),
    remote_updated_at: iso(created + DAY_MS),
    remote_data: null,
    ...stamps(input),
    applications: apps.map((a) => ({
      id: a.id,
      remote_id: a.remote_id,
      outcome: a.outcome,
      rejection_reason_name: a.rejection_reason_name,
      rejected_at: a.rejected_at,
      remote_url: a.remote_url,
      changed_at: a.changed_at,
      remote_created_at: a.remote_created_at,
      remote_updated_at: a.remote_updated_at,
      current_stage: a.current_stage ? { ...(a.current_stage as JsonRecord) } : null,
      job: a.job,
    })),
    tags: tagIndices(index, overlay?.joinRev ?? 0, tagStore?.baseSize ?? 0)
      .map((t) => lookup('ats_tags', t))
      .filter(isLive)
      .map((t) => ({ id: t.id, name: t.name, remote_id: t.remote_id })),
  };
};

export { dayIso, ref, isLive };
