import { getModel, type ModelName } from '@kombo-sync/catalog';
import {
  countQuarantined,
  listPurgedRecords,
  listQuarantineKeys,
  quarantineKeyOf,
  storableString,
  type DbLike,
} from '@kombo-sync/db';
import { withoutRemoteData } from '@kombo-sync/kombo';
import { EXIT } from '../errors.js';
import { modelsOfCategory, parseModelsOption } from '../models-option.js';
import type { Output } from '../output.js';
import { contentHash } from './content-hash.js';
import {
  compareIds,
  fingerprintOf,
  mirrorStates,
  parseRecordState,
  recordState,
  type Fingerprint,
  type RecordStates,
} from './fingerprint.js';
import { requireIntegration } from './require-integration.js';
import { terminalJson, terminalText } from '../terminal-text.js';
import {
  describeFieldDefinitions,
  verifyFieldDefinitions,
  type FieldDefinitionsSource,
  type FieldDefinitionsVerification,
} from './verify-field-definitions.js';

/** A record as the Kombo client parses it: the whole record is compared, not only these fields. */
export interface VerifyRecord {
  id: string;
  changed_at: string;
  remote_deleted_at: string | null;
  [field: string]: unknown;
}

/**
 * What verify needs from Kombo: the client's `pages()` (include_deleted=true), with the ids of the records that
 * break their schema (`rejected`): Kombo has them, the mirror cannot store that version.
 */
export interface VerifySource {
  pages(
    model: ModelName,
    options: { integrationId: string; includeDeleted?: boolean },
  ): AsyncIterable<{ results: readonly VerifyRecord[]; rejected?: readonly { id: string }[] }>;
  /** The client's `fieldDefinitions()`: without it, the field definitions are not compared. */
  fieldDefinitions?: FieldDefinitionsSource['fieldDefinitions'];
}

export interface VerifyDeps {
  db: DbLike;
  source: VerifySource;
  out: Output;
  /** The workers drop `remote_data` before storing (SYNC_STORE_REMOTE_DATA=false): compare Kombo's records without it. */
  shouldStripRemoteData?: boolean;
}

export interface VerifyOptions {
  integrationId: string;
  /** Comma-separated model names; default the integration's category's models. */
  models?: string;
  json?: boolean;
}

/** How many ids each difference list shows. */
const SHOWN_IDS = 20;

/** Ids per kind of difference; a record may be in several (e.g. an older version differs in changed_at and content). */
export interface ModelDifferences {
  missingInMirror: string[];
  extraInMirror: string[];
  changedAtDiffers: string[];
  deletionDiffers: string[];
  /** Same id in both, but the records' canonical content (see content-hash.ts) differs. */
  contentDiffers: string[];
}

const DIFFERENCE_KINDS: readonly (readonly [keyof ModelDifferences, string])[] = [
  ['missingInMirror', 'missing in mirror'],
  ['extraInMirror', 'extra in mirror'],
  ['changedAtDiffers', 'changed_at differs'],
  ['deletionDiffers', 'deletion state differs'],
  ['contentDiffers', 'content differs'],
];

/**
 * One model's result, as `--json` prints it. Facts about the model beyond the comparison (e.g. a count of
 * quarantined records) belong here as further optional fields, filled in `verifyModel` and printed by `describe`.
 */
export interface ModelVerification {
  model: ModelName;
  status: 'equal' | 'different' | 'unavailable';
  kombo?: Fingerprint;
  mirror: Fingerprint;
  /** Counts of each kind of difference, and the first 20 ids of each (byte order). */
  differences?: { counts: Record<keyof ModelDifferences, number> } & ModelDifferences;
  /** Records of the model set aside in quarantine (Kombo sent them; the mirror could not store them). */
  quarantined?: number;
  /**
   * Records Kombo serves deleted that the deleted-rows retention purged (SYNC_DELETED_RETENTION_DAYS): left out of
   * the comparison, as the mirror keeps them out until Kombo changes them.
   */
  purged?: number;
}

const UNAVAILABLE_CODES = new Set(['INTEGRATION.MODEL_NOT_AVAILABLE', 'INTEGRATION.MODEL_DISABLED']);

