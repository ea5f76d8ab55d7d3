import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import type { DeliveryState } from './schema/webhook-deliveries.js';

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
