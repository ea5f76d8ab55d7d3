import { BASE_TIME_MS, type IntegrationState } from './store.js';
import {
  address,
  integrationFields,
  iso,
  newRngs,
  stamps,
  type Generator,
  type JsonRecord,
  type Lookup,
} from './common.js';
import { isLive, jobIndexOf, stageIndexOf, tagIndices } from './generate-ats.js';
import { FIRST_NAMES, LAST_NAMES, REJECTION_REASONS } from './words.js';

const BASE_URL = 'https://acme.ats.example.com';
const DAY_MS = 86_400_000;

/** What other records embed of a candidate (never its applications, so nesting cannot recurse). */
export function candidateSummary(state: IntegrationState, lookup: Lookup, index: number): JsonRecord | null {
  const store = state.store('ats_candidates');
  if (!store || index >= store.size) return null;
  const overlay = store.overlays.get(index);
  const [rng] = newRngs(store, index, overlay?.rev ?? 0);
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  return {
    id: store.codec.encode(index),
    remote_id: `cand-${index + 1}`,
    first_name: first,
    last_name: last,
    email_addresses: [
      {
        email_address: `${first.toLowerCase()}.${last.toLowerCase()}.${index + 1}@mail.example.com`,
        type: 'PERSONAL',
      },
    ],
    source: null,
    remote_url: `${BASE_URL}/candidates/${index + 1}`,
    tags: tagIndices(index, overlay?.joinRev ?? 0, state.store('ats_tags')?.baseSize ?? 0)
      .map((t) => lookup('ats_tags', t))
      .filter(isLive)
      .map((t) => ({ id: t.id, remote_id: t.remote_id, name: t.name })),
  };
}

interface ApplicationCore {
  id: string;
  remote_id: string;
  outcome: string;
  rejection_reason_name: string | null;
  candidateIndex: number;
  jobIndex: number;
  stageIndex: number;
  createdMs: number;
}

/** The identity and status of an application, drawn in the same order as the full record. */
export function applicationCore(state: IntegrationState, index: number): ApplicationCore | null {
  const store = state.store('ats_applications');
  if (!store || index >= store.size) return null;
  const rev = store.overlays.get(index)?.rev ?? 0;
  const [rng, revRng] = newRngs(store, index, rev);
  const createdMs = BASE_TIME_MS - rng.int(1, 400) * DAY_MS;
  const outcome = revRng.pick(['PENDING', 'PENDING', 'PENDING', 'DECLINED', 'HIRED'] as const);
  return {
    id: store.codec.encode(index),
    remote_id: `app-${index + 1}`,
    outcome,
    rejection_reason_name: outcome === 'DECLINED' ? revRng.pick(REJECTION_REASONS) : null,
    candidateIndex: state.parentIndex('ats_applications', index),
    jobIndex: jobIndexOf(state, index),
    stageIndex: stageIndexOf(state, index, rev),
    createdMs,
  };
}

const jobRef = (job: JsonRecord | undefined): JsonRecord | null =>
  job ? { id: job.id, remote_id: job.remote_id, name: job.name } : null;

export const applications: Generator = (input) => {
  const { state, index, lookup } = input;
  const core = applicationCore(state, index)!;
  const stage = lookup('ats_application_stages', core.stageIndex);
  const job = lookup('ats_jobs', core.jobIndex);
  const interviews = state
    .childIndices('ats_interviews', index)
    .map((i) => lookup('ats_interviews', i))
    .filter(isLive)
    .map((i) => ({
      id: i.id,
      remote_id: i.remote_id,
      title: i.title,
      starting_at: i.starting_at,
      ending_at: i.ending_at,
      location: i.location,
      canceled: i.canceled,
    }));
  const offers = state
    .childIndices('ats_offers', index)
    .map((o) => lookup('ats_offers', o))
    .filter(isLive)
    .map((o) => ({ id: o.id, remote_id: o.remote_id, status: o.status }));
  return {
    id: core.id,
    remote_id: core.remote_id,
    outcome: core.outcome,
    rejection_reason_name: core.rejection_reason_name,
    rejected_at: core.outcome === 'DECLINED' ? iso(core.createdMs + 14 * DAY_MS) : null,
    current_stage_id: (stage?.id as string | undefined) ?? null,
    job_id: (job?.id as string | undefined) ?? null,
    candidate_id: state.store('ats_candidates')!.codec.encode(core.candidateIndex),
    screening_question_answers: [
      {
        question: { remote_id: `sq-${core.jobIndex}-1`, title: 'Why do you want to join us?', type: 'TEXT' },
        answer: { content: 'I like the mission.' },
      },
      {
        question: { remote_id: `sq-${core.jobIndex}-2`, title: 'Do you need a visa?', type: 'BOOLEAN' },
        answer: { checked: index % 4 === 0 },
      },
    ],
    custom_fields: { referral: index % 5 === 0 },
    integration_fields: integrationFields(input.rng, ['source_detail']),
    remote_url: `${BASE_URL}/applications/${index + 1}`,
    ...stamps(input),
    remote_created_at: iso(core.createdMs),
    remote_updated_at: iso(core.createdMs + 2 * DAY_MS),
    remote_data: null,
    candidate: candidateSummary(state, lookup, core.candidateIndex),
    current_stage: stage
      ? { id: stage.id, remote_id: stage.remote_id, name: stage.name, index: core.stageIndex }
      : null,
    job: jobRef(job),
    interviews,
    offers,
  };
};

