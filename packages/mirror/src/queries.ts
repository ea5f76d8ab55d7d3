import { getModel, type ModelName } from '@kombo-sync/catalog';
import { and, asc, eq, gt, gte, inArray, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { PgColumn, PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { MirrorRecord, ModelWithCustomFields } from './records.js';
import { modelTables, type ModelTable } from './tables.js';

/** Any Drizzle Postgres database or transaction (node-postgres, postgres.js, PGlite…) over the mirror's database. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MirrorDb = PgDatabase<PgQueryResultHKT, any>;

/** The columns a {@link MirrorRecord} is read from: the typed fields and the public bookkeeping, never `raw`. */
function recordColumns(model: ModelName): Record<string, PgColumn> {
  const table = modelTables[model] as unknown as Record<string, PgColumn>;
  const pick = (name: string): PgColumn => {
    const column = table[name];
    if (!column) throw new Error(`${model} has no column ${name}`);
    return column;
  };
  const columns: Record<string, PgColumn> = {};
  for (const name of [
    'id',
    'integrationId',
    'changedAt',
    'firstSeenAt',
    'lastSeenAt',
    'lastRunId',
    ...Object.keys(getModel(model).fields),
  ])
    columns[name] = pick(name);
  return columns;
}

const columnsCache = new Map<ModelName, Record<string, PgColumn>>();
const columnsOf = (model: ModelName) => {
  let columns = columnsCache.get(model);
  if (!columns) columnsCache.set(model, (columns = recordColumns(model)));
  return columns;
};

async function selectRecords<M extends ModelName>(
  db: MirrorDb,
  model: M,
  where: SQL | undefined,
  limit?: number,
) {
  const table: ModelTable = modelTables[model];
  const query = db.select(columnsOf(model)).from(table).where(where).orderBy(asc(table.id));
  return (await (limit === undefined ? query : query.limit(limit))) as unknown as MirrorRecord<M>[];
}

export interface PageOptions {
  /** Most records returned; default 500. */
  limit?: number;
  /** Keyset paging: records with an id after this one (the last id of the previous page). */
  afterId?: string;
}

/** The live (not deleted) records of one integration's model, ordered by id, a page at a time. */
export function liveRecords<M extends ModelName>(
  db: MirrorDb,
  model: M,
  integrationId: string,
  { limit = 500, afterId }: PageOptions = {},
): Promise<MirrorRecord<M>[]> {
  const table: ModelTable = modelTables[model];
  return selectRecords(
    db,
    model,
    and(
      eq(table.integrationId, integrationId),
      isNull(table.remoteDeletedAt),
      afterId === undefined ? undefined : gt(table.id, afterId),
    ),
    limit,
  );
}

/** One live record by id; undefined when the mirror has none or Kombo reported it deleted. */
export async function getRecord<M extends ModelName>(
  db: MirrorDb,
  model: M,
  integrationId: string,
  id: string,
): Promise<MirrorRecord<M> | undefined> {
  const [record] = await recordsByIds(db, model, integrationId, [id]);
  return record;
}

/**
 * The live records among `ids` (e.g. a change webhook's `changedIds`), ordered by id; ids the mirror does not
 * have or has as deleted are left out.
 */
export function recordsByIds<M extends ModelName>(
  db: MirrorDb,
  model: M,
  integrationId: string,
  ids: readonly string[],
): Promise<MirrorRecord<M>[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const table: ModelTable = modelTables[model];
  return selectRecords(
    db,
    model,
    and(eq(table.integrationId, integrationId), inArray(table.id, [...ids]), isNull(table.remoteDeletedAt)),
  );
}

/** What changed in one integration's model since a sync run: records written, and ids now deleted. */
export interface ChangesSince<M extends ModelName> {
  changed: MirrorRecord<M>[];
  deletedIds: string[];
}

/**
 * The records of one integration's model that runs `runId` and later wrote (`last_run_id >= runId`): the live ones
 * as records, the deleted ones as ids. How a consumer catches up after missing webhooks: every change since the
 * `runId` of the last webhook it processed. Paged by id like {@link liveRecords} (the limit applies to each list).
 */
export async function changesSince<M extends ModelName>(
  db: MirrorDb,
  model: M,
  integrationId: string,
  runId: number,
  { limit = 500, afterId }: PageOptions = {},
): Promise<ChangesSince<M>> {
  const table: ModelTable = modelTables[model];
  const since = and(
    eq(table.integrationId, integrationId),
    gte(table.lastRunId, runId),
    afterId === undefined ? undefined : gt(table.id, afterId),
  );
  const [changed, deleted] = await Promise.all([
    selectRecords(db, model, and(since, isNull(table.remoteDeletedAt)), limit),
    db
      .select({ id: table.id })
      .from(table)
      .where(and(since, isNotNull(table.remoteDeletedAt)))
      .orderBy(asc(table.id))
      .limit(limit),
  ]);
  return { changed, deletedIds: deleted.map((row) => row.id) };
}

/**
 * The custom fields of one live record (Kombo's `custom_fields`: the customer's own fields, keyed by their name in
 * the source system), or undefined when the record is not there. Only for models that have them.
 */
export async function customFields(
  db: MirrorDb,
  model: ModelWithCustomFields,
  integrationId: string,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  const record = (await getRecord(db, model, integrationId, id)) as { custom_fields?: unknown } | undefined;
  if (!record) return undefined;
  const value = record.custom_fields;
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
