import { createHash } from 'node:crypto';
import { getModel, type FieldSpec, type ModelName } from '@kombo-sync/catalog';
import { sql, type SQL } from 'drizzle-orm';
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
  /**
   * The records' JSON texts as received from Kombo, aligned with `records`: stored (and hashed) as they are, instead
   * of serialising the parsed records again. They must be the texts `records` were parsed from.
   */
  rawRecords?: readonly string[];
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
  /**
   * No pass of this model has completed for the integration yet (it has no watermark), so its records are
   * expected to be new. Only picks the cheaper statement shape for that case (the page parsed once, as jsonb);
   * the result is the same either way, so a wrong hint costs time, never correctness.
   */
  isInitialPass?: boolean;
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
 * The mirror's rule for the NUL character, which jsonb cannot store: each one in a string value becomes U+FFFD
 * (keys are left as they are). Whoever compares records with the mirror's `raw` applies the same rule.
 */
export function replaceNul(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

const withoutNul = (_key: string, value: unknown): unknown =>
  typeof value === 'string' ? replaceNul(value) : value;

/**
 * The page as one JSON text: per record `{ i: id, c: changed_at, d: remote_deleted_at, h: hash, r: record }`, where
 * `r` is the record's JSON (its text as received when `rawRecords` has it, else the parsed record serialised) and
 * `h` the SHA-1 of that text in hex. Equal hashes mean equal data, so the no-op path skips a row by comparing hashes
 * alone; different hashes (a change, or only another key order or spacing, which jsonb does not keep) are confirmed
 * by comparing `raw` as jsonb in the guard. jsonb rejects the NUL character (`\u0000`), which HR systems
 * occasionally let through; such a page would fail forever, so NULs in strings become U+FFFD (the rest of the record
 * is kept).
 * Exported for bench/unguarded-write-page.ts (not from the package), which must send the same parameter.
 */
export function pageJson(records: readonly KomboRecord[], rawRecords?: readonly string[]): string {
  if (rawRecords && rawRecords.length !== records.length) {
    throw new RangeError(`rawRecords has ${rawRecords.length} texts for ${records.length} records`);
  }
  const parts = records.map((record, index) => {
    // JSON text can only carry a NUL as the escape \u0000; a text with it is replaced by the record without NULs.
    let json = rawRecords?.[index] ?? JSON.stringify(record);
    let clean = (value: unknown) => value;
    if (json.includes('\\u0000')) {
      json = JSON.stringify(record, withoutNul);
      clean = (value) => withoutNul('', value);
    }
    const hash = createHash('sha1').update(json).digest('hex');
    const head = JSON.stringify({
      i: clean(record.id),
      c: clean(record.changed_at),
      d: clean(record.remote_deleted_at),
      h: hash,
    });
    return `${head.slice(0, -1)},"r":${json}}`;
  });
  return `[${parts.join(',')}]`;
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
 * Does the version `n` (fetched at `fetched`) replace the stored row `old`? `data` decides "differs": `hash`
 * compares `raw_hash` only (equal hashes mean equal data: the cheap no-op test before any jsonb work; a NULL stored
 * hash, from before the column existed, counts as different), `raw` compares the records as jsonb (exact whatever
 * the key order; used on the rows the hash test let through).
 *
 * - A delta (the stale-overwrite guard): a later `changed_at` replaces; the same `changed_at` replaces when fetched
 *   no earlier and the data or deletion state differs. Older data never overwrites newer data.
 * - A full pass (the repair rule): any version that differs in data or deletion state replaces, whatever its
 *   `changed_at` or the stored row's fetch time say (a Kombo clock that stepped back, a row written wrongly before),
 *   except a version this same run already replaced with one fetched later (a record met on two pages). No other
 *   run writes the integration meanwhile (the fence), so the pass leaves each row as Kombo last served it.
 */
function guard(
  alias: 'n' | 'excluded',
  fetched: SQL,
  data: 'hash' | 'raw',
  fullPassRunId: number | null,
): SQL {
  const n = sql.raw(alias);
  const differs =
    data === 'hash'
      ? sql`${n}.raw_hash IS DISTINCT FROM old.raw_hash`
      : sql`(old.raw_hash IS NULL OR ${n}.raw IS DISTINCT FROM old.raw)`;
  const isDifferent = sql`(${differs} OR ${n}.remote_deleted_at IS DISTINCT FROM old.remote_deleted_at)`;
  if (fullPassRunId !== null) {
    return sql`(${isDifferent} AND (old.last_run_id IS DISTINCT FROM ${fullPassRunId}::bigint
      OR ${fetched} >= (old.kombo_fetched_at, old.kombo_fetch_order)))`;
  }
  return sql`(${n}.changed_at > old.changed_at
    OR (${n}.changed_at = old.changed_at
      AND ${fetched} >= (old.kombo_fetched_at, old.kombo_fetch_order)
      AND ${isDifferent}))`;
}

/**
 * Upserts one page of records in ONE statement over one JSON parameter. Ids repeated within the page are
 * deduplicated (the latest `changed_at`, then the last occurrence, wins). On a delta a stored row is replaced only by
 * a newer version: a later `changed_at`, or the same `changed_at` fetched no earlier — by `(komboFetchedAt,
 * fetchOrder)` — with different data (nested changes do not move `changed_at`; equal `raw_hash`, the SHA-1 of the
 * record's JSON text, means equal data, and different hashes are confirmed by comparing `raw` as jsonb). On a full
 * pass any different version replaces it (see {@link guard}: the repair rule). Identical data is never rewritten,
 * so a replay changes nothing. `first_seen_at` is kept on update. A full pass records the ids it saw but did not
 * write in sync_seen_ids, for {@link reconcileDeletions}.
 *
 * Cost: the page goes in as `json` (validated, not parsed into jsonb). Each record's id, times and hash are read
 * from a small head and compared with the stored row by a primary-key probe; only records the guard lets through
 * are converted to jsonb and have their typed columns extracted. On an initial pass, where nearly every record is
 * new and would be converted anyway, the page goes in as `jsonb` instead: parsed once rather than lexed as json and
 * then parsed again record by record (measured: 2–4 µs of Postgres's ~160 µs per row on a first sync).
 *
 * The ON CONFLICT clause applies the same guard again to the row version it locks: the probe reads the statement's
 * snapshot, so it only skips records that are a no-op (or stale) against it — as if written at the snapshot, before
 * any concurrent writer — while a record that passes is decided against the latest committed version, so two
 * writers racing never let older data win.
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
  const fetched = sql`(${input.komboFetchedAt.toISOString()}::timestamptz, ${order}::bigint)`;
  const fullPassRunId = input.isFullPass ? runId : null;
  const page = pageJson(input.records, input.rawRecords);
  const records = input.isInitialPass
    ? sql`jsonb_to_recordset(${page}::jsonb) AS (i text, c text, d text, h text, r jsonb)`
    : sql`json_to_recordset(${page}::json) AS (i text, c text, d text, h text, r json)`;
  const asJsonb = input.isInitialPass ? sql.raw('n.r') : sql.raw('n.r::jsonb');
  const query = sql`
    WITH input AS (
      SELECT DISTINCT ON (p.i) p.i AS id, p.c::timestamptz AS changed_at, p.d::timestamptz AS remote_deleted_at,
        decode(p.h, 'hex') AS raw_hash, p.r
      FROM ROWS FROM (${records}) WITH ORDINALITY AS p(i, c, d, h, r, ord)
      ORDER BY p.i, p.c::timestamptz DESC NULLS LAST, p.ord DESC
    ), pending AS (
      -- OFFSET 0 keeps each a primary-key probe (never a join plan over the whole table), and the jsonb
      -- conversion evaluated once per record rather than once per typed column.
      SELECT n.*, ${asJsonb} AS e FROM input n
      WHERE NOT EXISTS (
        SELECT 1 FROM ${sql.raw(s.table)} AS old
        WHERE old.integration_id = ${input.integrationId}::text AND old.id = n.id
          AND NOT ${guard('n', fetched, 'hash', fullPassRunId)}
        OFFSET 0
      )
      OFFSET 0
    ), written AS (
      INSERT INTO ${sql.raw(s.table)} AS old (integration_id, id, changed_at, remote_deleted_at, raw, raw_hash,
        kombo_fetched_at, kombo_fetch_order, last_run_id, ${sql.raw(s.columns)})
      SELECT ${input.integrationId}::text, id, changed_at, remote_deleted_at, e, raw_hash,
        ${input.komboFetchedAt.toISOString()}::timestamptz, ${order}::bigint, ${runId}::bigint, ${sql.raw(s.values)}
      FROM pending
      ON CONFLICT (integration_id, id) DO UPDATE SET
        changed_at = excluded.changed_at, remote_deleted_at = excluded.remote_deleted_at, raw = excluded.raw,
        raw_hash = excluded.raw_hash, kombo_fetched_at = excluded.kombo_fetched_at,
        kombo_fetch_order = excluded.kombo_fetch_order, last_seen_at = now(), last_run_id = excluded.last_run_id,
        ${sql.raw(s.updates)}
      WHERE ${guard('excluded', sql`(excluded.kombo_fetched_at, excluded.kombo_fetch_order)`, 'raw', fullPassRunId)}
      RETURNING id, (xmax = 0) AS inserted, remote_deleted_at IS NOT NULL AS is_deleted
    ), seen AS (
      -- A full pass remembers the ids it saw but did not write (unchanged, or kept by the guard). Rows it wrote
      -- carry this run's id, which already keeps them out of reconcileDeletions: no seen id needed for them.
      INSERT INTO sync_seen_ids (run_id, model, id)
      SELECT ${runId}::bigint, ${input.model}::text, i.id FROM input i
      WHERE ${input.isFullPass}::boolean AND NOT EXISTS (SELECT 1 FROM written w WHERE w.id = i.id)
      ON CONFLICT DO NOTHING
    )
    SELECT id, inserted, is_deleted FROM written`;
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
