import type { ModelName } from '@kombo-sync/catalog';
import { countQuarantined, type DbLike } from '@kombo-sync/db';
import { EXIT } from '../errors.js';
import { modelsOfCategory, parseModelsOption } from '../models-option.js';
import type { Output } from '../output.js';
import {
  compareIds,
  fingerprintOf,
  mirrorFingerprint,
  mirrorStates,
  recordState,
  type Fingerprint,
  type RecordStates,
} from './fingerprint.js';
import { requireIntegration } from './status-data.js';

/** What verify needs from Kombo: the client's `pages()` (include_deleted=true). */
export interface VerifySource {
  pages(
    model: ModelName,
    options: { integrationId: string; includeDeleted?: boolean },
  ): AsyncIterable<{
    results: readonly { id: string; changed_at: string; remote_deleted_at: string | null }[];
  }>;
}

export interface VerifyDeps {
  db: DbLike;
  source: VerifySource;
  out: Output;
}

export interface VerifyOptions {
  integrationId: string;
  /** Comma-separated model names; default the integration's category's models. */
  models?: string;
  json?: boolean;
}

/** How many ids each difference list shows. */
const SHOWN_IDS = 20;

export interface ModelDifferences {
  missingInMirror: string[];
  extraInMirror: string[];
  changedAtDiffers: string[];
  deletionDiffers: string[];
}

export interface ModelVerification {
  model: ModelName;
  status: 'equal' | 'different' | 'unavailable';
  kombo?: Fingerprint;
  mirror: Fingerprint;
  /** Counts of each kind of difference, and the first 20 ids of each. */
  differences?: { counts: Record<keyof ModelDifferences, number> } & ModelDifferences;
  /** Records of the model set aside in quarantine (Kombo sent them; the mirror could not store them). */
  quarantined?: number;
}

const UNAVAILABLE_CODES = new Set(['INTEGRATION.MODEL_NOT_AVAILABLE', 'INTEGRATION.MODEL_DISABLED']);

/**
 * `kombo-sync verify <integration>`: per model, pages through Kombo (deleted records included) and compares count
 * and checksum of (id, changed_at, deleted?) with the mirror's; on a mismatch lists the first 20 ids missing in the
 * mirror, extra in it, and with a differing changed_at or deletion state. Exit 0 equal, 1 different.
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
        `  ${result.quarantined} quarantined (not stored; see kombo-sync status ${integration.id})`,
      );
  }
  const isEqual = results.every((result) => result.status !== 'different');
  if (options.json)
    deps.out.out(JSON.stringify({ integrationId: integration.id, isEqual, models: results }, null, 2));
  else deps.out.out(isEqual ? 'Mirror matches Kombo.' : 'Mirror differs from Kombo.');
  return isEqual ? EXIT.ok : EXIT.failure;
}

async function komboStates(
  source: VerifySource,
  integrationId: string,
  model: ModelName,
): Promise<RecordStates> {
  const states: RecordStates = new Map();
  for await (const page of source.pages(model, { integrationId, includeDeleted: true })) {
    for (const record of page.results)
      states.set(record.id, recordState(record.changed_at, record.remote_deleted_at));
  }
  return states;
}

async function verifyModel(
  deps: VerifyDeps,
  integrationId: string,
  model: ModelName,
): Promise<ModelVerification> {
  const mirror = await mirrorFingerprint(deps.db, integrationId, model);
  let kombo: RecordStates;
  try {
    kombo = await komboStates(deps.source, integrationId, model);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code))
      return { model, status: 'unavailable', mirror };
    throw err;
  }
  const komboPrint = fingerprintOf(kombo);
  if (komboPrint.count === mirror.count && komboPrint.checksum === mirror.checksum) {
    return { model, status: 'equal', kombo: komboPrint, mirror };
  }
  const all = diff(kombo, await mirrorStates(deps.db, integrationId, model));
  const counts = {
    missingInMirror: all.missingInMirror.length,
    extraInMirror: all.extraInMirror.length,
    changedAtDiffers: all.changedAtDiffers.length,
    deletionDiffers: all.deletionDiffers.length,
  };
  const first = (ids: string[]) => ids.sort(compareIds).slice(0, SHOWN_IDS);
  return {
    model,
    status: 'different',
    kombo: komboPrint,
    mirror,
    differences: {
      counts,
      missingInMirror: first(all.missingInMirror),
      extraInMirror: first(all.extraInMirror),
      changedAtDiffers: first(all.changedAtDiffers),
      deletionDiffers: first(all.deletionDiffers),
    },
  };
}

/** Every difference between Kombo's and the mirror's record states. */
export function diff(kombo: RecordStates, mirror: RecordStates): ModelDifferences {
  const result: ModelDifferences = {
    missingInMirror: [],
    extraInMirror: [],
    changedAtDiffers: [],
    deletionDiffers: [],
  };
  for (const [id, state] of kombo) {
    const stored = mirror.get(id);
    if (stored === undefined) result.missingInMirror.push(id);
    else if (stored !== state) {
      const [komboChangedAt, komboDeleted] = state.split('\t');
      const [mirrorChangedAt, mirrorDeleted] = stored.split('\t');
      if (komboChangedAt !== mirrorChangedAt) result.changedAtDiffers.push(id);
      if (komboDeleted !== mirrorDeleted) result.deletionDiffers.push(id);
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
  const kinds: [keyof ModelDifferences, string][] = [
    ['missingInMirror', 'missing in mirror'],
    ['extraInMirror', 'extra in mirror'],
    ['changedAtDiffers', 'changed_at differs'],
    ['deletionDiffers', 'deletion state differs'],
  ];
  for (const [key, label] of kinds) {
    if (d.counts[key] === 0) continue;
    const more = d.counts[key] > d[key].length ? `, … ${d.counts[key] - d[key].length} more` : '';
    lines.push(`  ${label} (${d.counts[key]}): ${d[key].join(', ')}${more}`);
  }
  return lines.join('\n');
}
