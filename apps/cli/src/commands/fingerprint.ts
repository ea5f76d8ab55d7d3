import { createHash } from 'node:crypto';
import type { ModelName } from '@kombo-sync/catalog';
import { modelTables, type DbLike, type Executor } from '@kombo-sync/db';
import { sql } from 'drizzle-orm';
import { contentHash } from './content-hash.js';

/**
 * What verify compares per record: `changed_at` (UTC, millisecond ISO-8601), whether it is deleted, and the
 * {@link contentHash} of the whole record (Kombo's parsed record; the mirror's `raw`). The checksum is md5 over the
 * lines `id\tchanged_at\t0|1\tcontent hash` sorted by id (byte order), joined by `\n`.
 */
export interface Fingerprint {
  count: number;
  checksum: string;
}

/** id → `changed_at\t0|1\tcontent hash` (one string per record keeps a large model's map small). */
export type RecordStates = Map<string, string>;

/** The parts of a record state, as {@link recordState} joins them. */
export interface RecordState {
  changedAt: string;
  isDeleted: boolean;
  contentHash: string;
}

function isoOf(changedAt: string): string {
  const date = new Date(changedAt);
  return Number.isNaN(date.getTime()) ? changedAt : date.toISOString();
}

/** One record's state; `changedAt` is normalised to UTC milliseconds, as the mirror's timestamptz column holds it. */
export function recordState(
  changedAt: string,
  remoteDeletedAt: string | null | undefined,
  hash: string,
): string {
  return `${isoOf(changedAt)}\t${remoteDeletedAt === null || remoteDeletedAt === undefined ? 0 : 1}\t${hash}`;
}

export function parseRecordState(state: string): RecordState {
  const [changedAt = '', deleted = '', hash = ''] = state.split('\t');
  return { changedAt, isDeleted: deleted === '1', contentHash: hash };
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

/** Rows read per query: bounds the memory of one batch of `raw` values (about 4 KB each for employees). */
const BATCH_ROWS = 1000;

/**
 * The mirror's per-record states of one model of one integration, `raw` hashed in Node (the same canonical form
 * as Kombo's side), read in batches of {@link BATCH_ROWS} rows by id.
 */
export async function mirrorStates(
  db: DbLike,
  integrationId: string,
  model: ModelName,
): Promise<RecordStates> {
  const table = modelTables[model];
  const states: RecordStates = new Map();
  let after: string | undefined;
  for (;;) {
    const result = await executor(db).execute<{
      id: string;
      changed_at: string;
      is_deleted: boolean;
      raw: string;
    }>(sql`
      SELECT ${table.id} AS id,
        to_char(${table.changedAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS changed_at,
        ${table.remoteDeletedAt} IS NOT NULL AS is_deleted, ${table.raw}::text AS raw
      FROM ${table}
      WHERE ${table.integrationId} = ${integrationId}
        ${after === undefined ? sql`` : sql`AND ${table.id} > ${after}`}
      ORDER BY ${table.id} LIMIT ${BATCH_ROWS}`);
    for (const row of result.rows) {
      const hash = contentHash(JSON.parse(row.raw) as unknown);
      states.set(row.id, `${row.changed_at}\t${row.is_deleted ? 1 : 0}\t${hash}`);
    }
    if (result.rows.length < BATCH_ROWS) return states;
    after = result.rows[result.rows.length - 1]?.id;
  }
}
