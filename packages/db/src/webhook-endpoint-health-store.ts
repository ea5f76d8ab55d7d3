import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike, type Executor } from './create-database.js';
import { deadLetterWaiting } from './webhook-endpoints-store.js';

/** Disables an endpoint that failed for good (its waiting deliveries move to the dead letters). */
export async function disableEndpoint(db: DbLike, endpointId: string, reason: string): Promise<void> {
  const executor: Executor = toExecutor(db);
  await executor.execute(sql`
    UPDATE webhook_endpoints
       SET is_enabled = false, disabled_reason = ${reason.slice(0, 500)}, disabled_at = now(), updated_at = now()
     WHERE id = ${endpointId} AND is_enabled`);
  await deadLetterWaiting(executor, endpointId, reason);
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
