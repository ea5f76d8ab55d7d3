import { getModel, isStorableRecordId } from '@kombo-sync/catalog';
import type { FindEmbeddingParentsInput } from '@kombo-sync/sync';
import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { ident, literal, tableIdent } from './sql-names.js';

/**
 * Ids of the parent model's rows (deleted ones included) whose `column` names one of `childIds`: equal to it (a
 * foreign key), or, with `path`, among the strings the path selects from the jsonb column. The column must be a
 * catalog field of the model (checked: identifiers are never taken from outside the catalog). Ids longer than the
 * mirror stores are left out: they cannot be refetched by id.
 */
export async function findEmbeddingParents(db: DbLike, input: FindEmbeddingParentsInput): Promise<string[]> {
  if (input.childIds.length === 0) return [];
  const field = (getModel(input.model).fields as Record<string, { type: string } | undefined>)[input.column];
  const expected = input.path === undefined ? 'text' : 'json';
  if (field?.type !== expected) {
    throw new RangeError(`${input.model}.${input.column} is not a ${expected} field of the catalog`);
  }
  const ids = JSON.stringify(input.childIds);
  const match =
    input.path === undefined
      ? sql.raw(`${ident(input.column)} = ANY(`)
      : sql.raw(`jsonb_path_query_array(${ident(input.column)}, ${literal(input.path)}) ?| (`);
  const result = await toExecutor(db).execute<{ id: string }>(
    sql`SELECT id FROM ${sql.raw(tableIdent(input.model))} WHERE integration_id = ${input.integrationId} AND ${match}ARRAY(SELECT jsonb_array_elements_text(${ids}::jsonb)))`,
  );
  // A row stored before ids were bounded (MAX_RECORD_ID_BYTES) may have one too long to refetch by id.
  return result.rows.map((row) => row.id).filter(isStorableRecordId);
}
