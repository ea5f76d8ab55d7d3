import { and, desc, gt, isNull, lt, sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { connectionFlowFailures, type ConnectionFlowFailureRow } from './schema/connection-flow-failures.js';
import { integrations } from './schema/integrations.js';

/** Kombo's integration states in which it serves no data: the integration is not synced until ACTIVE again. */
export const KOMBO_INACTIVE_STATES = ['INACTIVE', 'INVALID'] as const;

/** `sync-finished` states that mean Kombo's own sync of the integration failed (shown and counted). */
export const KOMBO_SYNC_FAILURE_STATES = [
  'FAILED',
  'PARTIALLY_FAILED',
  'AUTHENTICATION_FAILED',
  'TIMED_OUT',
] as const;

/** How long `connection_flow_failures` rows are kept, days. */
export const CONNECTION_FLOW_FAILURE_RETENTION_DAYS = 30;

/** A state of an integration as Kombo reported it. */
export interface KomboStateInput {
  state: string;
  setupStatus?: string | null;
  qaStatus?: string | null;
  /**
   * Kombo's time of the state (a webhook's `updated_at`): recorded only if no later one was. Omitted for a state read
   * from Kombo's API or inferred from an error just now: recorded whatever came before, leaving the webhooks' time as
   * it was (never compared with Kombo's clock, which may differ from ours).
   */
  at?: Date;
}

/** What {@link recordKomboState} did. */
export interface RecordedKomboState {
  /** The integration is known and the state was not older than the one recorded. */
  isRecorded: boolean;
  /** The state before, when it was recorded (null: none was known). */
  previousState: string | null;
}

/**
 * Records Kombo's state (and setup/QA status, when given) of a known integration: a webhook's (`at`) unless a later
 * webhook's is recorded (`state_updated_at`), a state read or inferred just now always. One statement, which also
 * returns the state it replaced under the row's lock, so of two concurrent writers exactly one sees a given
 * transition. Writes nothing for an unknown integration.
 */
export async function recordKomboState(
  db: DbLike,
  id: string,
  input: KomboStateInput,
): Promise<RecordedKomboState> {
  const at = input.at ? sql`${input.at.toISOString()}::timestamptz` : undefined;
  const set = sql.join(
    [
      sql`state = ${input.state}`,
      ...(at ? [sql`state_updated_at = ${at}`] : []),
      ...(input.setupStatus === undefined ? [] : [sql`setup_status = ${input.setupStatus}`]),
      ...(input.qaStatus === undefined ? [] : [sql`qa_status = ${input.qaStatus}`]),
      sql`updated_at = now()`,
    ],
    sql`, `,
  );
  const isNotOlder = at ? sql`(i.state_updated_at IS NULL OR i.state_updated_at <= ${at})` : sql`true`;
  const result = await toExecutor(db).execute<{ previous_state: string | null }>(sql`
    UPDATE integrations i SET ${set}
    FROM (SELECT id, state AS previous_state FROM integrations WHERE id = ${id} FOR UPDATE) p
    WHERE i.id = p.id AND ${isNotOlder}
    RETURNING p.previous_state`);
  const [row] = result.rows;
  return row
    ? { isRecorded: true, previousState: row.previous_state }
    : { isRecorded: false, previousState: null };
}

/** Kombo's own sync of an integration, from its `sync-finished` webhook. */
export interface KomboSyncInput {
  syncId: string;
  /** SUCCEEDED, CANCELLED, FAILED, PARTIALLY_FAILED, AUTHENTICATION_FAILED, TIMED_OUT… */
  state: string;
  endedAt: Date;
  logUrl: string | null;
}

/**
 * Records Kombo's latest sync of a known integration unless a later-ending one is recorded; returns whether it was
 * recorded (false: unknown integration, or older than the one kept).
 */
export async function recordKomboSync(db: DbLike, id: string, input: KomboSyncInput): Promise<boolean> {
  const rows = await toExecutor(db)
    .update(integrations)
    .set({
      komboSyncId: input.syncId,
      komboSyncState: input.state,
      komboSyncEndedAt: input.endedAt,
      komboSyncLogUrl: input.logUrl,
      updatedAt: sql`now()`,
    })
    .where(
      sql`${integrations.id} = ${id} AND (${integrations.komboSyncEndedAt} IS NULL OR ${integrations.komboSyncEndedAt} <= ${input.endedAt.toISOString()}::timestamptz)`,
    )
    .returning({ id: integrations.id });
  return rows.length > 0;
}

/** A `connection-flow-failed` webhook. */
export type ConnectionFlowFailureInput = Omit<ConnectionFlowFailureRow, 'receivedAt'>;

/**
 * Records a connection flow failure once per event id (a replay is a no-op) and removes those older than
 * {@link CONNECTION_FLOW_FAILURE_RETENTION_DAYS}; returns whether it was new.
 */
export async function recordConnectionFlowFailure(
  db: DbLike,
  input: ConnectionFlowFailureInput,
): Promise<boolean> {
  const executor = toExecutor(db);
  const rows = await executor
    .insert(connectionFlowFailures)
    .values(input)
    .onConflictDoNothing()
    .returning({ eventId: connectionFlowFailures.eventId });
  await executor
    .delete(connectionFlowFailures)
    .where(
      lt(
        connectionFlowFailures.receivedAt,
        sql`now() - make_interval(days => ${CONNECTION_FLOW_FAILURE_RETENTION_DAYS})`,
      ),
    );
  return rows.length > 0;
}

/** The latest connection flow failures received within `sinceMs` (default 7 days), newest first, at most `limit`. */
export async function listConnectionFlowFailures(
  db: DbLike,
  { sinceMs = 7 * 24 * 60 * 60 * 1000, limit = 20 }: { sinceMs?: number; limit?: number } = {},
): Promise<ConnectionFlowFailureRow[]> {
  return toExecutor(db)
    .select()
    .from(connectionFlowFailures)
    .where(gt(connectionFlowFailures.receivedAt, sql`now() - make_interval(secs => ${sinceMs / 1000})`))
    .orderBy(desc(connectionFlowFailures.receivedAt))
    .limit(limit);
}

/** The fleet's integration health, aggregated by Postgres (the shape packages/metrics' collector takes). */
export interface IntegrationHealth {
  states: { state: string | null; setupStatus: string | null; count: number }[];
  komboSyncsFailed: { syncState: string; count: number }[];
  /** Per integration and failing model; with `isPerIntegration` false one row per model, `integrationId` ''. */
  consecutiveFailures: { integrationId: string; model: string; failures: number }[];
  connectionFlowFailures: number;
}

/** Loads {@link IntegrationHealth} over live integrations in four aggregate queries. */
export async function loadIntegrationHealth(
  db: DbLike,
  { isPerIntegration = false }: { isPerIntegration?: boolean } = {},
): Promise<IntegrationHealth> {
  const executor = toExecutor(db);
  const live = isNull(integrations.deletedAt);
  const failureStates = sql.join(
    KOMBO_SYNC_FAILURE_STATES.map((state) => sql`${state}`),
    sql`, `,
  );
  const [states, syncs, failures, flows] = await Promise.all([
    executor
      .select({
        state: integrations.state,
        setupStatus: integrations.setupStatus,
        count: sql<number>`count(*)::int`,
      })
      .from(integrations)
      .where(live)
      .groupBy(integrations.state, integrations.setupStatus),
    executor
      .select({ syncState: sql<string>`${integrations.komboSyncState}`, count: sql<number>`count(*)::int` })
      .from(integrations)
      .where(and(live, sql`${integrations.komboSyncState} IN (${failureStates})`))
      .groupBy(integrations.komboSyncState),
    executor.execute<{ integration_id: string; model: string; failures: number }>(
      isPerIntegration
        ? sql`SELECT s.integration_id, s.model, s.consecutive_failures AS failures
            FROM sync_state s JOIN integrations i ON i.id = s.integration_id
            WHERE s.consecutive_failures > 0 AND i.deleted_at IS NULL`
        : sql`SELECT '' AS integration_id, s.model, max(s.consecutive_failures)::int AS failures
            FROM sync_state s JOIN integrations i ON i.id = s.integration_id
            WHERE s.consecutive_failures > 0 AND i.deleted_at IS NULL
            GROUP BY s.model`,
    ),
    executor
      .select({ count: sql<number>`count(*)::int` })
      .from(connectionFlowFailures)
      .where(gt(connectionFlowFailures.receivedAt, sql`now() - interval '24 hours'`)),
  ]);
  return {
    states,
    komboSyncsFailed: syncs,
    consecutiveFailures: failures.rows.map((row) => ({
      integrationId: row.integration_id,
      model: row.model,
      failures: Number(row.failures),
    })),
    connectionFlowFailures: flows[0]?.count ?? 0,
  };
}
