import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { toExecutor, type Database, type DbLike } from './create-database.js';
import { withTransaction } from './with-transaction.js';

/** A delivery a dispatcher claimed: what it needs to sign and send it. */
export interface ClaimedDelivery {
  id: number;
  claimToken: string;
  /** This attempt's number, 1 for the first. */
  attempt: number;
  firstAttemptAt: Date;
  endpointId: string;
  url: string;
  /** Current secret first; the previous one while a rotation is in progress. */
  secrets: string[];
  failingSince: Date | null;
  messageId: number;
  integrationId: string;
  model: string;
  seq: number;
  runId: number;
  changedIds: string[];
  deletedIds: string[];
  komboTime: Date;
  createdAt: Date;
}

export interface ClaimDeliveriesOptions {
  /** The dispatcher's clock: what is due, and the lease. */
  now: Date;
  /** Most deliveries claimed at once. */
  limit: number;
  /** Most deliveries in flight per endpoint, fleet-wide. */
  perEndpoint: number;
  /** How long the claim holds: the attempt's timeout plus a margin, ms. An expired claim is taken again. */
  leaseMs: number;
}

/** The SELECT (over a CTE `claimed` of claimed delivery rows) that returns what a dispatcher needs to send them. */
export const claimedSelect = (at: string) => sql`
      SELECT c.id, c.claim_token, c.attempts, c.first_attempt_at, c.endpoint_id, e.url, e.secret,
             CASE WHEN e.previous_secret_expires_at > ${at}::timestamptz THEN e.previous_secret END AS previous_secret,
             e.failing_since, m.id AS message_id, m.integration_id, m.model, m.seq, m.run_id, m.changed_ids,
             m.deleted_ids, m.kombo_time, m.created_at
        FROM claimed c
        JOIN webhook_endpoints e ON e.id = c.endpoint_id
        JOIN webhook_messages m ON m.id = c.message_id`;

/** A row of {@link claimedSelect} as a {@link ClaimedDelivery}. */
export function toClaimed(row: Record<string, unknown>): ClaimedDelivery {
  return {
    id: Number(row['id']),
    claimToken: String(row['claim_token']),
    attempt: Number(row['attempts']),
    firstAttemptAt: new Date(row['first_attempt_at'] as string),
    endpointId: String(row['endpoint_id']),
    url: String(row['url']),
    secrets: [row['secret'], row['previous_secret']].filter((s): s is string => typeof s === 'string'),
    failingSince: row['failing_since'] ? new Date(row['failing_since'] as string) : null,
    messageId: Number(row['message_id']),
    integrationId: String(row['integration_id']),
    model: String(row['model']),
    seq: Number(row['seq']),
    runId: Number(row['run_id']),
    changedIds: row['changed_ids'] as string[],
    deletedIds: row['deleted_ids'] as string[],
    komboTime: new Date(row['kombo_time'] as string),
    createdAt: new Date(row['created_at'] as string),
  };
}

const CLAIM_LOCK = sql`hashtext('kombo-sync:webhook_deliveries:claim')`;

/**
 * The head of each (endpoint, integration, model) group: its lowest `seq` still pending or in flight. Only a head
 * may be attempted, so a group's changes reach the endpoint in order.
 */
const GROUP_HEADS = sql`
  SELECT DISTINCT ON (endpoint_id, integration_id, model)
         id, endpoint_id, state, next_attempt_at, lease_expires_at, created_at
    FROM webhook_deliveries
   WHERE state IN ('pending', 'in_flight')
   ORDER BY endpoint_id, integration_id, model, seq`;

/**
 * Claims due deliveries, fleet-wide exclusive: the head (lowest `seq` not delivered nor dead) of each
 * (endpoint, integration, model) when it is pending and due, or in flight with an expired lease (its dispatcher
 * died: the one attempt in flight is repeated), at most `perEndpoint` in flight per enabled endpoint. Claims are
 * serialised by a transaction-scoped advisory lock (a claim takes milliseconds), so the per-endpoint bound and the
 * one-in-flight-per-group rule hold across every dispatcher. Each claim counts an attempt and carries a token that
 * {@link finishDelivery} must present.
 */
export async function claimDeliveries(
  database: Database,
  { now, limit, perEndpoint, leaseMs }: ClaimDeliveriesOptions,
): Promise<ClaimedDelivery[]> {
  const at = now.toISOString();
  const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
  const token = randomUUID();
  return withTransaction(database, async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`);
    const result = await tx.execute<Record<string, unknown>>(sql`
      WITH heads AS (${GROUP_HEADS}), busy AS (
        SELECT endpoint_id, count(*) AS n FROM webhook_deliveries
         WHERE state = 'in_flight' AND lease_expires_at > ${at}::timestamptz
         GROUP BY endpoint_id
      ), due AS (
        SELECT h.id, h.endpoint_id,
               row_number() OVER (PARTITION BY h.endpoint_id ORDER BY h.next_attempt_at NULLS FIRST, h.id) AS rank
          FROM heads h JOIN webhook_endpoints e ON e.id = h.endpoint_id AND e.is_enabled
         WHERE (h.state = 'pending' AND (h.next_attempt_at IS NULL OR h.next_attempt_at <= ${at}::timestamptz))
            OR (h.state = 'in_flight' AND h.lease_expires_at <= ${at}::timestamptz)
      ), chosen AS (
        SELECT due.id FROM due LEFT JOIN busy ON busy.endpoint_id = due.endpoint_id
         WHERE due.rank <= ${perEndpoint} - coalesce(busy.n, 0)
         ORDER BY due.rank, due.id
         LIMIT ${limit}
      ), claimed AS (
        UPDATE webhook_deliveries d
           SET state = 'in_flight', attempts = d.attempts + 1, claim_token = ${token}::uuid,
               lease_expires_at = ${leaseUntil}::timestamptz,
               first_attempt_at = coalesce(d.first_attempt_at, ${at}::timestamptz)
          FROM chosen WHERE d.id = chosen.id
        RETURNING d.*
      )
      ${claimedSelect(at)}
       ORDER BY c.endpoint_id, c.integration_id, c.model, c.seq`);
    return result.rows.map(toClaimed);
  });
}

/**
 * Whether any delivery waits (pending or in flight): one index probe, outside any transaction, so a dispatcher
 * kicked by every committed page costs a fleet without endpoints one cheap query, not a claim transaction.
 */
export async function hasWaitingDeliveries(db: DbLike): Promise<boolean> {
  const result = await toExecutor(db).execute<{ found: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE state IN ('pending', 'in_flight')) AS found`);
  return result.rows[0]?.found === true;
}

/**
 * When the next attempt of an enabled endpoint falls due, in the dispatchers' clock: the earliest due time of the
 * group heads (a pending head's `next_attempt_at`, or its creation when due at once; an in-flight head's lease end).
 * Null when nothing waits. For tests and benches that drive the clock.
 */
export async function nextDeliveryDueAt(db: DbLike): Promise<Date | null> {
  const result = await toExecutor(db).execute<{ at: string | null }>(sql`
    WITH heads AS (${GROUP_HEADS})
    SELECT min(CASE WHEN h.state = 'pending' THEN coalesce(h.next_attempt_at, h.created_at) ELSE h.lease_expires_at END) AS at
      FROM heads h JOIN webhook_endpoints e ON e.id = h.endpoint_id AND e.is_enabled`);
  const at = result.rows[0]?.at;
  return at ? new Date(at) : null;
}
