import { MODELS, type KomboCategory, type ModelName } from '@kombo-sync/catalog';
import { IdCodec, hashString, mix } from './random.js';
import type { Sizes } from './sizes.js';
import { FieldDefinitions } from './field-definitions.js';

/** All generated (never mutated) data changed at or before this instant; mutations use the sandbox clock. */
export const BASE_TIME_MS = Date.UTC(2025, 0, 1);
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** What a mutation changed about one record; unmutated records have none (they are generated on the fly). */
export interface Overlay {
  /** Revision of the record's own mutable fields (0 = as generated). */
  rev: number;
  /** Revision of its memberships (employee groups, candidate tags) or of its revisions (LMS courses). */
  joinRev: number;
  changedAtMs: number | null;
  deletedAtMs: number | null;
  /** Last change of the record or of the nested data `updated_after` counts for it. */
  touchedAtMs: number;
  /** Parent index of a created child record (base records derive it from their index). */
  parent?: number;
}

/** Parent model of the models generated as children (for nesting, relations and change propagation). */
export const PARENT_MODEL: Partial<Record<ModelName, ModelName>> = {
  hris_employments: 'hris_employees',
  hris_time_off_balances: 'hris_employees',
  hris_absences: 'hris_employees',
  ats_applications: 'ats_candidates',
  ats_interviews: 'ats_applications',
  ats_offers: 'ats_applications',
  hris_timesheets: 'hris_employees',
  hris_performance_reviews: 'hris_employees',
  hris_employee_skill_assignments: 'hris_employees',
  lms_course_progressions: 'lms_users',
};

/** One model of one integration: base size, current size (grows with creates) and the mutation overlay. */
export class ModelStore {
  readonly codec: IdCodec;
  readonly overlays = new Map<number, Overlay>();
  /** Generated records of small reference models, dropped on any mutation of the model. */
  readonly cache = new Map<number, Record<string, unknown>>();
  size: number;
  private touchedSorted: number[] | null = null;
  /** Seed of this model's records within the integration. */
  readonly hash: number;

  constructor(
    readonly name: ModelName,
    readonly baseSize: number,
    integrationHash: number,
    modelCode: number,
  ) {
    this.size = baseSize;
    this.codec = new IdCodec(integrationHash, modelCode);
    this.hash = mix(integrationHash, modelCode);
  }

  /** The generated `changed_at` (ms) of a record, cheap enough to scan a million of. */
  baseChangedAtMs(index: number): number {
    return BASE_TIME_MS - (mix(this.hash, index, 3) % YEAR_MS);
  }

  overlay(index: number): Overlay {
    let overlay = this.overlays.get(index);
    if (!overlay) {
      overlay = { rev: 0, joinRev: 0, changedAtMs: null, deletedAtMs: null, touchedAtMs: 0 };
      this.overlays.set(index, overlay);
      this.touchedSorted = null;
    }
    this.cache.delete(index);
    return overlay;
  }

  /** Marks nested data of a record as changed (moves its `updated_after` time, not its `changed_at`). */
  touch(index: number, atMs: number): void {
    if (index >= this.size) return;
    const overlay = this.overlay(index);
    overlay.touchedAtMs = Math.max(overlay.touchedAtMs, atMs);
  }

  /** Indices with an overlay, ascending (cached until a new one appears). */
  touchedIndices(): number[] {
    this.touchedSorted ??= [...this.overlays.keys()].sort((a, b) => a - b);
    return this.touchedSorted;
  }
}

export type SandboxIntegrationState = 'ACTIVE' | 'INVALID' | 'INACTIVE';

export interface EndUser {
  organization_name: string;
  creator_email: string;
  origin_id: string;
}

/** The generated world of one integration. Records are a function of (seed, integration, model, index) + overlay. */
export class IntegrationState {
  readonly hash: number;
  readonly models = new Map<ModelName, ModelStore>();
  /** Created children per `${childModel}:${parentIndex}`. */
  readonly extraChildren = new Map<string, number[]>();
  status: SandboxIntegrationState = 'ACTIVE';
  setupStatus: 'INCOMPLETE' | 'FINAL_SYNC_PENDING' | 'COMPLETED' = 'COMPLETED';
  qaStatus: 'PENDING' | 'FAILED' | 'PASSED' = 'PASSED';
  /** Models turned off (scope config): lists answer 403 INTEGRATION.MODEL_DISABLED, read_models is_available false. */
  readonly disabledModels = new Set<ModelName>();
  /** `data_expired_at` of GET /integrations/:id (epoch ms), null when the synced data is valid. */
  dataExpiredAtMs: number | null = null;
  /** Requests still to be answered with 409 INTEGRATION.SETUP_SYNC_PENDING. */
  setupPendingRequests: number;
  /** Sequence of deterministic mutations applied so far (drives their choice of records). */
  mutationSeq = 0;
  /** `GET /integrations/{id}/custom-fields` and `…/integration-fields`. */
  readonly fieldDefinitions: FieldDefinitions;

  constructor(
    readonly id: string,
    readonly tool: string,
    readonly category: KomboCategory,
    readonly seed: number,
    sizes: Sizes,
    readonly createdAtMs: number,
    readonly endUser: EndUser,
    setupPendingRequests = 0,
    fieldCounts: { customFields?: number; integrationFields?: number } = {},
  ) {
    this.hash = mix(seed, hashString(id));
    this.fieldDefinitions = new FieldDefinitions(category, this.hash, fieldCounts);
    this.setupPendingRequests = setupPendingRequests;
    MODELS.forEach((model, code) => {
      const size = sizes[model.name];
      if (model.category === category && size !== undefined) {
        this.models.set(model.name, new ModelStore(model.name, size, this.hash, code + 1));
      }
    });
  }

  store(name: ModelName): ModelStore | undefined {
    return this.models.get(name);
  }

  /** Index of the parent record of a child record (see PARENT_MODEL). */
  parentIndex(child: ModelName, index: number): number {
    const childStore = this.models.get(child);
    const parentName = PARENT_MODEL[child];
    const parentStore = parentName ? this.models.get(parentName) : undefined;
    if (!childStore || !parentStore) return 0;
    const created = childStore.overlays.get(index)?.parent;
    return created ?? index % Math.max(1, parentStore.baseSize);
  }

  /** Indices of the child records of a parent record, ascending within base and created ones. */
  childIndices(child: ModelName, parent: number): number[] {
    const childStore = this.models.get(child);
    const parentName = PARENT_MODEL[child];
    const parentStore = parentName ? this.models.get(parentName) : undefined;
    if (!childStore || !parentStore) return [];
    const out: number[] = [];
    if (parent < parentStore.baseSize) {
      for (let k = parent; k < childStore.baseSize; k += parentStore.baseSize) out.push(k);
    }
    const extra = this.extraChildren.get(`${child}:${parent}`);
    if (extra) out.push(...extra);
    return out;
  }

  /** Appends a record (a create); returns its index. */
  addRecord(name: ModelName, atMs: number, parent?: number): number {
    const store = this.models.get(name);
    if (!store) throw new Error(`Model ${name} is not part of integration ${this.id}`);
    const index = store.size++;
    const overlay = store.overlay(index);
    overlay.changedAtMs = atMs;
    overlay.touchedAtMs = atMs;
    if (parent !== undefined) {
      overlay.parent = parent;
      const key = `${name}:${parent}`;
      const list = this.extraChildren.get(key) ?? [];
      list.push(index);
      this.extraChildren.set(key, list);
    }
    return index;
  }
}
