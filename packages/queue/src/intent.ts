import { z } from 'zod';
import { ALL_MODEL_NAMES, type ModelName } from '@kombo-sync/catalog';
import { QUEUE_DATA_VERSION } from './data-version.js';

/*
 * The data of the lifecycle webhooks an intent carries, as Kombo sends them (extra fields kept). Declared here
 * rather than imported from the Kombo client, so the queue package does not depend on it.
 */
const endUserSchema = z.looseObject({ organization_name: z.string() });

/** `integration-created` webhook data. */
export const integrationCreatedDataSchema = z.looseObject({
  id: z.string(),
  tool: z.string(),
  category: z.string(),
  end_user: endUserSchema.optional(),
});
export type IntegrationCreatedData = z.infer<typeof integrationCreatedDataSchema>;

/** `integration-deleted` webhook data. */
export const integrationDeletedDataSchema = z.looseObject({
  id: z.string(),
  tool: z.string(),
  category: z.string(),
  deleted_at: z.string(),
  end_user: endUserSchema.optional(),
});
export type IntegrationDeletedData = z.infer<typeof integrationDeletedDataSchema>;

/** `integration-state-changed` webhook data. */
export const integrationStateChangedDataSchema = z.looseObject({
  integration_id: z.string(),
  state: z.string(),
  setup_status: z.string().optional(),
  qa_status: z.string().optional(),
  updated_at: z.string(),
});
export type IntegrationStateChangedData = z.infer<typeof integrationStateChangedDataSchema>;

/** Most request ids an intent keeps (newest last). */
export const MAX_INTENT_REQUEST_IDS = 20;
/** Most distinct triggers an intent keeps. */
export const MAX_INTENT_TRIGGERS = 20;
/** Most trace contexts (W3C `traceparent`s, about 55 bytes each) an intent keeps for the run's span links. */
export const MAX_INTENT_TRACEPARENTS = 16;

/**
 * Where an intent's bulk work stands in its time slices: `first`, nothing of the integration is committed yet (its
 * first slice runs in the onboarding lane); `next`, a pass that already ran a slice (it goes on in the bulk lane, in
 * turn with the other passes).
 */
export type IntentSlice = 'first' | 'next';

/**
 * The work pending for one integration, merged from every webhook, schedule and manual trigger since the last run
 * took it. Merging: models are united (`'all'` absorbs everything), `full` is or-ed, `fullModels` united,
 * `created`/`deleted` keep the latest (and the later of the two wins: deleted then created is a re-created id,
 * live), `state` keeps the one with the latest `updated_at`, triggers are united, request ids appended (capped),
 * `slice` keeps `next` over `first`.
 *
 * Stored shape (Redis JSON, read by every worker version of a rolling deploy): `fullModels` came with data version
 * 2 (`QUEUE_DATA_VERSION`); an intent stored without it reads as none, and a version-1 worker leaves an intent
 * stamped 2 to a newer worker instead of dropping the field (it would sync those models as deltas and leave their
 * open passes to the next full sync).
 * `slice` came later and needs no new version: an intent without it waits in the lane its other fields give, and a
 * worker that predates it runs the work unsliced.
 */
export interface Intent {
  models: ModelName[] | 'all';
  /** Every model gets a full pass. */
  full: boolean;
  /**
   * Models that need a full pass although `full` is false: the unfinished full passes a stopped run handed back
   * (each resumes its open pass). Absent: none. They are synced whatever `models` says.
   */
  fullModels?: ModelName[];
  created?: IntegrationCreatedData;
  deleted?: IntegrationDeletedData;
  state?: IntegrationStateChangedData;
  /** What asked for the work, e.g. webhook types, `schedule:full`, `manual`. */
  triggers: string[];
  /** Request ids of the ingress requests (or CLI calls) that contributed, newest last. */
  requestIds: string[];
  /**
   * W3C `traceparent`s of the sampled requests that contributed (newest last, capped): the run links its span to
   * each. Absent when tracing is off, so an untraced fleet stores nothing for it.
   */
  traceparents?: string[];
  /**
   * Set by the worker on bulk work it hands on: `first` when nothing of the integration is committed yet, `next`
   * after a time slice of the work ran (see {@link IntentSlice}). Absent on what webhooks, schedules and operators
   * ask for: an `integration-created` is a first slice by itself.
   */
  slice?: IntentSlice;
}

// Lua's cjson encodes an empty array as `{}`; read both as [].
const stringList = z.preprocess((value) => (Array.isArray(value) ? value : []), z.array(z.string()));

const storedIntentSchema = z.object({
  models: z.union([z.literal('all'), stringList]),
  full: z.boolean().default(false),
  fullModels: stringList.optional(),
  created: integrationCreatedDataSchema.optional(),
  deleted: integrationDeletedDataSchema.optional(),
  state: integrationStateChangedDataSchema.optional(),
  triggers: stringList,
  requestIds: stringList,
  traceparents: stringList.optional(),
  slice: z.enum(['first', 'next']).optional(),
});

/** Parses an intent as stored in Redis: models in catalog order, names no longer in the catalog dropped. */
export function parseStoredIntent(json: string): Intent {
  const stored = storedIntentSchema.parse(JSON.parse(json));
  const { created, deleted, state, slice } = stored;
  const models = stored.models === 'all' ? 'all' : new Set(stored.models);
  const fullModels = new Set(stored.fullModels ?? []);
  const inCatalog = ALL_MODEL_NAMES.filter((name) => fullModels.has(name));
  return {
    models: models === 'all' ? 'all' : ALL_MODEL_NAMES.filter((name) => models.has(name)),
    full: stored.full,
    ...(inCatalog.length > 0 ? { fullModels: inCatalog } : {}),
    ...(created && { created }),
    ...(deleted && { deleted }),
    ...(state && { state }),
    triggers: stored.triggers,
    requestIds: stored.requestIds,
    ...(stored.traceparents && stored.traceparents.length > 0 ? { traceparents: stored.traceparents } : {}),
    ...(slice && { slice }),
  };
}

/**
 * Serialises a partial intent for the merge script. `stateAtMs` (the state's `updated_at` as epoch ms) lets the
 * script keep the latest state without comparing date strings.
 */
export function encodeIntentPatch(patch: Partial<Intent>): string {
  const stateAtMs = patch.state ? Date.parse(patch.state.updated_at) : undefined;
  return JSON.stringify({
    // The merge keeps the highest: an intent any newer release contributed to is left to newer workers.
    v: QUEUE_DATA_VERSION,
    models: patch.models ?? [],
    full: patch.full ?? false,
    // Left out when empty: the merge script then adds no field, and intents stay as older workers wrote them.
    fullModels: patch.fullModels && patch.fullModels.length > 0 ? patch.fullModels : undefined,
    created: patch.created,
    deleted: patch.deleted,
    state: patch.state,
    stateAtMs: Number.isNaN(stateAtMs) ? 0 : stateAtMs,
    triggers: patch.triggers ?? [],
    requestIds: patch.requestIds ?? [],
    // Left out when empty: the merge script then adds no field.
    traceparents: patch.traceparents && patch.traceparents.length > 0 ? patch.traceparents : undefined,
    slice: patch.slice,
  });
}
