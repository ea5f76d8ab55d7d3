import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { toExecutor, type Database } from './create-database.js';
import { claimedSelect, toClaimed, type ClaimedDelivery } from './delivery-claims-store.js';
import type { DeliveryState } from './schema/webhook-deliveries.js';
import { disableEndpoint } from './webhook-endpoint-health-store.js';
import { withTransaction } from './with-transaction.js';

/** What an attempt did and what follows, decided by the dispatcher's policy. */
export interface FinishDeliveryInput {
  delivery: Pick<ClaimedDelivery, 'id' | 'claimToken' | 'attempt' | 'endpointId'>;
  startedAt: Date;
  latencyMs: number;
  statusCode: number | null;
  outcome: 'delivered' | 'failed' | 'timeout' | 'refused' | 'network';
  /** Bounded reason; never a secret, the URL or the response body. */
  error: string | null;
  /** delivered; retry at a time; dead (retries exhausted); or disable the endpoint (its waiting deliveries die). */
  next:
    | { kind: 'delivered' }
    | { kind: 'retry'; at: Date }
    | { kind: 'dead' }
    | { kind: 'disable'; reason: string };
  /** The dispatcher's clock. */
  now: Date;
  /**
   * After a delivery, claim the next delivery of the same (endpoint, integration, model) in the same transaction
   * when it is due (its slot passes straight on: no claim round, and the endpoint's in-flight count is unchanged).
   */
  claimNext?: { leaseMs: number };
}

/**
 * Records an attempt (the delivery log) and moves the delivery on, in one transaction; only while the claim is
 * still the caller's (a claim taken over after its lease expired is not overwritten: returns false). A success
 * ends the endpoint's failure streak; a failure starts one (returned as `failingSince`, for the disable rule).
 */
export async function finishDelivery(
  database: Database,
  input: FinishDeliveryInput,
): Promise<{ isCurrent: boolean; failingSince: Date | null; next?: ClaimedDelivery }> {
  const { delivery, next } = input;
  const now = input.now.toISOString();
  if (next.kind === 'delivered') return finishDelivered(database, input);
  const state: DeliveryState = next.kind === 'retry' ? 'pending' : 'dead';
  return withTransaction(database, async (tx) => {
    const updated = await tx.execute(sql`
      UPDATE webhook_deliveries
         SET state = ${state}, claim_token = NULL, lease_expires_at = NULL,
             next_attempt_at = ${next.kind === 'retry' ? next.at.toISOString() : null}::timestamptz,
             last_status = ${input.statusCode}, last_error = ${input.error}, last_latency_ms = ${input.latencyMs},
             dead_at = CASE WHEN ${state} = 'dead' THEN ${now}::timestamptz END
       WHERE id = ${delivery.id} AND claim_token = ${delivery.claimToken}::uuid`);
    if ((updated.rowCount ?? 0) === 0) return { isCurrent: false, failingSince: null };
    await tx.execute(sql`
      INSERT INTO webhook_delivery_attempts (delivery_id, attempt, started_at, status_code, latency_ms, outcome, error)
      VALUES (${delivery.id}, ${delivery.attempt}, ${input.startedAt.toISOString()}::timestamptz, ${input.statusCode},
              ${input.latencyMs}, ${input.outcome}, ${input.error})`);
    // The endpoint row is shared by every delivery to it: written only when a failure streak starts.
    const started = await tx.execute<{ failing_since: string }>(sql`
      UPDATE webhook_endpoints SET failing_since = ${now}::timestamptz
       WHERE id = ${delivery.endpointId} AND failing_since IS NULL RETURNING failing_since`);
    const current =
      started.rows[0] ??
      (
        await tx.execute<{ failing_since: string | null }>(
          sql`SELECT failing_since FROM webhook_endpoints WHERE id = ${delivery.endpointId}`,
        )
      ).rows[0];
    const failingSince = current?.failing_since ? new Date(current.failing_since) : null;
    if (next.kind === 'disable') await disableEndpoint(tx, delivery.endpointId, next.reason);
    return { isCurrent: true, failingSince };
  });
}

/**
 * The success path of {@link finishDelivery} as ONE statement (the common case, so one round trip): the delivery,
 * its attempt, the endpoint's success (written at most once a second) and, with `claimNext`, the group's next
 * delivery. Every part sees the snapshot from before the statement, where the delivered row is still the group's
 * head in flight: the next head is the first pending row after its `seq`.
 */
async function finishDelivered(
  database: Database,
  input: FinishDeliveryInput,
): Promise<{ isCurrent: boolean; failingSince: Date | null; next?: ClaimedDelivery }> {
  const { delivery } = input;
  const at = input.now.toISOString();
  const chain = input.claimNext
    ? sql`, head AS (
        SELECT d.id FROM webhook_deliveries d, fin
         WHERE d.endpoint_id = fin.endpoint_id AND d.integration_id = fin.integration_id AND d.model = fin.model
           AND d.seq > fin.seq AND d.state IN ('pending', 'in_flight')
         ORDER BY d.seq LIMIT 1
      ), claimed AS (
        UPDATE webhook_deliveries d
           SET state = 'in_flight', attempts = d.attempts + 1, claim_token = ${randomUUID()}::uuid,
               lease_expires_at = ${new Date(input.now.getTime() + input.claimNext.leaseMs).toISOString()}::timestamptz,
               first_attempt_at = coalesce(d.first_attempt_at, ${at}::timestamptz)
          FROM head
         WHERE d.id = head.id AND d.state = 'pending'
           AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ${at}::timestamptz)
           AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.is_enabled)
        RETURNING d.*
      )
      SELECT (SELECT count(*) FROM fin) AS done, c.* FROM (SELECT 1) AS one LEFT JOIN (${claimedSelect(at)}) AS c ON true`
    : sql` SELECT count(*) AS done FROM fin`;
  const result = await toExecutor(database).execute<Record<string, unknown>>(sql`
    WITH fin AS (
      UPDATE webhook_deliveries
         SET state = 'delivered', claim_token = NULL, lease_expires_at = NULL, next_attempt_at = NULL,
             last_status = ${input.statusCode}, last_error = NULL, last_latency_ms = ${input.latencyMs},
             delivered_at = ${at}::timestamptz
       WHERE id = ${delivery.id} AND claim_token = ${delivery.claimToken}::uuid
      RETURNING id, endpoint_id, integration_id, model, seq
    ), attempt AS (
      INSERT INTO webhook_delivery_attempts (delivery_id, attempt, started_at, status_code, latency_ms, outcome, error)
      SELECT fin.id, ${delivery.attempt}, ${input.startedAt.toISOString()}::timestamptz, ${input.statusCode},
             ${input.latencyMs}, 'delivered', NULL FROM fin
    ), endpoint AS (
      -- Shared by every delivery to the endpoint: written only when its state changes (the success time at most
      -- once a second), so concurrent attempts do not queue on its row lock.
      UPDATE webhook_endpoints e SET last_success_at = ${at}::timestamptz, failing_since = NULL
        FROM fin
       WHERE e.id = fin.endpoint_id
         AND (e.failing_since IS NOT NULL OR e.last_success_at IS NULL
              OR e.last_success_at < ${at}::timestamptz - interval '1 second')
    )${chain}`);
  const [row] = result.rows;
  const isCurrent = Number(row?.['done'] ?? 0) > 0;
  return { isCurrent, failingSince: null, ...(row?.['id'] ? { next: toClaimed(row) } : {}) };
}