function applicationSummary(state: IntegrationState, lookup: Lookup, index: number): JsonRecord | null {
  const core = applicationCore(state, index);
  if (!core) return null;
  const candidate = candidateSummary(state, lookup, core.candidateIndex);
  return {
    id: core.id,
    remote_id: core.remote_id,
    outcome: core.outcome,
    rejection_reason_name: core.rejection_reason_name,
    candidate: candidate && {
      id: candidate.id,
      remote_id: candidate.remote_id,
      first_name: candidate.first_name,
      last_name: candidate.last_name,
      email_addresses: candidate.email_addresses,
    },
    job: jobRef(lookup('ats_jobs', core.jobIndex)),
  };
}

export const interviews: Generator = (input) => {
  const { state, index, rng, revRng, lookup } = input;
  const applicationIndex = state.parentIndex('ats_interviews', index);
  const start = BASE_TIME_MS - rng.int(-30, 300) * DAY_MS + rng.int(8, 16) * 3_600_000;
  const userCount = Math.max(1, state.store('ats_users')?.baseSize ?? 1);
  const core = applicationCore(state, applicationIndex);
  return {
    id: input.store.codec.encode(index),
    remote_id: `int-${index + 1}`,
    title: rng.pick(['Phone screen', 'Technical interview', 'Culture interview', 'Final interview']),
    starting_at: iso(start),
    ending_at: iso(start + 3_600_000),
    location: rng.chance(0.5) ? address(rng) : null,
    video_conferencing_url: `https://meet.example.com/${input.store.codec.encode(index)}`,
    application_id: core?.id ?? null,
    stage_id: core ? state.store('ats_application_stages')!.codec.encode(core.stageIndex) : null,
    canceled: revRng.chance(0.1),
    remote_created_at: iso(start - 7 * DAY_MS),
    remote_updated_at: iso(start - 6 * DAY_MS),
    remote_data: null,
    ...stamps(input),
    users: [lookup('ats_users', index % userCount)].filter(isLive).map((u) => ({
      id: u.id,
      remote_id: u.remote_id,
      first_name: u.first_name,
      last_name: u.last_name,
      email: u.email,
    })),
    application: applicationSummary(state, lookup, applicationIndex),
  };
};

export const offers: Generator = (input) => {
  const { state, index, rng, revRng, lookup } = input;
  const applicationIndex = state.parentIndex('ats_offers', index);
  const created = BASE_TIME_MS - rng.int(1, 200) * DAY_MS;
  const summary = applicationSummary(state, lookup, applicationIndex);
  return {
    id: input.store.codec.encode(index),
    remote_id: `offer-${index + 1}`,
    status: revRng.pick(['DRAFT', 'SENT', 'ACCEPTED', 'DECLINED', 'APPROVED'] as const),
    employment_start_date: iso(created + 45 * DAY_MS),
    application_id: (summary?.id as string | undefined) ?? null,
    custom_fields: { signing_bonus: revRng.int(0, 5) * 1000 },
    integration_fields: integrationFields(rng, ['offer_letter']),
    ...stamps(input),
    remote_created_at: iso(created),
    remote_updated_at: iso(created + DAY_MS),
    remote_data: null,
    application: summary && { candidate: summary.candidate, job: summary.job },
  };
};
