import type { ModelName } from '@kombo-sync/catalog';
import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';

/**
 * The tombstones of one model of an integration (records the deleted-rows retention purged): record id → the
 * `changed_at` of the purged version. A version Kombo serves deleted with that `changed_at` or an earlier one stays
 * out of the mirror (see `writePage`).
 */
export async function listPurgedRecords(
  db: DbLike,
  { integrationId, model }: { integrationId: string; model: ModelName },
): Promise<Map<string, Date>> {
  const result = await toExecutor(db).execute<{ record_id: string; changed_at: Date | string }>(sql`
    SELECT record_id, changed_at FROM purged_records
    WHERE integration_id = ${integrationId}::text AND model = ${model}::text`);
  return new Map(result.rows.map((row) => [row.record_id, new Date(row.changed_at)]));
}
