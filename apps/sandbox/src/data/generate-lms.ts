import { BASE_TIME_MS, type IntegrationState } from './store.js';
import { integrationFields, iso, slug, stamps, type Generator, type JsonRecord } from './common.js';
import { FIRST_NAMES, LAST_NAMES } from './words.js';

/** LMS users, courses (with their revisions and skill assignments), course progressions and skills. */

const DAY_MS = 86_400_000;
const DOMAIN = 'acme-learning.com';
const COURSE_TOPICS = [
  'Data protection basics',
  'Leading remote teams',
  'Workplace safety',
  'Negotiation skills',
  'Onboarding essentials',
  'Advanced SQL',
  'Giving feedback',
  'Anti-bribery compliance',
];
const LMS_SKILLS = [
  'Compliance',
  'Leadership',
  'Communication',
  'SQL',
  'Safety',
  'Sales',
  'Privacy',
  'Coaching',
];
const PROVIDERS = ['LinkedIn Learning', 'Coursera', 'In-house academy'];
const PROGRESSION_STATUSES = ['ENROLLED', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED', 'DROPPED'] as const;

const baseOf = (state: IntegrationState, model: Parameters<IntegrationState['store']>[0]): number =>
  Math.max(1, state.store(model)?.baseSize ?? 1);

/** The course whose first revision progression `index` follows (also what a course's change makes stale). */
export const courseIndexOf = (state: IntegrationState, progression: number): number =>
  (progression * 7) % baseOf(state, 'lms_courses');

/** Id of a course's revision `k`: a course has one or two, listed inside it. */
const revisionId = (courseId: string, k: number): string =>
  `${courseId.slice(0, 20)}rv${k}${courseId.slice(20)}`;

export const lmsUsers: Generator = (input) => {
  const { index, rng, revRng } = input;
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const status = revRng.pick(['ACTIVE', 'ACTIVE', 'ACTIVE', 'INACTIVE']);
  return {
    id: input.store.codec.encode(index),
    remote_id: `learner-${index + 1}`,
    first_name: first,
    // An update renames (a marriage, a typo fixed): progressions copy the name, and Kombo does not re-date them.
    last_name: input.overlay?.rev ? revRng.pick(LAST_NAMES) : last,
    work_email: `${slug(first)}.${slug(last)}.${index + 1}@${DOMAIN}`,
    status,
    remote_created_at: iso(BASE_TIME_MS - rng.int(30, 900) * DAY_MS),
    ...stamps(input),
    remote_data: null,
    custom_fields: { department_code: `D-${rng.int(10, 99)}` },
    integration_fields: [],
  };
};

export const lmsSkills: Generator = (input) => ({
  id: input.store.codec.encode(input.index),
  remote_id: `lskill-${input.index + 1}`,
  name:
    LMS_SKILLS[input.index % LMS_SKILLS.length]! +
    (input.index >= LMS_SKILLS.length ? ` ${input.index}` : '') +
    (input.overlay?.rev ? ` v${input.overlay.rev}` : ''),
  remote_created_at: iso(BASE_TIME_MS - 400 * DAY_MS),
  ...stamps(input),
  remote_data: null,
  custom_fields: null,
  integration_fields: [],
});

/**
 * A course and its revisions. A change of a revision (`lms_course_revisions`) is the course's `joinRev`: it moves the
 * course's `updated_after` (Kombo follows revisions) and the revision's own `changed_at`, not the course's.
 */
export const lmsCourses: Generator = (input) => {
  const { index, state, rng, revRng, lookup, overlay } = input;
  const id = input.store.codec.encode(index);
  const created = BASE_TIME_MS - rng.int(60, 900) * DAY_MS;
  const topic = COURSE_TOPICS[index % COURSE_TOPICS.length]!;
  const providerIndex = index % PROVIDERS.length;
  const skillCount = baseOf(state, 'lms_skills');
  const { remote_deleted_at } = stamps(input);
  const revisionChangedAt = overlay?.joinRev ? overlay.touchedAtMs : created + DAY_MS;
  const revisions = Array.from({ length: 1 + (index % 2) }, (_, k) => {
    const skill = lookup('lms_skills', (index + k * 3) % skillCount);
    return {
      id: revisionId(id, k),
      remote_id: `course-${index + 1}-rev-${k + 1}`,
      course_id: id,
      title: `${topic}${k > 0 ? ' (2nd edition)' : ''}${overlay?.joinRev ? ` r${overlay.joinRev}` : ''}`,
      description: null,
      remote_url: `https://acme.lms.example.com/courses/${index + 1}/revisions/${k + 1}`,
      status: k === 0 ? 'ACTIVE' : 'INACTIVE',
      remote_created_at: iso(created + k * DAY_MS),
      remote_deleted_at,
      changed_at: iso(revisionChangedAt),
      remote_data: null,
      custom_fields: null,
      integration_fields: [],
      skill_assignments: skill
        ? [{ skill: { id: skill.id, remote_id: skill.remote_id, name: skill.name } }]
        : [],
    };
  });
  return {
    id,
    remote_id: `course-${index + 1}`,
    provider_id: `prov-${providerIndex + 1}`,
    origin_id: null,
    remote_created_at: iso(created),
    ...stamps(input),
    remote_data: null,
    custom_fields: { catalog_category: revRng.pick(['Mandatory', 'Optional', 'Recommended']) },
    integration_fields: integrationFields(rng, ['duration_minutes']),
    provider: {
      id: `prov-${providerIndex + 1}`,
      remote_id: `p${providerIndex + 1}`,
      name: PROVIDERS[providerIndex]!,
    },
    revisions,
  };
};

/** A progression copies its user and its course revision; Kombo's `updated_after` follows neither. */
export const lmsCourseProgressions: Generator = (input) => {
  const { index, state, rng, revRng, lookup } = input;
  const userIndex = state.parentIndex('lms_course_progressions', index);
  const user = lookup('lms_users', userIndex);
  const course = lookup('lms_courses', courseIndexOf(state, index));
  const revision = (course?.revisions as JsonRecord[] | undefined)?.[0];
  const users = state.store('lms_users')!;
  const enrolled = BASE_TIME_MS - rng.int(1, 300) * DAY_MS;
  const status = revRng.pick(PROGRESSION_STATUSES);
  return {
    id: input.store.codec.encode(index),
    remote_id: `progress-${index + 1}`,
    user_id: users.codec.encode(userIndex),
    course_revision_id: String(revision?.id ?? ''),
    status,
    enrolled_at: iso(enrolled),
    completed_at: status === 'COMPLETED' ? iso(enrolled + rng.int(1, 40) * DAY_MS) : null,
    ...stamps(input),
    remote_data: null,
    user: {
      id: users.codec.encode(userIndex),
      remote_id: String(user?.remote_id ?? ''),
      first_name: user?.first_name ?? null,
      last_name: user?.last_name ?? null,
      work_email: user?.work_email ?? null,
    },
    course_revision: {
      id: String(revision?.id ?? ''),
      remote_id: String(revision?.remote_id ?? ''),
      title: revision?.title ?? null,
      course: course ? { id: course.id, remote_id: course.remote_id } : null,
    },
  };
};
