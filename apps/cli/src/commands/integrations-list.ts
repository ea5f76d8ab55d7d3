import { listIntegrations, type DbLike } from '@kombo-sync/db';
import { environmentOf } from '@kombo-sync/kombo';
import { EXIT } from '../errors.js';
import { formatTable, formatTime } from '../format.js';
import type { Output } from '../output.js';
import { terminalJson } from '../terminal-text.js';

export interface IntegrationsListOptions {
  json?: boolean;
  /** Include integrations Kombo deleted; default false. */
  includeDeleted?: boolean;
}

/** `kombo-sync integrations list`: the known integrations, ordered by id. Exit 0. */
export async function runIntegrationsList(
  deps: { db: DbLike; out: Output },
  options: IntegrationsListOptions = {},
): Promise<number> {
  const rows = await listIntegrations(deps.db, { includeDeleted: options.includeDeleted ?? false });
  if (options.json) {
    const integrations = rows.map((row) => ({ ...row, environment: environmentOf(row.id) }));
    deps.out.out(terminalJson({ integrations }));
    return EXIT.ok;
  }
  if (rows.length === 0) {
    deps.out.out('No integrations.');
    return EXIT.ok;
  }
  deps.out.out(
    formatTable(
      ['INTEGRATION', 'ENVIRONMENT', 'TOOL', 'CATEGORY', 'STATE', 'ORGANIZATION', 'CREATED', 'DELETED'],
      rows.map((r) => [
        r.id,
        environmentOf(r.id),
        r.tool,
        r.category,
        `${r.state ?? '-'}${r.isPaused ? ' (paused)' : ''}${r.notFoundSince ? ' (not found)' : ''}`,
        r.organizationName,
        formatTime(r.createdAt),
        r.deletedAt ? formatTime(r.deletedAt) : '',
      ]),
    ),
  );
  return EXIT.ok;
}
