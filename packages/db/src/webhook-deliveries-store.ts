import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { ChangeOutboxInput } from './change-outbox-store.js';
import { toExecutor, type Database, type DbLike, type Executor } from './create-database.js';
import type { DeliveryState } from './schema/webhook-deliveries.js';
import { deadLetterWaiting } from './webhook-endpoints-store.js';
import { withTransaction } from './with-transaction.js';

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
const claimedSelect = (at: string) => sql`
      SELECT c.id, c.claim_token, c.attempts, c.first_attempt_at, c.endpoint_id, e.url, e.secret,
             CASE WHEN e.previous_secret_expires_at > ${at}::timestamptz THEN e.previous_secret END AS previous_secret,
             e.failing_since, m.id AS message_id, m.integration_id, m.model, m.seq, m.run_id, m.changed_ids,
             m.deleted_ids, m.kombo_time, m.created_at
        FROM claimed c
        JOIN webhook_endpoints e ON e.id = c.endpoint_id
        JOIN webhook_messages m ON m.id = c.message_id`;

function toClaimed(row: Record<string, unknown>): ClaimedDelivery {
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
      WITH heads AS (
        SELECT DISTINCT ON (endpoint_id, integration_id, model)
               id, endpoint_id, state, next_attempt_at, lease_expires_at
          FROM webhook_deliveries
         WHERE state IN ('pending', 'in_flight')
         ORDER BY endpoint_id, integration_id, model, seq
      ), busy AS (
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

/** Disables an endpoint that failed for good (its waiting deliveries move to the dead letters). */
export async function disableEndpoint(db: DbLike, endpointId: string, reason: string): Promise<void> {
  const executor: Executor = toExecutor(db);
  await executor.execute(sql`
    UPDATE webhook_endpoints
       SET is_enabled = false, disabled_reason = ${reason.slice(0, 500)}, disabled_at = now(), updated_at = now()
     WHERE id = ${endpointId} AND is_enabled`);
  await deadLetterWaiting(executor, endpointId, reason);
}

/**
 * When the next attempt of an enabled endpoint falls due, in the dispatchers' clock: the earliest due time of the
 * group heads (a pending head's `next_attempt_at`, or its creation when due at once; an in-flight head's lease end).
 * Null when nothing waits. For tests and benches that drive the clock.
 */
export async function nextDeliveryDueAt(db: DbLike): Promise<Date | null> {
  const result = await toExecutor(db).execute<{ at: string | null }>(sql`
    WITH heads AS (
      SELECT DISTINCT ON (endpoint_id, integration_id, model)
             endpoint_id, state, next_attempt_at, lease_expires_at, created_at
        FROM webhook_deliveries
       WHERE state IN ('pending', 'in_flight')
       ORDER BY endpoint_id, integration_id, model, seq
    )
    SELECT min(CASE WHEN h.state = 'pending' THEN coalesce(h.next_attempt_at, h.created_at) ELSE h.lease_expires_at END) AS at
      FROM heads h JOIN webhook_endpoints e ON e.id = h.endpoint_id AND e.is_enabled`);
  const at = result.rows[0]?.at;
  return at ? new Date(at) : null;
}

/** One row of the delivery log of an endpoint. */
export interface DeliveryLogEntry {
  id: number;
  messageId: number;
  integrationId: string;
  model: string;
  seq: number;
  state: DeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
  deadAt: Date | null;
}

/** An endpoint's deliveries, newest first (`state` filters; `beforeId` pages). */
export async function listDeliveries(
  db: DbLike,
  {
    endpointId,
    state,
    limit = 50,
    beforeId,
  }: { endpointId: string; state?: DeliveryState; limit?: number; beforeId?: number },
): Promise<DeliveryLogEntry[]> {
  const result = await toExecutor(db).execute<Record<string, unknown>>(sql`
    SELECT id, message_id, integration_id, model, seq, state, attempts, last_status, last_error, last_latency_ms,
           next_attempt_at, created_at, delivered_at, dead_at
      FROM webhook_deliveries
     WHERE endpoint_id = ${endpointId}
       ${state ? sql`AND state = ${state}` : sql``}
       ${beforeId === undefined ? sql`` : sql`AND id < ${beforeId}`}
     ORDER BY id DESC LIMIT ${limit}`);
  const date = (value: unknown) => (value ? new Date(value as string) : null);
  return result.rows.map((row) => ({
    id: Number(row['id']),
    messageId: Number(row['message_id']),
    integrationId: String(row['integration_id']),
    model: String(row['model']),
    seq: Number(row['seq']),
    state: row['state'] as DeliveryState,
    attempts: Number(row['attempts']),
    lastStatus: row['last_status'] === null ? null : Number(row['last_status']),
    lastError: (row['last_error'] as string | null) ?? null,
    lastLatencyMs: row['last_latency_ms'] === null ? null : Number(row['last_latency_ms']),
    nextAttemptAt: date(row['next_attempt_at']),
    createdAt: new Date(row['created_at'] as string),
    deliveredAt: date(row['delivered_at']),
    deadAt: date(row['dead_at']),
  }));
}

/** One attempt of the log. */
export interface DeliveryAttemptEntry {
  attempt: number;
  startedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  outcome: string;
  error: string | null;
}

/** The attempts of one delivery, first first. */
export async function listDeliveryAttempts(db: DbLike, deliveryId: number): Promise<DeliveryAttemptEntry[]> {
  const result = await toExecutor(db).execute<Record<string, unknown>>(sql`
    SELECT attempt, started_at, status_code, latency_ms, outcome, error FROM webhook_delivery_attempts
     WHERE delivery_id = ${deliveryId} ORDER BY id`);
  return result.rows.map((row) => ({
    attempt: Number(row['attempt']),
    startedAt: new Date(row['started_at'] as string),
    statusCode: row['status_code'] === null ? null : Number(row['status_code']),
    latencyMs: Number(row['latency_ms']),
    outcome: String(row['outcome']),
    error: (row['error'] as string | null) ?? null,
  }));
}

export interface ReplayDeliveriesInput {
  endpointId: string;
  /** The dead letters. */
  isDead?: boolean;
  /** Deliveries (delivered or dead) of messages created in [since, until). */
  since?: Date;
  until?: Date;
  /** When they are due again; default at once. */
  at?: Date;
}

/**
 * Sends deliveries again: the endpoint's dead letters, or its delivered and dead deliveries created in a time
 * range, become pending and due at once, with a fresh retry window and the same `webhook-id`. Their old `seq`
 * puts them first in their (integration, model) again, so order holds. Returns how many.
 */
export async function replayDeliveries(db: DbLike, input: ReplayDeliveriesInput): Promise<number> {
  if (!input.isDead && input.since === undefined && input.until === undefined)
    throw new RangeError('replay needs the dead letters or a time range');
  const at = input.at?.toISOString() ?? null;
  const result = await toExecutor(db).execute(sql`
    UPDATE webhook_deliveries
       SET state = 'pending', next_attempt_at = ${at}::timestamptz, first_attempt_at = NULL, dead_at = NULL,
           delivered_at = NULL, claim_token = NULL, lease_expires_at = NULL
     WHERE endpoint_id = ${input.endpointId}
       AND ${input.isDead ? sql`state = 'dead'` : sql`state IN ('delivered', 'dead')`}
       ${input.since ? sql`AND created_at >= ${input.since.toISOString()}::timestamptz` : sql``}
       ${input.until ? sql`AND created_at < ${input.until.toISOString()}::timestamptz` : sql``}`);
  return result.rowCount ?? 0;
}

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

/** Per endpoint: its state and its deliveries by state, for status, the dashboard and `/metrics`. */
export interface EndpointDeliveryStats {
  endpointId: string;
  isEnabled: boolean;
  disabledReason: string | null;
  pending: number;
  inFlight: number;
  dead: number;
  delivered: number;
  /** Creation time of the oldest message not delivered yet (pending or in flight); null when none. */
  oldestWaitingAt: Date | null;
  lastSuccessAt: Date | null;
  failingSince: Date | null;
}

/** {@link EndpointDeliveryStats} of every endpoint. */
export async function listEndpointDeliveryStats(db: DbLike): Promise<EndpointDeliveryStats[]> {
  const result = await toExecutor(db).execute<Record<string, unknown>>(sql`
    SELECT e.id, e.is_enabled, e.disabled_reason, e.last_success_at, e.failing_since,
           count(*) FILTER (WHERE d.state = 'pending') AS pending,
           count(*) FILTER (WHERE d.state = 'in_flight') AS in_flight,
           count(*) FILTER (WHERE d.state = 'dead') AS dead,
           count(*) FILTER (WHERE d.state = 'delivered') AS delivered,
           min(d.created_at) FILTER (WHERE d.state IN ('pending', 'in_flight')) AS oldest_waiting_at
      FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id
     GROUP BY e.id ORDER BY e.created_at`);
  const date = (value: unknown) => (value ? new Date(value as string) : null);
  return result.rows.map((row) => ({
    endpointId: String(row['id']),
    isEnabled: row['is_enabled'] === true,
    disabledReason: (row['disabled_reason'] as string | null) ?? null,
    pending: Number(row['pending']),
    inFlight: Number(row['in_flight']),
    dead: Number(row['dead']),
    delivered: Number(row['delivered']),
    oldestWaitingAt: date(row['oldest_waiting_at']),
    lastSuccessAt: date(row['last_success_at']),
    failingSince: date(row['failing_since']),
  }));
}
