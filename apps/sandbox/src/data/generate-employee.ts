import type { IntegrationState, ModelStore } from './store.js';
import { BASE_TIME_MS } from './store.js';
import {
  address,
  dayIso,
  integrationFields,
  iso,
  newRngs,
  pad,
  stamps,
  type Generator,
  type JsonRecord,
} from './common.js';
import {
  bankAccount,
  EMPLOYEE_CONST,
  employeeIdentity,
  groupIndices,
  managerIndex,
} from './generate-hris.js';
import { JOB_TITLES } from './words.js';
import type { Rng } from './random.js';

const { GENDERS, STATUSES, EMPLOYMENT_TYPES } = EMPLOYEE_CONST;

/** The first draws of an employee's mutable randomness, shared by the record and its manager summary. */
function mutableCore(revRng: Rng, startMs: number): { status: string; terminationDate: string | null } {
  const status = revRng.pick(STATUSES);
  return { status, terminationDate: status === 'INACTIVE' ? dayIso(startMs, -400) : null };
}

/** What other employees embed as `manager`. */
export function managerSummary(state: IntegrationState, store: ModelStore, index: number): JsonRecord {
  const overlay = store.overlays.get(index);
  const [rng, revRng] = newRngs(store, index, overlay?.rev ?? 0);
  const person = employeeIdentity({ rng, index });
  const startMs = BASE_TIME_MS - rng.int(30, 3000) * 86_400_000;
  const core = mutableCore(revRng, startMs);
  return {
    first_name: person.first,
    last_name: person.last,
    display_full_name: `${person.first} ${person.last}`,
    id: store.codec.encode(index),
    employee_number: pad(index + 1, 6),
    work_email: person.email,
    remote_id: String(100_000 + index),
    employment_status: core.status,
    termination_date: core.terminationDate,
  };
}

const withoutType = ({ type: _type, ...rest }: JsonRecord): JsonRecord => rest;
const isLive = (record: JsonRecord | undefined): record is JsonRecord =>
  record !== undefined && record.remote_deleted_at === null;

/** The records an employee embeds or links: its location, legal entity, groups, employments and balances. */
function employeeRelations(input: Parameters<Generator>[0]) {
  const { state, index, lookup, overlay } = input;
  const groupStore = state.store('hris_groups');
  const locationIndex = index % (state.store('hris_locations')?.baseSize ?? 1);
  const legalEntityIndex = index % (state.store('hris_legal_entities')?.baseSize ?? 1);
  const location = lookup('hris_locations', locationIndex);
  const legalEntity = lookup('hris_legal_entities', legalEntityIndex);
  const memberOf = groupStore
    ? groupIndices(index, overlay?.joinRev ?? 0, Math.max(1, groupStore.baseSize))
    : [];
  const groupRefs = memberOf
    .map((g) => lookup('hris_groups', g))
    .filter(isLive)
    .map((g) => ({ id: g.id, remote_id: g.remote_id, name: g.name, type: g.type }));
  const employmentList = state
    .childIndices('hris_employments', index)
    .map((e) => lookup('hris_employments', e))
    .filter(isLive);
  const balances = state
    .childIndices('hris_time_off_balances', index)
    .map((b) => lookup('hris_time_off_balances', b))
    .filter(isLive)
    .map(withoutType);
  return { location, legalEntity, groupRefs, employmentList, balances };
}

export const employees: Generator = (input) => {
  const { state, store, index, rng, revRng } = input;
  const person = employeeIdentity(input);
  const startMs = BASE_TIME_MS - rng.int(30, 3000) * 86_400_000;
  const core = mutableCore(revRng, startMs);
  const name = `${person.first} ${person.last}`;
  const managerAt = managerIndex(index);
  const { location, legalEntity, groupRefs, employmentList, balances } = employeeRelations(input);
  const jobTitle = revRng.pick(JOB_TITLES);
  return {
    id: store.codec.encode(index),
    remote_id: String(100_000 + index),
    employee_number: pad(index + 1, 6),
    first_name: person.first,
    last_name: person.last,
    nationality: rng.pick(['German', 'French', 'Dutch', 'Spanish', 'Polish', 'Italian']),
    display_full_name: name,
    job_title: jobTitle,
    work_email: person.email,
    personal_email: person.email.replace('@acme-corp.com', '@example.org'),
    mobile_phone_number: `+49 15${revRng.int(1, 9)} ${pad(revRng.int(0, 99_999_999), 8)}`,
    ssn: `${pad(rng.int(10, 99), 2)} ${pad(rng.int(0, 999_999), 6)} ${String.fromCharCode(65 + rng.int(0, 25))} ${pad(rng.int(0, 999), 3)}`,
    tax_id: pad(rng.int(0, 99_999_999_999), 11),
    gender: rng.pick(GENDERS),
    ethnicity: null,
    marital_status: rng.pick(['SINGLE', 'MARRIED', 'DIVORCED', 'NOT_MARRIED']),
    employment_status: core.status,
    employment_type: revRng.pick(EMPLOYMENT_TYPES),
    weekly_hours: revRng.pick([40, 40, 40, 32, 30, 20]),
    avatar: `https://avatars.example.com/${store.codec.encode(index)}.png`,
    work_location_id: (location?.id as string | undefined) ?? null,
    legal_entity_id: (legalEntity?.id as string | undefined) ?? null,
    manager_id: managerAt === null ? null : store.codec.encode(managerAt),
    home_address: address(revRng),
    bank_accounts: [bankAccount(input, name)],
    date_of_birth: dayIso(BASE_TIME_MS, rng.int(20 * 365, 60 * 365)),
    start_date: dayIso(startMs, 0),
    termination_date: core.terminationDate,
    remote_created_at: iso(startMs - rng.int(5, 60) * 86_400_000),
    ...stamps(input),
    custom_fields: { t_shirt_size: rng.pick(['S', 'M', 'L', 'XL']), badge_number: `B-${pad(index + 1, 7)}` },
    integration_fields: integrationFields(rng, ['preferred_name', 'cost_center']),
    remote_data: null,
    employments: employmentList,
    time_off_balances: balances,
    manager: managerAt === null ? null : managerSummary(state, store, managerAt),
    groups: groupRefs,
    legal_entity: legalEntity
      ? {
          id: legalEntity.id,
          remote_id: legalEntity.remote_id,
          name: legalEntity.name,
          address: legalEntity.address,
        }
      : null,
    teams: groupRefs,
    work_location: location ?? null,
  };
};
