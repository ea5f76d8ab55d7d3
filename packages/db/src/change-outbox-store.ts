import { inArray, sql } from 'drizzle-orm';
import type { Database, DbLike } from './create-database.js';
import { toExecutor } from './create-database.js';
import { changeOutbox, type ChangeOutboxRow } from './schema/change-outbox.js';
import { withTransaction } from './with-transaction.js';

export interface ChangeOutboxInput {
  integrationId: string;
  model: string;
  runId: number;
  changedIds: readonly string[];
  deletedIds: readonly string[];
  komboTime: Date;
}

/** Queues one change feed message; call it inside the transaction that made the changes. */
export async function writeChangeOutbox(db: DbLike, input: ChangeOutboxInput): Promise<void> {
  await toExecutor(db)
    .insert(changeOutbox)
    .values({ ...input, changedIds: [...input.changedIds], deletedIds: [...input.deletedIds] });
}

/**
 * Takes up to `limit` outbox rows (oldest first), hands them to `publish` and deletes them in the same transaction.
 * One drain at a time fleet-wide (a transaction-scoped advisory lock; a drain that finds it taken returns 0 at
 * once, the holder publishes the rows): the feed then gets messages in outbox order and its bound is applied by
 * one publisher. A throwing `publish` leaves the rows for the next drain, so `publish` must be idempotent (e.g. a
 * job id derived from the row id). Returns the number of rows published.
 */
export async function drainChangeOutbox(
  database: Database,
  { limit, publish }: { limit: number; publish: (rows: ChangeOutboxRow[]) => Promise<void> },
): Promise<number> {
  return withTransaction(database, async (tx) => {
    const lock = await tx.execute<{ locked: boolean }>(
      sql`SELECT pg_try_advisory_xact_lock(hashtext('kombo-sync:change_outbox')) AS locked`,
    );
    if (lock.rows[0]?.locked !== true) return 0;
    const rows = await tx
      .select()
      .from(changeOutbox)
      .orderBy(changeOutbox.id)
      .limit(limit)
      .for('update', { skipLocked: true });
    if (rows.length === 0) return 0;
    await publish(rows);
    await tx.delete(changeOutbox).where(
      inArray(
        changeOutbox.id,
        rows.map((row) => row.id),
      ),
    );
    return rows.length;
  });
}

/** Rows waiting in the outbox (dashboards, tests). */
export async function countChangeOutbox(db: DbLike): Promise<number> {
  const result = await toExecutor(db).execute<{ n: string }>(sql`SELECT count(*) AS n FROM change_outbox`);
  return Number(result.rows[0]?.n ?? 0);
}
