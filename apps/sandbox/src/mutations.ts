import type { ModelName } from '@kombo-sync/catalog';
import { Rng, mix } from './data/random.js';
import { managerIndex } from './data/generate-hris.js';
import { stageIndexOf } from './data/generate-ats.js';
import { cycleIndexOf, staffingLinks } from './data/generate-talent.js';
import { PARENT_MODEL, type IntegrationState, type ModelStore } from './data/store.js';

/** Counts of each kind of change to apply; `models` picks the models creates/updates/deletes go to. */
export interface MutateRequest {
  creates?: number;
  updates?: number;
  nestedUpdates?: number;
  deletes?: number;
  /**
   * Default: hris_employees for an HRIS integration, ats_candidates + ats_applications for ATS, lms_users +
   * lms_course_progressions for LMS.
   */
  models?: ModelName[];
}

/**
 * Kombo's `changed_models` name of a model: groups are `hris_teams` in webhooks; the closed-beta skill models have
 * no name in the spec's enum, so their changes are reported by none (a sync reads them whole on every pass).
 */
export function changedNameOf(model: ModelName): string | undefined {
  if (model === 'hris_groups') return 'hris_teams';
  if (model === 'hris_skills' || model === 'hris_employee_skill_assignments') return undefined;
  return model;
}

const DEFAULT_MODELS = {
  HRIS: ['hris_employees'],
  ATS: ['ats_candidates', 'ats_applications'],
  LMS: ['lms_users', 'lms_course_progressions'],
} as const;

/** Applies a deterministic batch of changes at `nowMs`; returns the `changed_models` names they produce. */
export function mutate(state: IntegrationState, request: MutateRequest, nowMs: number): string[] {
  const rng = new Rng(mix(state.hash, 0xabc, state.mutationSeq++));
  const models = (request.models?.length ? request.models : DEFAULT_MODELS[state.category]).filter((m) =>
    state.store(m),
  );
  const changed = new Set<string>();
  const ctx: Ctx = { state, rng, nowMs, changed, isDirty: false };
  let turn = 0;
  const nextModel = (): ModelName | undefined => models[turn++ % models.length];
  for (let n = 0; n < (request.creates ?? 0); n++) withModel(nextModel(), (m) => create(ctx, m));
  for (let n = 0; n < (request.updates ?? 0); n++) withModel(nextModel(), (m) => update(ctx, m));
  for (let n = 0; n < (request.nestedUpdates ?? 0); n++) nestedUpdate(ctx, n);
  for (let n = 0; n < (request.deletes ?? 0); n++) withModel(nextModel(), (m) => remove(ctx, m));
  if (ctx.isDirty || changed.size > 0) for (const store of state.models.values()) store.cache.clear();
  return [...changed];
}

interface Ctx {
  state: IntegrationState;
  rng: Rng;
  nowMs: number;
  changed: Set<string>;
  /** A record changed (also one whose model has no `changed_models` name). */
  isDirty: boolean;
}

function noteChange(ctx: Ctx, model: ModelName): void {
  ctx.isDirty = true;
  const name = changedNameOf(model);
  if (name !== undefined) ctx.changed.add(name);
}

function withModel(model: ModelName | undefined, fn: (model: ModelName) => void): void {
  if (model) fn(model);
}

/** A random record that is not deleted, or undefined when none is found quickly. */
function pickLive(ctx: Ctx, store: ModelStore): number | undefined {
  for (let attempt = 0; attempt < 20 && store.size > 0; attempt++) {
    const index = ctx.rng.int(0, store.size - 1);
    if (store.overlays.get(index)?.deletedAtMs == null) return index;
  }
  return undefined;
}

