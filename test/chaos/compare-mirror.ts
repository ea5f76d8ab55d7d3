// The final check of the chaos run: every row of the mirror against the sandbox's truth (test/chaos/run-chaos.ts).
import { getModel, type KomboCategory, type ModelName } from '@kombo-sync/catalog';
import { modelTables } from '@kombo-sync/db';
import { getTableName } from 'drizzle-orm';
import type pg from 'pg';
import { isoOrNull, parseMs, sortKeys } from './chaos-support.js';

/** Outcome of comparing the mirror with the sandbox's truth; `differing` describes each missing/stale/phantom row. */
export interface Tally {
  rows: number;
  missing: number;
  stale: number;
  phantom: number;
  unreported: number;
  differing: string[];
}

/** An integration of the run and the models it syncs. */
export interface Integration {
  id: string;
  category: KomboCategory;
  models: ModelName[];
}

/** Where the truth and the mirror are read: the sandbox (its admin API and its Kombo API) and the mirror's pool. */
export interface TruthSource {
  sandboxUrl: string;
  apiKey: string;
  pool: pg.Pool;
  admin<T>(method: string, route: string, body?: unknown): Promise<T>;
}

/**
 * Compares every row of every model with the truth; every difference is listed in `differing`. `delta` stage: a
 * row whose `changed_at` and deletion match and whose raw differs only in data Kombo's `updated_after` does not
 * report (asked of the sandbox: the record is not returned with `updated_after` = the time the mirror fetched it)
 * is counted `unreported` instead of stale: a stale embedded copy the refetch of embedding parents missed.
 */
export async function compareMirror(
  source: TruthSource,
  integrations: Integration[],
  stage: 'delta' | 'full',
): Promise<Tally> {
  const tally: Tally = { rows: 0, missing: 0, stale: 0, phantom: 0, unreported: 0, differing: [] };
  for (const integration of integrations) {
    for (const model of integration.models) {
      const { results: truth } = await source.admin<{ results: Record<string, unknown>[] }>(
        'GET',
        `/integrations/${encodeURIComponent(integration.id)}/truth/${model}`,
      );
      const table = getTableName(modelTables[model]);
      const { rows } = await source.pool.query<{
        id: string;
        changed_at: Date;
        remote_deleted_at: Date | null;
        kombo_fetched_at: Date;
        raw: Record<string, unknown>;
      }>(
        `SELECT id, changed_at, remote_deleted_at, kombo_fetched_at, raw FROM "${table}" WHERE integration_id = $1`,
        [integration.id],
      );
      const mirror = new Map(rows.map((row) => [row.id, row]));
      const truthIds = new Set<string>();
      for (const record of truth) {
        tally.rows += 1;
        const id = String(record['id']);
        truthIds.add(id);
        // A model without change stamps is stored with the epoch as changed_at (see hasChangeStamps).
        const truthChangedMs = getModel(model).hasChangeStamps === false ? 0 : parseMs(record['changed_at']);
        const truthDeletedMs = parseMs(record['remote_deleted_at']);
        const truthText = `truth changed_at=${isoOrNull(truthChangedMs)} deleted=${isoOrNull(truthDeletedMs)}`;
        const row = mirror.get(id);
        if (!row) {
          tally.missing += 1;
          tally.differing.push(`missing ${integration.id} ${model} ${id}: mirror none vs ${truthText}`);
          continue;
        }
        const mirrorDeletedMs = row.remote_deleted_at?.getTime() ?? null;
        const isRawEqual = JSON.stringify(sortKeys(row.raw)) === JSON.stringify(sortKeys(record));
        const isOwnEqual = row.changed_at.getTime() === truthChangedMs && mirrorDeletedMs === truthDeletedMs;
        if (isOwnEqual && isRawEqual) continue;
        const fields = isRawEqual
          ? ''
          : ` raw differs in ${Object.keys({ ...row.raw, ...record })
              .filter(
                (key) => JSON.stringify(sortKeys(row.raw[key])) !== JSON.stringify(sortKeys(record[key])),
              )
              .join(',')}`;
        const text =
          `${integration.id} ${model} ${id}: mirror changed_at=${row.changed_at.toISOString()} ` +
          `deleted=${isoOrNull(mirrorDeletedMs)} fetched=${row.kombo_fetched_at.toISOString()} vs ${truthText}${fields}`;
        if (
          stage === 'delta' &&
          isOwnEqual &&
          // An endpoint without updated_after is read whole by every pass: nothing of it goes unreported.
          getModel(model).paging !== 'none' &&
          !(await isReportedSince(source, integration.id, model, id, row.kombo_fetched_at))
        ) {
          // Data Kombo does not re-date the row for: the engine's refetch of embedding parents must have fixed it.
          tally.unreported += 1;
          tally.differing.push(`unreported ${text}`);
          continue;
        }
        tally.stale += 1;
        tally.differing.push(`stale ${text}`);
      }
      for (const row of rows) {
        if (truthIds.has(row.id)) continue;
        // An endpoint without include_deleted (paging 'none') leaves a record Kombo deleted out of its list: the
        // truth no longer has it, and the mirror rightly keeps it marked deleted.
        if (getModel(model).paging === 'none' && row.remote_deleted_at !== null) continue;
        tally.phantom += 1;
        tally.differing.push(
          `phantom ${integration.id} ${model} ${row.id}: mirror changed_at=${row.changed_at.toISOString()} ` +
            `deleted=${isoOrNull(row.remote_deleted_at?.getTime() ?? null)} vs truth none`,
        );
      }
    }
  }
  return tally;
}

/** Whether Kombo (the sandbox's API) returns the record for `updated_after` = `since`, i.e. reports its change. */
async function isReportedSince(
  source: TruthSource,
  integrationId: string,
  model: ModelName,
  id: string,
  since: Date,
): Promise<boolean> {
  const query = new URLSearchParams({
    ids: id,
    updated_after: since.toISOString(),
    include_deleted: 'true',
  });
  const response = await fetch(`${source.sandboxUrl}/v1${getModel(model).path}?${query}`, {
    headers: { authorization: `Bearer ${source.apiKey}`, 'x-integration-id': integrationId },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`sandbox list ${model}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { data: { results: unknown[] } };
  return body.data.results.length > 0;
}
