import { createHash } from 'node:crypto';
import { isStorableRecordId, type ModelName } from '@kombo-sync/catalog';
import type { ModelKey } from '@kombo-sync/sync';
import { sql, type SQL } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { boundText } from './safe-error.js';
import { storableString } from './storable-text.js';
import type { QuarantineReasonClass } from './schema/quarantined-records.js';

/** One record to set aside (see quarantined_records). */
export interface QuarantineEntry {
  recordId: string;
  /** SQLSTATE, or `CLIENT.SCHEMA_VIOLATION`. */
  reasonCode: string;
  reasonClass: QuarantineReasonClass;
  /** Bounded to 2 KB here; must not carry the record's values. */
  reason: string;
  /** The record's JSON text as received. */
  recordText: string;
}

/** The reason class of a SQLSTATE Postgres refused a record with. */
export function reasonClassOf(sqlstate: string): QuarantineReasonClass {
  if (sqlstate.startsWith('23')) return 'constraint';
  if (sqlstate.startsWith('54')) return 'limit';
  return 'data';
}

const storable = storableString;

/**
 * The key a record is quarantined under: its id, or for an id longer than the mirror stores (`MAX_RECORD_ID_BYTES`
 * of packages/catalog) `sha256:<hex of its UTF-8 bytes>` (`isHashed`), which fits every index and is never
 * refetched by id.
 */
export function quarantineKeyOf(recordId: string): { key: string; isHashed: boolean } {
  const id = storable(recordId);
  if (isStorableRecordId(id)) return { key: id, isHashed: false };
  return { key: `sha256:${createHash('sha256').update(id, 'utf8').digest('hex')}`, isHashed: true };
}

/**
 * Sets records aside (one statement), each under its {@link quarantineKeyOf}: a new key gets `attempts` 1; a key
 * already there takes the new reason and text, `last_seen_at` now, `last_run_id` this run, and `attempts` + 1 unless
 * it was already seen by the same run (a record met twice in one pass counts once).
 */
export async function quarantineRecords(
  db: DbLike,
  input: { integrationId: string; model: ModelName; runId: number; entries: readonly QuarantineEntry[] },
): Promise<void> {
  if (input.entries.length === 0) return;
  const rows = JSON.stringify(
    input.entries.map((entry) => ({
      ...withHashFlag(quarantineKeyOf(entry.recordId)),
      code: storable(entry.reasonCode),
      class: entry.reasonClass,
      reason: storable(boundText(entry.reason)),
      text: storable(entry.recordText),
    })),
  );
  await toExecutor(db).execute(sql`
    INSERT INTO quarantined_records AS q (integration_id, model, record_id, record_id_hashed, reason_code,
      reason_class, reason, record_text, last_run_id)
    SELECT DISTINCT ON (r.id) ${input.integrationId}::text, ${input.model}::text, r.id, r.hashed, r.code, r.class,
      r.reason, r.text, ${input.runId}::bigint
    FROM ROWS FROM (json_to_recordset(${rows}::json)
        AS (id text, hashed boolean, code text, class text, reason text, text text))
      WITH ORDINALITY AS r(id, hashed, code, class, reason, text, ord)
    ORDER BY r.id, r.ord DESC
    ON CONFLICT (integration_id, model, record_id) DO UPDATE SET
      reason_code = excluded.reason_code, reason_class = excluded.reason_class, reason = excluded.reason,
      record_text = excluded.record_text, last_seen_at = now(), last_run_id = excluded.last_run_id,
      attempts = q.attempts + CASE WHEN q.last_run_id = excluded.last_run_id THEN 0 ELSE 1 END`);
}

/** A DELETE (for a CTE of the page statement) taking the ids `ids` (a query of one `id` column) out of quarantine. */
export function unquarantineSql(integrationId: string, model: ModelName, ids: SQL): SQL {
  return sql`DELETE FROM quarantined_records q
    WHERE q.integration_id = ${integrationId}::text AND q.model = ${model}::text AND q.record_id IN (${ids})`;
}

const withHashFlag = ({ key, isHashed }: { key: string; isHashed: boolean }) => ({
  id: key,
  hashed: isHashed,
});

