import { getModel, type ModelName } from '@kombo-sync/catalog';
import { newRngs, type Generator, type JsonRecord, type Lookup } from './common.js';
import { applications, interviews, offers } from './generate-application.js';
import { applicationStages, candidates, jobs, rejectionReasons, roles, tags, users } from './generate-ats.js';
import { employees } from './generate-employee.js';
import { lmsCourseProgressions, lmsCourses, lmsSkills, lmsUsers } from './generate-lms.js';
import {
  absences,
  absenceTypes,
  employments,
  groups,
  legalEntities,
  locations,
  timeOffBalances,
} from './generate-hris.js';
import {
  employeeDocumentCategories,
  employeeSkillAssignments,
  performanceReviewCycles,
  performanceReviews,
  skills,
  staffingEntities,
  timesheets,
} from './generate-talent.js';
import { BASE_TIME_MS, type IntegrationState } from './store.js';

const GENERATORS: Record<ModelName, Generator> = {
  hris_employees: employees,
  hris_employments: employments,
  hris_groups: groups,
  hris_locations: locations,
  hris_legal_entities: legalEntities,
  hris_absence_types: absenceTypes,
  hris_absences: absences,
  hris_time_off_balances: timeOffBalances,
  ats_jobs: jobs,
  ats_candidates: candidates,
  ats_applications: applications,
  ats_application_stages: applicationStages,
  ats_users: users,
  ats_tags: tags,
  ats_interviews: interviews,
  ats_offers: offers,
  ats_rejection_reasons: rejectionReasons,
  hris_timesheets: timesheets,
  hris_performance_review_cycles: performanceReviewCycles,
  hris_performance_reviews: performanceReviews,
  hris_staffing_entities: staffingEntities,
  hris_employee_document_categories: employeeDocumentCategories,
  hris_skills: skills,
  hris_employee_skill_assignments: employeeSkillAssignments,
  ats_roles: roles,
  lms_users: lmsUsers,
  lms_courses: lmsCourses,
  lms_course_progressions: lmsCourseProgressions,
  lms_skills: lmsSkills,
};

/** Models at most this big keep their generated records in memory (they are embedded in many others). */
const CACHE_LIMIT = 5_000;

/** The record at `index` as the API returns it (overlay applied), or undefined past the end. */
export function recordOf(state: IntegrationState, model: ModelName, index: number): JsonRecord | undefined {
  const store = state.store(model);
  if (!store || index < 0 || index >= store.size) return undefined;
  const isCached = store.baseSize <= CACHE_LIMIT;
  if (isCached) {
    const cached = store.cache.get(index);
    if (cached) return cached;
  }
  const overlay = store.overlays.get(index);
  const [rng, revRng] = newRngs(store, index, overlay?.rev ?? 0);
  const lookup: Lookup = (other, otherIndex) => recordOf(state, other, otherIndex);
  const record = GENERATORS[model]({ state, store, index, overlay, lookup, rng, revRng });
  if (isCached) store.cache.set(index, record);
  return record;
}

export interface ListFilter {
  updatedAfterMs?: number;
  isIncludingDeleted: boolean;
  ids?: string[];
}

/**
 * One page of a model's list endpoint, starting at record position `position` (the cursor). Only the positions
 * that can match are visited: the whole range without `updated_after` (or with one older than the generated
 * data), the overlay's indices when only mutated records can match, the decoded indices for `ids`.
 */
export function listPage(
  state: IntegrationState,
  model: ModelName,
  filter: ListFilter,
  position: number,
  pageSize: number,
): { results: JsonRecord[]; nextPosition: number | null } {
  const store = state.store(model);
  if (!store) return { results: [], nextPosition: null };
  const results: JsonRecord[] = [];
  const { updatedAfterMs } = filter;
  // An endpoint without list parameters has no include_deleted: it leaves deleted records out.
  const isIncludingDeleted = filter.isIncludingDeleted && getModel(model).paging !== 'none';
  const matches = (index: number): boolean => {
    const overlay = store.overlays.get(index);
    if (!isIncludingDeleted && overlay?.deletedAtMs != null) return false;
    if (updatedAfterMs === undefined) return true;
    const changedMs = overlay?.changedAtMs ?? store.baseChangedAtMs(index);
    return Math.max(changedMs, overlay?.touchedAtMs ?? 0) >= updatedAfterMs;
  };
  let candidates: number[] | undefined;
  if (filter.ids) {
    const decoded = filter.ids
      .map((id) => store.codec.decode(id))
      .filter((i): i is number => i !== undefined);
    candidates = [...new Set(decoded)].filter((i) => i < store.size).sort((a, b) => a - b);
  } else if (updatedAfterMs !== undefined && updatedAfterMs > BASE_TIME_MS) {
    candidates = store.touchedIndices();
  }
  if (candidates) {
    let k = lowerBound(candidates, position);
    for (; k < candidates.length && results.length < pageSize; k++) {
      const index = candidates[k]!;
      if (matches(index)) results.push(recordOf(state, model, index)!);
    }
    return { results, nextPosition: k < candidates.length ? candidates[k]! : null };
  }
  let index = position;
  for (; index < store.size && results.length < pageSize; index++) {
    if (matches(index)) results.push(recordOf(state, model, index)!);
  }
  return { results, nextPosition: index < store.size ? index : null };
}

function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
