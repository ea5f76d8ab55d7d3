import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';

/**
 * Retention: deletes delivered deliveries older than `deliveredBefore` and dead ones older than `deadBefore` (with
 * their attempts), then the messages no delivery refers to. Idempotent: every worker may run it. Returns the
 * deliveries deleted.
 */
export async function pruneDeliveries(
  db: DbLike,
  { deliveredBefore, deadBefore }: { deliveredBefore: Date; deadBefore: Date },
): Promise<number> {
  const executor = toExecutor(db);
  const result = await executor.execute(sql`
    DELETE FROM webhook_deliveries
     WHERE (state = 'delivered' AND delivered_at < ${deliveredBefore.toISOString()}::timestamptz)
        OR (state = 'dead' AND dead_at < ${deadBefore.toISOString()}::timestamptz)`);
  await executor.execute(sql`
    DELETE FROM webhook_messages m
     WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.message_id = m.id)`);
  return result.rowCount ?? 0;
}