/** The ids of a model's quarantined records for one integration to refetch by id, oldest first (no hashed keys). */
export async function listQuarantinedIds(db: DbLike, input: ModelKey): Promise<string[]> {
  const result = await toExecutor(db).execute<{ record_id: string }>(sql`
    SELECT record_id FROM quarantined_records
    WHERE integration_id = ${input.integrationId}::text AND model = ${input.model}::text AND NOT record_id_hashed
    ORDER BY first_seen_at, record_id`);
  return result.rows.map((row) => row.record_id);
}

/** Every key (id or hashed key, see {@link quarantineKeyOf}) a model's quarantined records of one integration have. */
export async function listQuarantineKeys(db: DbLike, input: ModelKey): Promise<Set<string>> {
  const result = await toExecutor(db).execute<{ record_id: string }>(sql`
    SELECT record_id FROM quarantined_records
    WHERE integration_id = ${input.integrationId}::text AND model = ${input.model}::text`);
  return new Set(result.rows.map((row) => row.record_id));
}

/**
 * A DELETE (for a CTE of the reconciliation) releasing the model's records quarantined under a hashed key that the
 * full pass `passId` did not see: every sighting sets `last_run_id`, and runs of the pass have ids from `passId` on.
 */
export function releaseUnseenHashedSql(integrationId: string, model: ModelName, passId: number): SQL {
  return sql`DELETE FROM quarantined_records q
    WHERE q.integration_id = ${integrationId}::text AND q.model = ${model}::text AND q.record_id_hashed
      AND q.last_run_id < ${passId}::bigint`;
}

/** Takes ids out of quarantine without storing them (Kombo no longer has the record). Returns how many left. */
export async function releaseQuarantined(
  db: DbLike,
  input: ModelKey & { readonly ids: readonly string[] },
): Promise<number> {
  if (input.ids.length === 0) return 0;
  const result = await toExecutor(db).execute(sql`
    DELETE FROM quarantined_records
    WHERE integration_id = ${input.integrationId}::text AND model = ${input.model}::text
      AND record_id IN (SELECT json_array_elements_text(${JSON.stringify(input.ids)}::json))`);
  return result.rowCount ?? 0;
}

/** Quarantined records per model of one integration (models without any are absent). For status and verify. */
export async function countQuarantined(db: DbLike, integrationId: string): Promise<Map<ModelName, number>> {
  const result = await toExecutor(db).execute<{ model: ModelName; count: string }>(sql`
    SELECT model, count(*) AS count FROM quarantined_records
    WHERE integration_id = ${integrationId}::text GROUP BY model`);
  return new Map(result.rows.map((row) => [row.model, Number(row.count)]));
}

/** One row of {@link countQuarantinedByReason}. */
export interface QuarantineCount {
  model: ModelName;
  reasonClass: QuarantineReasonClass;
  count: number;
}

/** Quarantined records over every integration, per model and reason class (bounded labels, for metrics). */
export async function countQuarantinedByReason(db: DbLike): Promise<QuarantineCount[]> {
  const result = await toExecutor(db).execute<{
    model: ModelName;
    reason_class: QuarantineReasonClass;
    count: string;
  }>(sql`
    SELECT model, reason_class, count(*) AS count FROM quarantined_records GROUP BY model, reason_class
    ORDER BY model, reason_class`);
  return result.rows.map((row) => ({
    model: row.model,
    reasonClass: row.reason_class,
    count: Number(row.count),
  }));
}

/** A quarantined record as status pages show it: no record text. */
export interface QuarantinedRecordSummary {
  model: ModelName;
  recordId: string;
  reasonCode: string;
  reason: string;
  attempts: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** The most recently seen quarantined records of one integration (default 50), without their texts. */
export async function listQuarantined(
  db: DbLike,
  integrationId: string,
  limit = 50,
): Promise<QuarantinedRecordSummary[]> {
  const result = await toExecutor(db).execute<{
    model: ModelName;
    record_id: string;
    reason_code: string;
    reason: string;
    attempts: number;
    first_seen_at: Date | string;
    last_seen_at: Date | string;
  }>(sql`
    SELECT model, record_id, reason_code, reason, attempts, first_seen_at, last_seen_at FROM quarantined_records
    WHERE integration_id = ${integrationId}::text ORDER BY last_seen_at DESC, model, record_id LIMIT ${limit}`);
  return result.rows.map((row) => ({
    model: row.model,
    recordId: row.record_id,
    reasonCode: row.reason_code,
    reason: row.reason,
    attempts: row.attempts,
    firstSeenAt: new Date(row.first_seen_at),
    lastSeenAt: new Date(row.last_seen_at),
  }));
}