function create(ctx: Ctx, model: ModelName): void {
  const { state, nowMs } = ctx;
  const parentModel = PARENT_MODEL[model];
  if (parentModel) {
    const parent = pickLive(ctx, state.store(parentModel)!);
    if (parent === undefined) return;
    state.addRecord(model, nowMs, parent);
    propagate(ctx, model, -1, parent);
  } else {
    const index = state.addRecord(model, nowMs);
    if (model === 'hris_employees' && state.store('hris_employments')) {
      state.addRecord('hris_employments', nowMs, index);
      ctx.changed.add('hris_employments');
    }
    if (model === 'ats_candidates' && state.store('ats_applications')) {
      state.addRecord('ats_applications', nowMs, index);
      ctx.changed.add('ats_applications');
    }
  }
  noteChange(ctx, model);
}

function update(ctx: Ctx, model: ModelName): void {
  const store = ctx.state.store(model)!;
  const index = pickLive(ctx, store);
  if (index === undefined) return;
  const overlay = store.overlay(index);
  overlay.rev++;
  overlay.changedAtMs = ctx.nowMs;
  overlay.touchedAtMs = ctx.nowMs;
  noteChange(ctx, model);
  propagate(ctx, model, index);
}

function remove(ctx: Ctx, model: ModelName): void {
  const store = ctx.state.store(model)!;
  const index = pickLive(ctx, store);
  if (index === undefined) return;
  const overlay = store.overlay(index);
  overlay.deletedAtMs = ctx.nowMs;
  overlay.changedAtMs = ctx.nowMs;
  overlay.touchedAtMs = ctx.nowMs;
  noteChange(ctx, model);
  propagate(ctx, model, index);
}

const NESTED_KINDS = {
  HRIS: ['hris_employments', 'hris_join_employees_teams', 'hris_time_off_balances'],
  ATS: ['ats_join_candidates_tags', 'ats_interviews', 'ats_offers'],
  // Not lms_join_revisions_skills nor lms_course_providers: Kombo's updated_after follows neither, so only a full
  // sync could see them (the catalog maps them all the same).
  LMS: ['lms_course_revisions', 'lms_course_progressions'],
} as const;

/** Join-table and nested-record changes, rotating through the kinds Kombo reports for the category. */
function nestedUpdate(ctx: Ctx, n: number): void {
  const { state } = ctx;
  const kinds = NESTED_KINDS[state.category];
  const kind = kinds[n % kinds.length]!;
  if (kind === 'lms_course_revisions') return reviseCourse(ctx);
  if (kind === 'hris_join_employees_teams' || kind === 'ats_join_candidates_tags') {
    const store = state.store(kind === 'hris_join_employees_teams' ? 'hris_employees' : 'ats_candidates');
    const index = store && pickLive(ctx, store);
    if (!store || index === undefined) return;
    const overlay = store.overlay(index);
    overlay.joinRev++;
    overlay.touchedAtMs = Math.max(overlay.touchedAtMs, ctx.nowMs);
    ctx.changed.add(kind);
    return;
  }
  if (state.store(kind)) update(ctx, kind);
}

/** An employee changed: its performance reviews, its reports (who embed their manager) and their reviews move. */
function touchReportsAndReviews(ctx: Ctx, index: number): void {
  const { state, nowMs } = ctx;
  // Reports embed their manager; performance reviews embed their reviewee and reviewer (the manager).
  const employees = state.store('hris_employees')!;
  for (const review of state.childIndices('hris_performance_reviews', index)) {
    state.store('hris_performance_reviews')?.touch(review, nowMs);
  }
  for (let r = index * 8 + 1; r <= index * 8 + 8 && r < employees.size; r++) {
    if (managerIndex(r) !== index) continue;
    employees.touch(r, nowMs);
    for (const review of state.childIndices('hris_performance_reviews', r)) {
      state.store('hris_performance_reviews')?.touch(review, nowMs);
    }
  }
}