/**
 * `kombo-sync verify <integration>`: per model, pages through Kombo (deleted records included), reads the mirror's
 * rows, and compares per id the changed_at, the deletion state and a hash of the record's canonical content
 * (Kombo's parsed record against the mirror's `raw`; key order, spacing and number formatting do not count, nor a
 * NUL the mirror stored as U+FFFD). Quarantined records are counted as such, not compared: Kombo's version could
 * not be stored, and the mirror may keep an older one. On a difference it lists the first 20 ids missing in the
 * mirror, extra in it, and with a differing changed_at, deletion state or content. Without `--models` it also compares
 * the integration's field definitions (verify-field-definitions.ts). Exit 0 equal, 1 different.
 */
export async function runVerify(deps: VerifyDeps, options: VerifyOptions): Promise<number> {
  const integration = await requireIntegration(deps.db, options.integrationId);
  const valid = modelsOfCategory(integration.category);
  const models = parseModelsOption(options.models, valid) ?? valid;
  const results: ModelVerification[] = [];
  const quarantined = await countQuarantined(deps.db, integration.id);
  for (const model of models) {
    const result = {
      ...(await verifyModel(deps, integration.id, model)),
      quarantined: quarantined.get(model) ?? 0,
    };
    results.push(result);
    if (!options.json) deps.out.out(describe(result));
    if (!options.json && result.quarantined > 0)
      deps.out.out(
        `  ${result.quarantined} quarantined (not stored; see kombo-sync status ${terminalText(integration.id, 120)})`,
      );
    if (!options.json && (result.purged ?? 0) > 0)
      deps.out.out(
        `  ${result.purged} purged (deleted longer ago than SYNC_DELETED_RETENTION_DAYS; not compared)`,
      );
  }
  // The integration's field definitions, on a verify of all its models.
  const fieldSource = deps.source.fieldDefinitions?.bind(deps.source);
  const fieldDefinitions: FieldDefinitionsVerification[] =
    fieldSource && options.models === undefined
      ? await verifyFieldDefinitions(deps.db, { fieldDefinitions: fieldSource }, integration)
      : [];
  if (!options.json) for (const result of fieldDefinitions) deps.out.out(describeFieldDefinitions(result));
  const isEqual =
    results.every((result) => result.status !== 'different') &&
    fieldDefinitions.every((result) => result.status !== 'different');
  if (options.json)
    deps.out.out(terminalJson({ integrationId: integration.id, isEqual, models: results, fieldDefinitions }));
  else deps.out.out(isEqual ? 'Mirror matches Kombo.' : 'Mirror differs from Kombo.');
  return isEqual ? EXIT.ok : EXIT.failure;
}

/**
 * Kombo's per-record states of one model (deleted records included). Ids get the mirror's NUL rule too (writePage
 * stores an id's NUL as U+FFFD), so such a record is compared with its row instead of counting as missing.
 */
export async function komboStates(
  source: VerifySource,
  integrationId: string,
  model: ModelName,
  { shouldStripRemoteData = false }: { shouldStripRemoteData?: boolean } = {},
): Promise<RecordStates> {
  const states: RecordStates = new Map();
  // A model without change stamps gets fixed ones from the client's record schema; Kombo's record, which the
  // mirror keeps as `raw`, has none, so the content is compared without them.
  const isStamped = getModel(model).hasChangeStamps !== false;
  for await (const page of source.pages(model, { integrationId, includeDeleted: true })) {
    for (const { id } of page.rejected ?? []) states.set(storableString(id), REJECTED);
    for (const record of page.results) {
      const kept = shouldStripRemoteData ? withoutRemoteData(record) : record;
      const content = isStamped ? kept : withoutStamps(kept);
      const state = recordState(record.changed_at, record.remote_deleted_at, contentHash(content));
      states.set(storableString(record.id), state);
    }
  }
  return states;
}

/** The state of a record Kombo sent in a version that breaks its schema: compared as different content. */
const REJECTED = 'rejected';

function withoutStamps(record: VerifyRecord): Record<string, unknown> {
  const { changed_at: _changedAt, remote_deleted_at: _remoteDeletedAt, ...content } = record;
  return content;
}

