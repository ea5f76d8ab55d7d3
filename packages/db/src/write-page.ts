import { createHash } from 'node:crypto';
import {
  getModel,
  isStorableRecordId,
  MAX_RECORD_ID_BYTES,
  type FieldSpec,
  type KomboRecord,
  type KomboRejectedRecord,
  type ModelName,
} from '@kombo-sync/catalog';
import type { WritePageInput, WritePageResult } from '@kombo-sync/sync';
import { sql, type SQL } from 'drizzle-orm';
import { toExecutor, type DbLike, type Executor } from './create-database.js';
import { fetchOrder } from './fetch-order.js';
import {
  quarantineRecords,
  reasonClassOf,
  unquarantineSql,
  type QuarantineEntry,
} from './quarantine-store.js';
import { isDataSqlstate, sqlstateOf, toSafeStoreError } from './safe-error.js';
import { storableString } from './storable-text.js';
import { ident, literal, tableIdent } from './sql-names.js';

export type { KomboRecord, KomboRejectedRecord, WritePageInput, WritePageResult };

/** How packages/db writes a page, beyond the engine's {@link WritePageInput}. */
export interface WritePageOptions {
  /**
   * The fast path: the page statement alone, no savepoint around it. A page Postgres refuses for its data then
   * throws {@link PoisonPageError} and leaves the caller's transaction aborted: the caller runs its transaction
   * again without this flag, which quarantines the refused records. Default false (savepoint, quarantine at once).
   */
  shouldThrowOnPoison?: boolean;
  /**
   * Orders fetches within one Kombo second (`komboFetchedAt` has 1 s resolution). Default
   * `fetchOrder(runId, pageIndex)` of ./fetch-order.ts; only tests and tools that write outside a run set it.
   */
  fetchOrder?: number;
}

// A JSON text can carry what Postgres refuses only as an escape: `\u0000` (jsonb and text reject NUL) or a lone
// UTF-16 surrogate (`\ud800` without its pair; jsonb rejects it). A well-formed pair (`\ud83d\ude00`) is fine.
const UNSTORABLE_ESCAPE =
  /\\u0000|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;
/** `value` with {@link storableString} applied to every string and every object key, at any depth. */
function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storableString(value);
  if (Array.isArray(value)) return value.map(storableValue);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, nested] of Object.entries(value)) out[storableString(key)] = storableValue(nested);
    return out;
  }
  return value;
}

/**
 * The page as one JSON text: per record `{ i: id, c: changed_at, d: remote_deleted_at, h: hash, r: record }`, where
 * `r` is the record's JSON (its text as received when `rawRecords` has it, else the parsed record serialised) and
 * `h` the SHA-1 of that text in hex. Equal hashes mean equal data, so the no-op path skips a row by comparing hashes
 * alone; different hashes (a change, or only another key order or spacing, which jsonb does not keep) are confirmed
 * by comparing `raw` as jsonb in the guard. jsonb rejects the NUL character (`\u0000`) and lone UTF-16 surrogates
 * (`\ud800` without its pair), which HR systems occasionally let through, in keys as in values; such a page would
 * fail forever, so those characters become U+FFFD wherever they occur (the rest of the record is kept).
 * Exported for bench/unguarded-write-page.ts (not from the package), which must send the same parameter.
 */
