import { createHash } from 'node:crypto';
import type { ModelName } from '@kombo-sync/catalog';
import { modelTables, type DbLike, type Executor } from '@kombo-sync/db';
import { sql } from 'drizzle-orm';

/**
 * What verify compares per record: `changed_at` (UTC, millisecond ISO-8601) and whether it is deleted. The
 * checksum is md5 over the lines `id\tchanged_at\t0|1` sorted by id (byte order), joined by `\n`, computed the
 * same way in SQL and in JS.
 */
export interface Fingerprint {
  count: number;
  checksum: string;
}

/** id → `changed_at\t0|1`. */
export type RecordStates = Map<string, string>;

export function recordState(changedAt: string, remoteDeletedAt: string | null | undefined): string {
  const date = new Date(changedAt);
  const iso = Number.isNaN(date.getTime()) ? changedAt : date.toISOString();
  return `${iso}\t${remoteDeletedAt === null || remoteDeletedAt === undefined ? 0 : 1}`;
}

/** Byte order of UTF-8, as Postgres' COLLATE "C" sorts (code point order). */
export function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function fingerprintOf(states: RecordStates): Fingerprint {
  const ids = [...states.keys()].sort(compareIds);
  const text = ids.map((id) => `${id}\t${states.get(id) ?? ''}`).join('\n');
  return { count: ids.length, checksum: createHash('md5').update(text).digest('hex') };
}

function executor(db: DbLike): Executor {
  return 'pool' in db && 'close' in db ? (db.db as unknown as Executor) : db;
}

function stateExpression(model: ModelName) {
  const table = modelTables[model];
  return sql`to_char(${table.changedAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || E'\t' ||
    CASE WHEN ${table.remoteDeletedAt} IS NULL THEN '0' ELSE '1' END`;
}

/** The mirror's fingerprint of one model of one integration, computed in Postgres (no rows transferred). */
export async function mirrorFingerprint(
  db: DbLike,
  integrationId: string,
  model: ModelName,
): Promise<Fingerprint> {
  const table = modelTables[model];
  const result = await executor(db).execute<{ count: string; checksum: string }>(sql`
    SELECT count(*) AS count, md5(coalesce(string_agg(${table.id} || E'\t' || ${stateExpression(model)}, E'\n'
      ORDER BY ${table.id} COLLATE "C"), '')) AS checksum
    FROM ${table} WHERE ${table.integrationId} = ${integrationId}`);
  const row = result.rows[0];
  return { count: Number(row?.count ?? 0), checksum: row?.checksum ?? '' };
}

/** The mirror's per-record states of one model of one integration (read only when the fingerprints differ). */
export async function mirrorStates(
  db: DbLike,
  integrationId: string,
  model: ModelName,
): Promise<RecordStates> {
  const table = modelTables[model];
  const result = await executor(db).execute<{ id: string; state: string }>(sql`
    SELECT ${table.id} AS id, ${stateExpression(model)} AS state
    FROM ${table} WHERE ${table.integrationId} = ${integrationId}`);
  return new Map(result.rows.map((row) => [row.id, row.state]));
}