async function verifyModel(
  deps: VerifyDeps,
  integrationId: string,
  model: ModelName,
): Promise<ModelVerification> {
  // Kombo first, then the mirror: a change Kombo already shows has had the time of the whole pass to arrive.
  let kombo: RecordStates | undefined;
  try {
    kombo = await komboStates(deps.source, integrationId, model, {
      shouldStripRemoteData: deps.shouldStripRemoteData ?? false,
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !UNAVAILABLE_CODES.has(code)) throw err;
  }
  // Quarantined records are neither compared nor counted as differences (runVerify reports their number).
  const quarantined = await listQuarantineKeys(deps.db, { integrationId, model });
  const stored = withoutQuarantined(await mirrorStates(deps.db, integrationId, model), quarantined);
  const mirror = fingerprintOf(stored);
  if (kombo === undefined) return { model, status: 'unavailable', mirror };
  kombo = withoutQuarantined(kombo, quarantined);
  const purged = withoutPurged(kombo, await listPurgedRecords(deps.db, { integrationId, model }));
  const komboPrint = fingerprintOf(kombo);
  if (komboPrint.count === mirror.count && komboPrint.checksum === mirror.checksum) {
    return { model, status: 'equal', kombo: komboPrint, mirror, ...(purged > 0 ? { purged } : {}) };
  }
  const all = diff(kombo, stored);
  const counts = {} as Record<keyof ModelDifferences, number>;
  const shown = {} as ModelDifferences;
  for (const [kind] of DIFFERENCE_KINDS) {
    counts[kind] = all[kind].length;
    shown[kind] = all[kind].sort(compareIds).slice(0, SHOWN_IDS);
  }
  return {
    model,
    status: 'different',
    kombo: komboPrint,
    mirror,
    differences: { counts, ...shown },
    ...(purged > 0 ? { purged } : {}),
  };
}

/**
 * Removes from Kombo's states the records the mirror keeps out on purpose: purged by the deleted-rows retention,
 * still deleted and not changed since. Returns how many.
 */
function withoutPurged(kombo: RecordStates, purged: ReadonlyMap<string, Date>): number {
  let count = 0;
  for (const [id, purgedChangedAt] of purged) {
    const state = kombo.get(id);
    if (state === undefined) continue;
    const { changedAt, isDeleted } = parseRecordState(state);
    if (isDeleted && Date.parse(changedAt) <= purgedChangedAt.getTime()) {
      kombo.delete(id);
      count += 1;
    }
  }
  return count;
}

/** `states` without the records whose quarantine key (`quarantineKeyOf`) is in `quarantined`. */
function withoutQuarantined(states: RecordStates, quarantined: ReadonlySet<string>): RecordStates {
  if (quarantined.size === 0) return states;
  const kept: RecordStates = new Map();
  for (const [id, state] of states) if (!quarantined.has(quarantineKeyOf(id).key)) kept.set(id, state);
  return kept;
}

/** Every difference between Kombo's and the mirror's record states. */
export function diff(kombo: RecordStates, mirror: RecordStates): ModelDifferences {
  const result: ModelDifferences = {
    missingInMirror: [],
    extraInMirror: [],
    changedAtDiffers: [],
    deletionDiffers: [],
    contentDiffers: [],
  };
  for (const [id, state] of kombo) {
    const stored = mirror.get(id);
    if (stored === undefined) result.missingInMirror.push(id);
    else if (state === REJECTED) result.contentDiffers.push(id);
    else if (stored !== state) {
      const inKombo = parseRecordState(state);
      const inMirror = parseRecordState(stored);
      if (inKombo.changedAt !== inMirror.changedAt) result.changedAtDiffers.push(id);
      if (inKombo.isDeleted !== inMirror.isDeleted) result.deletionDiffers.push(id);
      if (inKombo.contentHash !== inMirror.contentHash) result.contentDiffers.push(id);
    }
  }
  for (const id of mirror.keys()) if (!kombo.has(id)) result.extraInMirror.push(id);
  return result;
}

function describe(result: ModelVerification): string {
  if (result.status === 'unavailable') {
    return `${result.model}: not available for this integration (mirror has ${result.mirror.count} rows)`;
  }
  if (result.status === 'equal') return `${result.model}: equal (${result.mirror.count} rows)`;
  const lines = [
    `${result.model}: DIFFERENT (Kombo ${result.kombo?.count ?? 0} rows, mirror ${result.mirror.count})`,
  ];
  const d = result.differences;
  if (!d) return lines[0] ?? '';
  for (const [key, label] of DIFFERENCE_KINDS) {
    if (d.counts[key] === 0) continue;
    const more = d.counts[key] > d[key].length ? `, … ${d.counts[key] - d[key].length} more` : '';
    lines.push(
      `  ${label} (${d.counts[key]}): ${d[key].map((id) => terminalText(id, 80)).join(', ')}${more}`,
    );
  }
  return lines.join('\n');
}
