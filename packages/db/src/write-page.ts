import { getModel, type FieldSpec, type ModelName } from '@kombo-sync/catalog';
import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { ident, literal, tableIdent } from './sql-names.js';

/** A Kombo record as the client returns it; unknown fields are kept in `raw`. */
export interface KomboRecord {
  id: string;
  changed_at: string;
  remote_deleted_at: string | null;
  [field: string]: unknown;
}

export interface WritePageInput {
  integrationId: string;
  model: ModelName;
  records: readonly KomboRecord[];
  /** Kombo-side time of the response that carried the page (its `Date` header). */
  komboFetchedAt: Date;
  /**
   * Orders fetches within one Kombo second (`komboFetchedAt` has 1 s resolution): `fetchOrder(runId, pageIndex)`
   * of ./fetch-order.ts. Default 0 (before any ordered fetch of the same second). Callers that may race other
   * writers of the same rows (the sync worker) must pass it.
   */
  fetchOrder?: number;
  runId: number;
  /** Part of a full pass: the page's ids are recorded in sync_seen_ids for {@link reconcileDeletions}. */
  isFullPass: boolean;
}

export interface WritePageResult {
  inserted: number;
  updated: number;
  /** Distinct records of the page that changed nothing (same data, or older than the stored version). */
  unchanged: number;
  /** Stored versions that carry a `remote_deleted_at` among the inserted/updated ones. */
  deleted: number;
  changedIds: string[];
  deletedIds: string[];
}

/**
 * The page as one JSON text. jsonb rejects the NUL character (`\u0000`), which HR systems occasionally let
 * through; such a page would fail forever, so NULs in strings become U+FFFD (the rest of the record is kept).
 */
function pageJson(records: readonly KomboRecord[]): string {
  const json = JSON.stringify(records);
  if (!json.includes('\\u0000')) return json;
  return JSON.stringify(records, (_key, value: unknown) =>
    typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : value,
  );
}

/** SQL expression reading a catalog field from the jsonb element `e`; JSON null becomes SQL NULL. */
function fieldExpression(name: string, field: FieldSpec): string {
  const text = `(e->>${literal(name)})`;
  switch (field.type) {
    case 'text':
      return text;
    case 'timestamp':
      return `${text}::timestamptz`;
    case 'number':
      return `${text}::double precision`;
    case 'boolean':
      return `${text}::boolean`;
    case 'json':
      return `NULLIF(e->${literal(name)}, 'null'::jsonb)`;
  }
}

interface Statement {
  table: string;
  columns: string;
  values: string;
  updates: string;
}

const statements = new Map<ModelName, Statement>();

function statementFor(model: ModelName): Statement {
  const cached = statements.get(model);
  if (cached) return cached;
  const fields = Object.entries(getModel(model).fields);
  const statement = {
    table: tableIdent(model),
    columns: fields.map(([name]) => ident(name)).join(', '),
    values: fields.map(([name, field]) => fieldExpression(name, field)).join(', '),
    updates: fields.map(([name]) => `${ident(name)} = excluded.${ident(name)}`).join(', '),
  };
  statements.set(model, statement);
  return statement;
}

/**
 * Upserts one page of records in ONE statement over one jsonb parameter. Ids repeated within the page are
 * deduplicated (the latest `changed_at`, then the last occurrence, wins). A stored row is replaced only by a newer
 * version: a later `changed_at`, or the same `changed_at` fetched no earlier — by `(komboFetchedAt, fetchOrder)` —
 * with different data (nested changes do not move `changed_at`); identical data is not rewritten, so a replay
 * changes nothing. `first_seen_at` is kept on update.
 */
export async function writePage(db: DbLike, input: WritePageInput): Promise<WritePageResult> {
  const distinct = new Set(input.records.map((record) => record.id)).size;
  if (distinct === 0) {
    return { inserted: 0, updated: 0, unchanged: 0, deleted: 0, changedIds: [], deletedIds: [] };
  }
  const s = statementFor(input.model);
  const runId = input.runId;
  const order = input.fetchOrder ?? 0;
  if (!Number.isSafeInteger(order) || order < 0) {
    throw new RangeError(`fetchOrder ${order} must be a non-negative safe integer`);
  }
  const query = sql`
    WITH input AS (
      SELECT DISTINCT ON (e->>'id') e
      FROM jsonb_array_elements(${pageJson(input.records)}::jsonb) WITH ORDINALITY AS page(e, ord)
      ORDER BY e->>'id', (e->>'changed_at')::timestamptz DESC NULLS LAST, ord DESC
    ), seen AS (
      INSERT INTO sync_seen_ids (run_id, model, id)
      SELECT ${runId}::bigint, ${input.model}::text, e->>'id' FROM input WHERE ${input.isFullPass}::boolean
      ON CONFLICT DO NOTHING
    )
    INSERT INTO ${sql.raw(s.table)} AS old (integration_id, id, changed_at, remote_deleted_at, raw,
      kombo_fetched_at, kombo_fetch_order, last_run_id, ${sql.raw(s.columns)})
    SELECT ${input.integrationId}::text, e->>'id', (e->>'changed_at')::timestamptz,
      (e->>'remote_deleted_at')::timestamptz, e, ${input.komboFetchedAt.toISOString()}::timestamptz,
      ${order}::bigint, ${runId}::bigint, ${sql.raw(s.values)}
    FROM input
    ON CONFLICT (integration_id, id) DO UPDATE SET
      changed_at = excluded.changed_at, remote_deleted_at = excluded.remote_deleted_at, raw = excluded.raw,
      kombo_fetched_at = excluded.kombo_fetched_at, kombo_fetch_order = excluded.kombo_fetch_order,
      last_seen_at = now(), last_run_id = excluded.last_run_id, ${sql.raw(s.updates)}
    WHERE excluded.changed_at > old.changed_at
      OR (excluded.changed_at = old.changed_at
        AND (excluded.kombo_fetched_at, excluded.kombo_fetch_order) >= (old.kombo_fetched_at, old.kombo_fetch_order)
        AND (excluded.raw IS DISTINCT FROM old.raw OR excluded.remote_deleted_at IS DISTINCT FROM old.remote_deleted_at))
    RETURNING id, (xmax = 0) AS inserted, remote_deleted_at IS NOT NULL AS is_deleted`;
  const result = await toExecutor(db).execute<{ id: string; inserted: boolean; is_deleted: boolean }>(query);
  let inserted = 0;
  const changedIds: string[] = [];
  const deletedIds: string[] = [];
  for (const row of result.rows) {
    if (row.inserted) inserted += 1;
    changedIds.push(row.id);
    if (row.is_deleted) deletedIds.push(row.id);
  }
  return {
    inserted,
    updated: changedIds.length - inserted,
    unchanged: distinct - changedIds.length,
    deleted: deletedIds.length,
    changedIds,
    deletedIds,
  };
}
