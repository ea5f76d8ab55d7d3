import { BASE_TIME_MS } from './store.js';
import {
  address,
  dateOnly,
  dayIso,
  iso,
  pad,
  slug,
  stamps,
  type GenInput,
  type Generator,
  type JsonRecord,
} from './common.js';
import { ABSENCE_TYPES, BANKS, DEPARTMENTS, FIRST_NAMES, JOB_TITLES, LAST_NAMES } from './words.js';

const GENDERS = ['MALE', 'FEMALE', 'NON_BINARY', 'NOT_SPECIFIED'] as const;
const STATUSES = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'LEAVE', 'PENDING', 'INACTIVE'] as const;
const EMPLOYMENT_TYPES = [
  'FULL_TIME',
  'FULL_TIME',
  'FULL_TIME',
  'PART_TIME',
  'CONTRACT',
  'WORKING_STUDENT',
] as const;
const GROUP_TYPES = ['DEPARTMENT', 'TEAM', 'COST_CENTER'] as const;
const DOMAIN = 'acme-corp.com';

/** Index of the manager of employee `index` (a tree, 8 reports per manager), or null for the root. */
export const managerIndex = (index: number): number | null =>
  index === 0 ? null : Math.floor((index - 1) / 8);
/** Groups an employee is a member of, for a membership revision. */
export function groupIndices(index: number, joinRev: number, groupCount: number): number[] {
  const department = (index + joinRev * 3) % groupCount;
  const team = (index * 7 + 1 + joinRev) % groupCount;
  return team === department ? [department] : [department, team];
}

function remoteData(input: GenInput, path: string, extra: JsonRecord): JsonRecord {
  return { [path]: { id: 10_000 + input.index, ...extra } };
}

const employments: Generator = (input) => {
  const { rng, revRng, index, state } = input;
  const employee = state.store('hris_employees')!;
  const employeeIndex = state.parentIndex('hris_employments', index);
  const start = BASE_TIME_MS - rng.int(30, 3000) * 86_400_000;
  return {
    id: input.store.codec.encode(index),
    remote_id: `emp-${pad(index + 1, 7)}`,
    employee_id: employee.codec.encode(employeeIndex),
    job_title: revRng.pick(JOB_TITLES),
    pay_rate: revRng.int(2500, 12000),
    pay_period: 'MONTH',
    pay_frequency: 'MONTHLY',
    employment_type: revRng.pick(EMPLOYMENT_TYPES),
    pay_currency: 'EUR',
    effective_date: dayIso(start, 0),
    ...stamps(input),
    remote_data: null,
    custom_fields: { cost_center: `CC-${rng.int(100, 999)}` },
    integration_fields: [],
  };
};

const groups: Generator = (input) => {
  const { index, revRng } = input;
  return {
    id: input.store.codec.encode(index),
    remote_id: `grp-${index + 1}`,
    name: `${DEPARTMENTS[index % DEPARTMENTS.length]}${index >= DEPARTMENTS.length ? ` ${Math.floor(index / DEPARTMENTS.length) + 1}` : ''}${input.overlay?.rev ? ` (${revRng.int(1, 99)})` : ''}`,
    ...stamps(input),
    type: GROUP_TYPES[index % 3],
    parent_id: index >= 3 ? input.store.codec.encode(index % 3) : null,
    remote_data: null,
  };
};

const locations: Generator = (input) => ({
  id: input.store.codec.encode(input.index),
  remote_id: `loc-${input.index + 1}`,
  name: `Office ${input.index + 1}`,
  address: address(input.revRng),
  type: input.index === 0 ? 'HEADQUARTERS' : 'OFFICE',
  ...stamps(input),
  remote_data: null,
});

const legalEntities: Generator = (input) => ({
  id: input.store.codec.encode(input.index),
  remote_id: `le-${input.index + 1}`,
  name: `Acme ${['GmbH', 'Ltd', 'SAS', 'BV', 'Inc'][input.index % 5]}${input.index >= 5 ? ` ${input.index}` : ''}`,
  address: address(input.revRng),
  ...stamps(input),
  remote_data: null,
});

const absenceTypes: Generator = (input) => {
  const { index } = input;
  return {
    id: input.store.codec.encode(index),
    remote_id: `at-${index + 1}`,
    name: ABSENCE_TYPES[index % ABSENCE_TYPES.length] + (index >= ABSENCE_TYPES.length ? ` ${index}` : ''),
    unit: index % 4 === 3 ? 'HOURS' : 'DAYS',
    half_days_supported: index % 2 === 0,
    exact_times_supported: index % 4 === 3,
    remote_data: null,
    ...stamps(input),
  };
};

