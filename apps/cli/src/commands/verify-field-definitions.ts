import type { FieldDefinitionKind } from '@kombo-sync/kombo';
import { getFieldDefinitions, type DbLike, type IntegrationRow } from '@kombo-sync/db';
import { terminalText } from '../terminal-text.js';
import { contentHash } from './content-hash.js';

const KINDS: readonly FieldDefinitionKind[] = ['custom-fields', 'integration-fields'];

/** What verify needs from Kombo for the definitions: the client's `fieldDefinitions()` (a complete listing). */
export interface FieldDefinitionsSource {
  fieldDefinitions(
    kind: FieldDefinitionKind,
    integrationId: string,
  ): Promise<{ results: readonly { id: string; [field: string]: unknown }[] }>;
}

/** One listing's result, as `--json` prints it. */
export interface FieldDefinitionsVerification {
  kind: FieldDefinitionKind;
  /** `not-read`: the workers have not read the definitions yet (not a difference; `lastError` says why, if known). */
  status: 'equal' | 'different' | 'not-read';
  /** Definitions Kombo lists, and the mirror's still-listed ones (`removed_at` null). */
  kombo?: number;
  mirror: number;
  /** First 20 ids (byte order) of each kind of difference. */
  missingInMirror?: string[];
  extraInMirror?: string[];
  contentDiffers?: string[];
  lastError?: string;
}

const SHOWN_IDS = 20;

/**
 * Compares each listing Kombo serves now with the mirror's still-listed definitions, per id on the definition's
 * canonical content (the mirror's `raw`).
 */
export async function verifyFieldDefinitions(
  db: DbLike,
  source: FieldDefinitionsSource,
  integration: IntegrationRow,
): Promise<FieldDefinitionsVerification[]> {
  const stored = await getFieldDefinitions(db, integration.id);
  const results: FieldDefinitionsVerification[] = [];
  for (const kind of KINDS) {
    const rows = (kind === 'custom-fields' ? stored.customFields : stored.integrationFields).filter(
      (row) => row.removedAt === null,
    );
    const mirror = new Map(rows.map((row) => [row.id, contentHash(row.raw)]));
    if (integration.fieldDefinitionsRefreshedAt === null) {
      const lastError = integration.fieldDefinitionsError;
      results.push({ kind, status: 'not-read', mirror: mirror.size, ...(lastError ? { lastError } : {}) });
      continue;
    }
    const listed = (await source.fieldDefinitions(kind, integration.id)).results;
    const kombo = new Map(listed.map((definition) => [definition.id, contentHash(definition)]));
    const missingInMirror: string[] = [];
    const contentDiffers: string[] = [];
    for (const [id, hash] of kombo) {
      const inMirror = mirror.get(id);
      if (inMirror === undefined) missingInMirror.push(id);
      else if (inMirror !== hash) contentDiffers.push(id);
    }
    const extraInMirror = [...mirror.keys()].filter((id) => !kombo.has(id));
    const isEqual = missingInMirror.length + contentDiffers.length + extraInMirror.length === 0;
    const first = (ids: string[]) => ids.sort().slice(0, SHOWN_IDS);
    results.push({
      kind,
      status: isEqual ? 'equal' : 'different',
      kombo: kombo.size,
      mirror: mirror.size,
      ...(isEqual
        ? {}
        : {
            missingInMirror: first(missingInMirror),
            extraInMirror: first(extraInMirror),
            contentDiffers: first(contentDiffers),
          }),
    });
  }
  return results;
}

/** The human-readable lines of one listing's result. */
export function describeFieldDefinitions(result: FieldDefinitionsVerification): string {
  if (result.status === 'not-read') {
    const why = result.lastError ? `; last error: ${terminalText(result.lastError)}` : '';
    return `${result.kind}: not read by the workers yet${why}`;
  }
  if (result.status === 'equal') return `${result.kind}: equal (${result.mirror} definitions)`;
  const lines = [
    `${result.kind}: DIFFERENT (Kombo ${result.kombo ?? 0} definitions, mirror ${result.mirror})`,
  ];
  for (const [label, ids] of [
    ['missing in mirror', result.missingInMirror],
    ['extra in mirror', result.extraInMirror],
    ['content differs', result.contentDiffers],
  ] as const) {
    if (ids && ids.length > 0) lines.push(`  ${label}: ${ids.map((id) => terminalText(id, 120)).join(', ')}`);
  }
  return lines.join('\n');
}
