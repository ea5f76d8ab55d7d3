import { sql } from 'drizzle-orm';
import type { ChangeOutboxInput } from './change-outbox-store.js';
import { toExecutor, type DbLike } from './create-database.js';

/** Most ids (changed + deleted) one message carries; a larger change (a reconciliation) is split, in order. */
export const MAX_IDS_PER_MESSAGE = 250;

/** Splits a change into messages of at most {@link MAX_IDS_PER_MESSAGE} ids, changed ids first. */
function chunks(change: ChangeOutboxInput): { changedIds: string[]; deletedIds: string[] }[] {
  const all = [
    ...change.changedIds.map((id) => ({ id, isDeleted: false })),
    ...change.deletedIds.map((id) => ({ id, isDeleted: true })),
  ];
  const out: { changedIds: string[]; deletedIds: string[] }[] = [];
  for (let start = 0; start < all.length; start += MAX_IDS_PER_MESSAGE) {
    const part = all.slice(start, start + MAX_IDS_PER_MESSAGE);
    out.push({
      changedIds: part.filter((entry) => !entry.isDeleted).map((entry) => entry.id),
      deletedIds: part.filter((entry) => entry.isDeleted).map((entry) => entry.id),
    });
  }
  return out;
}

/**
 * Fans a committed change out to every enabled endpoint whose models and integrations match: one `webhook_messages`
 * row per chunk of ids (numbered by the (integration, model)'s sequence) and one pending `webhook_deliveries` row
 * per matching endpoint. Call it inside the transaction that made the change, last (the sequence row stays locked
 * until commit, which orders concurrent pages of one model): the deliveries are then durable exactly when the
 * change is. One statement per chunk; with no matching endpoint nothing is written. Returns the deliveries written.
 */
export async function writeWebhookMessages(db: DbLike, change: ChangeOutboxInput): Promise<number> {
  let written = 0;
  for (const part of chunks(change)) {
    const result = await toExecutor(db).execute<{ n: string }>(sql`
      WITH targets AS (
        SELECT id FROM webhook_endpoints
         WHERE is_enabled
           AND (models IS NULL OR ${change.model} = ANY (models))
           AND (integration_ids IS NULL OR ${change.integrationId} = ANY (integration_ids))
      ), seq AS (
        INSERT INTO webhook_sequences AS s (integration_id, model, last_seq)
        SELECT ${change.integrationId}, ${change.model}, 1 WHERE EXISTS (SELECT 1 FROM targets)
        ON CONFLICT (integration_id, model) DO UPDATE SET last_seq = s.last_seq + 1
        RETURNING last_seq
      ), message AS (
        INSERT INTO webhook_messages (integration_id, model, seq, run_id, changed_ids, deleted_ids, kombo_time,
                                      created_at)
        SELECT ${change.integrationId}, ${change.model}, seq.last_seq, ${change.runId},
               ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(part.changedIds)}::jsonb)),
               ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(part.deletedIds)}::jsonb)), ${change.komboTime.toISOString()}::timestamptz,
               clock_timestamp()
          FROM seq
        RETURNING id, seq, created_at
      ), inserted AS (
        INSERT INTO webhook_deliveries (message_id, endpoint_id, integration_id, model, seq, created_at)
        SELECT message.id, targets.id, ${change.integrationId}, ${change.model}, message.seq, message.created_at
          FROM message CROSS JOIN targets
        RETURNING 1
      )
      SELECT count(*) AS n FROM inserted`);
    const n = Number(result.rows[0]?.n ?? 0);
    if (n === 0) return written;
    written += n;
  }
  return written;
}