export function pageJson(records: readonly KomboRecord[], rawRecords?: readonly string[]): string {
  if (rawRecords && rawRecords.length !== records.length) {
    throw new RangeError(`rawRecords has ${rawRecords.length} texts for ${records.length} records`);
  }
  const parts = records.map((record, index) => {
    let json = rawRecords?.[index] ?? JSON.stringify(record);
    let clean = (value: unknown) => value;
    if (json.includes('\\u') && UNSTORABLE_ESCAPE.test(json)) {
      json = JSON.stringify(storableValue(record));
      clean = storableValue;
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

interface PageStatementInput {
  integrationId: string;
  model: ModelName;
  records: readonly KomboRecord[];
  rawRecords: readonly string[] | undefined;
  komboFetchedAt: Date;
  order: number;
  runId: number;
  isFullPass: boolean;
  isInitialPass: boolean;
  seenPassId: number | null;
}

/** The page statement's counts (a {@link WritePageResult} without the quarantine), built up across parts. */
interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  changedIds: string[];
  deletedIds: string[];
}

/**
 * The page's records as a row source for the statement: `jsonb` on an initial pass (the copy is stored as is), else
 * `json`, converted once per record in the statement.
 */
function pageRecordsSql(input: PageStatementInput): { records: SQL; asJsonb: SQL } {
  const page = pageJson(input.records, input.rawRecords);
  const records = input.isInitialPass
    ? sql`jsonb_to_recordset(${page}::jsonb) AS (i text, c text, d text, h text, r jsonb)`
    : sql`json_to_recordset(${page}::json) AS (i text, c text, d text, h text, r json)`;
  const asJsonb = input.isInitialPass ? sql.raw('n.r') : sql.raw('n.r::jsonb');
  return { records, asJsonb };
}

/** The page statement of {@link writePage}: one statement writing, remembering and unquarantining the page. */
function pageStatementSql(input: PageStatementInput): SQL {
  const s = statementFor(input.model);
  const { runId, order } = input;
  const fetched = sql`(${input.komboFetchedAt.toISOString()}::timestamptz, ${order}::bigint)`;
  const fullPassRunId = input.isFullPass ? runId : null;
  const { records, asJsonb } = pageRecordsSql(input);
  return sql`
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
      -- A record the deleted-rows retention purged stays out while Kombo serves it deleted and unchanged.
      AND (n.remote_deleted_at IS NULL OR NOT EXISTS (
        SELECT 1 FROM purged_records p
        WHERE p.integration_id = ${input.integrationId}::text AND p.model = ${input.model}::text
          AND p.record_id = n.id AND n.changed_at <= p.changed_at
        OFFSET 0
      ))
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
      -- A full pass (or a delta, for the model's open pass) remembers the ids it saw but did not write (unchanged,
      -- or kept by the guard). Rows it wrote carry this run's id, which already keeps them out of
      -- reconcileDeletions: no seen id needed for them.
      INSERT INTO sync_seen_ids (run_id, model, id)
      SELECT ${input.seenPassId}::bigint, ${input.model}::text, i.id FROM input i
      WHERE ${input.seenPassId !== null}::boolean AND NOT EXISTS (SELECT 1 FROM written w WHERE w.id = i.id)
      ON CONFLICT DO NOTHING
    ), unquarantined AS (
      -- A record that stores (written, unchanged or stale) leaves quarantine.
      ${unquarantineSql(input.integrationId, input.model, sql`SELECT id FROM input`)}
    )
    SELECT id, inserted, is_deleted FROM written`;
}

/** The counts of the page statement's written rows, out of `distinct` ids on the page. */
function countsOf(
  rows: readonly { id: string; inserted: boolean; is_deleted: boolean }[],
  distinct: number,
): Counts {
  let inserted = 0;
  const changedIds: string[] = [];
  const deletedIds: string[] = [];
  for (const row of rows) {
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

/** The page statement (see {@link writePage}) over `input.records`, run on `executor`; the counts of its rows. */
async function runPageStatement(
  executor: Executor,
  input: PageStatementInput,
  isInSavepoint = true,
): Promise<Counts> {
  const distinct = new Set(input.records.map((record) => record.id)).size;
  const query = pageStatementSql(input);
  type Row = { id: string; inserted: boolean; is_deleted: boolean };
  // A savepoint (a transaction when `executor` is not in one): a refused page leaves the caller's transaction usable.
  const result = isInSavepoint
    ? await executor.transaction((savepoint) => savepoint.execute<Row>(query))
    : await executor.execute<Row>(query);
  return countsOf(result.rows, distinct);
}

/** Indexes of the version of each id the page statement keeps: the latest `changed_at`, then the last occurrence. */
function keptIndexes(records: readonly KomboRecord[]): number[] {
  const byId = new Map<string, number>();
  records.forEach((record, index) => {
    const kept = byId.get(record.id);
    if (kept === undefined || !(Date.parse(record.changed_at) < Date.parse(records[kept]!.changed_at))) {
      byId.set(record.id, index);
    }
  });
  return [...byId.values()].sort((a, b) => a - b);
}

const isDataError = (error: unknown): boolean => isDataSqlstate(sqlstateOf(error));

/**
 * Postgres refused a page written with `shouldThrowOnPoison` for its data: run the transaction again without the
 * flag. `code` is the SQLSTATE; the message is Postgres's, made safe; the original error is not kept (drizzle's
 * carries the statement and the page).
 */
export class PoisonPageError extends Error {
  readonly code: string;
  constructor(error: unknown) {
    const safe = toSafeStoreError(error);
    super(`page refused for its data, to be written record by record: ${safe.message}`);
    this.name = 'PoisonPageError';
    this.code = safe.code;
  }
}

/**
 * Upserts one page of records in ONE statement over one JSON parameter. Ids repeated within the page are
 * deduplicated (the latest `changed_at`, then the last occurrence, wins). On a delta a stored row is replaced only by
 * a newer version: a later `changed_at`, or the same `changed_at` fetched no earlier — by `(komboFetchedAt,
 * fetchOrder)` — with different data (nested changes do not move `changed_at`; equal `raw_hash`, the SHA-1 of the
 * record's JSON text, means equal data, and different hashes are confirmed by comparing `raw` as jsonb). On a full
 * pass any different version replaces it (see {@link guard}: the repair rule). A deleted version of a record the
 * deleted-rows retention purged (`purged_records`) is not stored unless its `changed_at` is later than the purged
 * one's. Identical data is never rewritten,
 * so a replay changes nothing. `first_seen_at` is kept on update. A full pass records the ids it saw but did not
 * write in sync_seen_ids, for {@link reconcileDeletions}.
 *
 * Cost: the page goes in as `json` (validated, not parsed into jsonb). Each record's id, times and hash are read
 * from a small head and compared with the stored row by a primary-key probe; only records the guard lets through
 * are converted to jsonb and have their typed columns extracted. On an initial pass, where nearly every record is
 * new and would be converted anyway, the page goes in as `jsonb` instead: parsed once rather than lexed as json and
 * then parsed again record by record (figures: bench/README.md, "Figures behind code choices").
 *
 * The ON CONFLICT clause applies the same guard again to the row version it locks: the probe reads the statement's
 * snapshot, so it only skips records that are a no-op (or stale) against it — as if written at the snapshot, before
 * any concurrent writer — while a record that passes is decided against the latest committed version, so two
 * writers racing never let older data win.
 *
 * Poison records: NUL and lone surrogates become U+FFFD ({@link pageJson}). The statement runs in a savepoint; when
 * Postgres refuses the page for its data (a data-class SQLSTATE, see `isDataSqlstate`: a number jsonb or a double
 * column cannot hold, a timestamp timestamptz rejects…), the page is written again by bisection, each part in its own
 * savepoint, and every record Postgres refuses on its own is set aside in `quarantined_records` with Postgres's
 * reason (SQLSTATE, message without values, record id); the page's other records are stored. `rejected` records are
 * quarantined too, and so are records whose id is longer than the mirror stores (`MAX_RECORD_ID_BYTES`), before the
 * statement: no index ever receives such an id. Any record the page stores leaves quarantine. Other errors (connection, lock…) propagate as they
 * are. Clean pages cost one statement plus the savepoint, or the statement alone with `shouldThrowOnPoison` (the
 * caller then redoes its transaction without it when a {@link PoisonPageError} says the page holds poison).
 */
export async function writePage(
  db: DbLike,
  input: WritePageInput & WritePageOptions,
): Promise<WritePageResult> {
  const order = input.fetchOrder ?? fetchOrder(input.runId, input.pageIndex);
  if (!Number.isSafeInteger(order) || order < 0) {
    throw new RangeError(`fetchOrder ${order} must be a non-negative safe integer`);
  }
  if (input.rawRecords && input.rawRecords.length !== input.records.length) {
    throw new RangeError(
      `rawRecords has ${input.rawRecords.length} texts for ${input.records.length} records`,
    );
  }
  const executor = toExecutor(db);
  const base = {
    integrationId: input.integrationId,
    model: input.model,
    komboFetchedAt: input.komboFetchedAt,
    order,
    runId: input.runId,
    isFullPass: input.isFullPass,
    isInitialPass: input.isInitialPass ?? false,
    seenPassId: input.passId ?? (input.isFullPass ? input.runId : null),
  };
  const quarantine: QuarantineEntry[] = (input.rejected ?? []).map((rejected) => ({
    recordId: rejected.id,
    reasonCode: 'CLIENT.SCHEMA_VIOLATION',
    reasonClass: 'schema',
    reason: rejected.reason,
    recordText: rejected.text,
  }));
  const page = withoutUnstorableIds(input, quarantine);
  let counts: Counts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0, changedIds: [], deletedIds: [] };
  if (page.records.length > 0) {
    try {
      counts = await runPageStatement(executor, { ...base, ...page }, !input.shouldThrowOnPoison);
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (input.shouldThrowOnPoison) throw new PoisonPageError(error);
      counts = await writeByBisection(executor, base, page, keptIndexes(page.records), quarantine);
    }
  }
  if (quarantine.length > 0) {
    await quarantineRecords(executor, {
      integrationId: input.integrationId,
      model: input.model,
      runId: input.runId,
      entries: quarantine,
    });
  }
  return { ...counts, quarantined: quarantine.length, quarantinedIds: quarantine.map((q) => q.recordId) };
}

/** Where a quarantine reason shows a record id too long to store: its first characters. */
const SHOWN_ID_CHARS = 32;

/**
 * The page without its records whose id is longer than the mirror stores ({@link MAX_RECORD_ID_BYTES}): Postgres's
 * btree would refuse it in the table's primary key (and in sync_seen_ids), failing the page on every retry. Each is
 * added to `quarantine` instead (under a hashed key, see `quarantineKeyOf`), so the rest of the page stores.
 */
function withoutUnstorableIds(
  input: Pick<WritePageInput, 'records' | 'rawRecords'>,
  quarantine: QuarantineEntry[],
): { records: readonly KomboRecord[]; rawRecords: readonly string[] | undefined } {
  if (input.records.every((record) => isStorableRecordId(record.id))) {
    return { records: input.records, rawRecords: input.rawRecords };
  }
  const records: KomboRecord[] = [];
  const rawRecords: string[] = [];
  input.records.forEach((record, index) => {
    const text = input.rawRecords?.[index];
    if (isStorableRecordId(record.id)) {
      records.push(record);
      if (text !== undefined) rawRecords.push(text);
      return;
    }
    const bytes = Buffer.byteLength(record.id, 'utf8');
    quarantine.push({
      recordId: record.id,
      reasonCode: 'SYNC.ID_TOO_LONG',
      reasonClass: 'limit',
      reason:
        `record id of ${bytes} bytes is longer than the ${MAX_RECORD_ID_BYTES} bytes the mirror stores ` +
        `(it starts ${JSON.stringify(record.id.slice(0, SHOWN_ID_CHARS))})`,
      recordText: text ?? JSON.stringify(record),
    });
  });
  return { records, rawRecords: input.rawRecords ? rawRecords : undefined };
}

/**
 * Writes the records at `indexes` (distinct ids, in page order) in parts: a part Postgres refuses for its data is
 * halved until the refused records stand alone; those are added to `quarantine`. Parts run in page order, each in
 * its own savepoint, so k bad records among n cost about k·log2(n) extra statements.
 */
async function writeByBisection(
  executor: Executor,
  base: Omit<PageStatementInput, 'records' | 'rawRecords'>,
  input: Pick<WritePageInput, 'records' | 'rawRecords'>,
  indexes: readonly number[],
  quarantine: QuarantineEntry[],
): Promise<Counts> {
  const total: Counts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0, changedIds: [], deletedIds: [] };
  const write = async (part: readonly number[]): Promise<void> => {
    try {
      const counts = await runPageStatement(executor, {
        ...base,
        records: part.map((index) => input.records[index]!),
        rawRecords: input.rawRecords ? part.map((index) => input.rawRecords![index]!) : undefined,
      });
      total.inserted += counts.inserted;
      total.updated += counts.updated;
      total.unchanged += counts.unchanged;
      total.deleted += counts.deleted;
      total.changedIds.push(...counts.changedIds);
      total.deletedIds.push(...counts.deletedIds);
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (part.length > 1) {
        const middle = Math.ceil(part.length / 2);
        await write(part.slice(0, middle));
        await write(part.slice(middle));
        return;
      }
      const index = part[0]!;
      const record = input.records[index]!;
      const sqlstate = sqlstateOf(error) ?? '22000';
      quarantine.push({
        recordId: record.id,
        reasonCode: sqlstate,
        reasonClass: reasonClassOf(sqlstate),
        reason: toSafeStoreError(error, record.id).message,
        recordText: input.rawRecords?.[index] ?? JSON.stringify(record),
      });
    }
  };
  await write(indexes);
  return total;
}