const timeOffBalances: Generator = (input) => {
  const { index, state, revRng } = input;
  const types = state.store('hris_absence_types')!;
  const employees = state.store('hris_employees')!;
  const employeeIndex = state.parentIndex('hris_time_off_balances', index);
  const typeIndex = Math.floor(index / Math.max(1, employees.baseSize)) % Math.max(1, types.baseSize);
  const type = input.lookup('hris_absence_types', typeIndex);
  const unit = type?.unit === 'HOURS' ? 'HOURS' : 'DAYS';
  return {
    id: input.store.codec.encode(index),
    remote_id: `bal-${index + 1}`,
    employee_id: employees.codec.encode(employeeIndex),
    type_id: types.codec.encode(typeIndex),
    balance: revRng.int(0, 60) / 2,
    balance_unit: unit,
    ...stamps(input),
    used: revRng.int(0, 40) / 2,
    used_unit: unit,
    remote_data: null,
    type: type ?? null,
  };
};

const absences: Generator = (input) => {
  const { index, state, rng, revRng } = input;
  const types = state.store('hris_absence_types')!;
  const employees = state.store('hris_employees')!;
  const employeeIndex = state.parentIndex('hris_absences', index);
  const typeIndex = (index * 7) % Math.max(1, types.baseSize);
  const type = input.lookup('hris_absence_types', typeIndex);
  const start = BASE_TIME_MS - rng.int(-60, 400) * 86_400_000;
  const days = rng.int(1, 10);
  const isHourly = type?.unit === 'HOURS';
  const manager = managerIndex(employeeIndex);
  return {
    id: input.store.codec.encode(index),
    remote_id: `abs-${index + 1}`,
    employee_id: employees.codec.encode(employeeIndex),
    approver_id: manager === null ? null : employees.codec.encode(manager),
    start_date: dateOnly(start),
    end_date: dateOnly(start + (isHourly ? 0 : days - 1) * 86_400_000),
    start_half_day: false,
    end_half_day: !isHourly && rng.chance(0.1),
    start_time: isHourly ? '09:00' : null,
    end_time: isHourly ? `${pad(10 + (days % 8), 2)}:00` : null,
    amount: isHourly ? 1 + (days % 8) : days,
    unit: isHourly ? 'HOURS' : 'DAYS',
    status: revRng.pick(['APPROVED', 'APPROVED', 'APPROVED', 'REQUESTED', 'DECLINED'] as const),
    employee_note: rng.chance(0.3) ? 'Family trip' : null,
    type_id: types.codec.encode(typeIndex),
    remote_created_at: iso(start - 20 * 86_400_000),
    remote_updated_at: iso(start - 10 * 86_400_000),
    ...stamps(input),
    remote_data: null,
    type: type ?? null,
  };
};

export { absences, absenceTypes, employments, groups, legalEntities, locations, timeOffBalances };

/** Bank account of an employee (IBAN-shaped, not a real one). */
export function bankAccount(input: GenInput, holder: string): JsonRecord {
  const { rng } = input;
  return {
    iban: `DE${pad(rng.int(10, 99), 2)}${pad(rng.int(0, 99_999_999), 8)}${pad(rng.int(0, 9_999_999_999), 10)}`,
    bic: 'DEUTDEFFXXX',
    account_number: pad(rng.int(0, 9_999_999_999), 10),
    holder_name: holder,
    bank_name: rng.pick(BANKS),
    domestic_bank_routing: { number: pad(rng.int(10_000_000, 99_999_999), 8), type: 'DE_BANKLEITZAHL' },
  };
}

/** The identity fields of an employee that other records embed (manager summaries etc.). */
export function employeeIdentity(input: Pick<GenInput, 'rng' | 'index'>): {
  first: string;
  last: string;
  email: string;
} {
  const first = input.rng.pick(FIRST_NAMES);
  const last = input.rng.pick(LAST_NAMES);
  return { first, last, email: `${slug(first)}.${slug(last)}.${input.index + 1}@${DOMAIN}` };
}

export const EMPLOYEE_CONST = { GENDERS, STATUSES, EMPLOYMENT_TYPES, remoteData } as const;