/** An absence type changed: the absences and time-off balances of that type move. */
function touchAbsencesOfType(ctx: Ctx, index: number): void {
  const { state, nowMs } = ctx;
  const model = 'hris_absence_types';
  const types = Math.max(1, state.store(model)!.baseSize);
  const absences = state.store('hris_absences');
  for (let i = 0; absences && i < absences.size; i++) if ((i * 7) % types === index) absences.touch(i, nowMs);
  const balances = state.store('hris_time_off_balances');
  const employees = Math.max(1, state.store('hris_employees')?.baseSize ?? 1);
  for (let i = 0; balances && i < balances.size; i++) {
    if (Math.floor(i / employees) % types === index) balances.touch(i, nowMs);
  }
}

/** A location, legal entity or group changed: the staffing entities linked to it move. */
function touchStaffingEntities(
  ctx: Ctx,
  model: 'hris_locations' | 'hris_legal_entities' | 'hris_groups',
  index: number,
): void {
  const { state, nowMs } = ctx;
  const entities = state.store('hris_staffing_entities');
  const key = (
    { hris_locations: 'location', hris_legal_entities: 'legalEntity', hris_groups: 'group' } as const
  )[model];
  for (let i = 0; entities && i < entities.size; i++) {
    if (staffingLinks(state, i)[key] === index) entities.touch(i, nowMs);
  }
}

/** A course revision changed: its title and `changed_at`, and the course's `updated_after`, not its `changed_at`. */
function reviseCourse(ctx: Ctx): void {
  const store = ctx.state.store('lms_courses');
  const index = store && pickLive(ctx, store);
  if (!store || index === undefined) return;
  const overlay = store.overlay(index);
  overlay.joinRev++;
  overlay.touchedAtMs = Math.max(overlay.touchedAtMs, ctx.nowMs);
  ctx.isDirty = true;
  ctx.changed.add('lms_course_revisions');
}

/** Moves `updated_after` of the records whose nested data includes this one (FACTS.md nested-change rules). */
function propagate(ctx: Ctx, model: ModelName, index: number, parentOfNew?: number): void {
  const { state, nowMs } = ctx;
  const touch = (target: ModelName, i: number): void => state.store(target)?.touch(i, nowMs);
  const touchEvery = (target: ModelName, start: number, step: number): void => {
    const store = state.store(target);
    if (!store) return;
    for (let i = start; i < store.size; i += Math.max(1, step)) store.touch(i, nowMs);
  };
  const parent = (child: ModelName): number => parentOfNew ?? state.parentIndex(child, index);
  switch (model) {
    case 'hris_employments':
    case 'hris_time_off_balances':
      return touch('hris_employees', parent(model));
    case 'hris_employees':
      return touchReportsAndReviews(ctx, index);
    case 'hris_locations':
    case 'hris_legal_entities':
    case 'hris_groups': {
      if (model !== 'hris_groups') touchEvery('hris_employees', index, state.store(model)!.baseSize);
      touchStaffingEntities(ctx, model, index);
      return;
    }
    case 'hris_performance_review_cycles': {
      const reviews = state.store('hris_performance_reviews');
      for (let i = 0; reviews && i < reviews.size; i++) {
        if (cycleIndexOf(state, i) === index) reviews.touch(i, nowMs);
      }
      return;
    }
    case 'hris_absence_types':
      return touchAbsencesOfType(ctx, index);
    case 'ats_candidates':
      for (const a of state.childIndices('ats_applications', index)) touch('ats_applications', a);
      return;
    case 'ats_applications': {
      touch('ats_candidates', parent(model));
      if (parentOfNew !== undefined) return;
      for (const i of state.childIndices('ats_interviews', index)) touch('ats_interviews', i);
      for (const o of state.childIndices('ats_offers', index)) touch('ats_offers', o);
      return;
    }
    case 'ats_interviews':
    case 'ats_offers':
      return touch('ats_applications', parent(model));
    case 'ats_application_stages': {
      const apps = state.store('ats_applications');
      for (let a = 0; apps && a < apps.size; a++) {
        if (stageIndexOf(state, a, apps.overlays.get(a)?.rev ?? 0) === index) apps.touch(a, nowMs);
      }
      return;
    }
    default:
      return;
  }
}
