import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { lagSecondsOf, toDate } from './integration-status.js';
import {
  flagColumn,
  flagColumns,
  flagKey,
  STATUS_FILTERS,
  type HealthState,
  type StatusClock,
  type StatusFilterName,
} from './status-filters.js';

/** The fleet at a glance, computed by Postgres aggregates (the queues' depth comes from Redis, separately). */
export interface FleetSummary {
  /** Live (not deleted) integrations. */
  integrations: number;
  /** Integrations in each state; one integration may be in several. */
  states: Record<StatusFilterName, number>;
  /** Integrations per health (each in exactly one): the first state that holds, `ok` when none. */
  health: Record<HealthState, number>;
  /** The stalest model of a live, unpaused integration: seconds since its last successful sync; null: none synced. */
  oldestLag: { integrationId: string; model: string; lastSuccessAt: Date; lagSeconds: number } | null;
}

/**
 * Counts per state and per health over every live integration in one statement, from the same predicates as the
 * status list's filters (status-filters.ts), plus the oldest lag (one probe of the `last_success_at` index).
 */
export async function loadFleetSummary(db: DbLike, clock: StatusClock): Promise<FleetSummary> {
  const healthStates = STATUS_FILTERS.filter((filter) => filter.isHealth);
  const healthNames: HealthState[] = [...healthStates.map((filter) => filter.name), 'ok'];
  const health = sql.join(
    [
      sql`CASE`,
      ...healthStates.map((filter) => sql`WHEN f.${flagColumn(filter.name)} THEN ${filter.name}::text`),
      sql`ELSE 'ok' END`,
    ],
    sql` `,
  );
  const counts = sql.join(
    [
      ...STATUS_FILTERS.map(
        (filter) => sql`count(*) FILTER (WHERE h.${flagColumn(filter.name)}) AS ${flagColumn(filter.name)}`,
      ),
      ...healthNames.map(
        (name) => sql`count(*) FILTER (WHERE h.health = ${name}::text) AS ${sql.raw(`"health_${name}"`)}`,
      ),
    ],
    sql`, `,
  );
  const executor = toExecutor(db);
  const [totals, oldest] = await Promise.all([
    executor.execute<Record<string, unknown>>(sql`
      SELECT count(*) AS total, ${counts}
      FROM (
        SELECT f.*, ${health} AS health
        -- OFFSET 0: each state's set is read once, not again for the health.
        FROM (SELECT ${flagColumns(clock)} FROM integrations i WHERE i.deleted_at IS NULL OFFSET 0) f
      ) h`),
    executor.execute<{ integration_id: string; model: string; last_success_at: unknown }>(sql`
      SELECT s.integration_id, s.model, s.last_success_at FROM sync_state s
      WHERE s.skipped_reason IS NULL AND s.last_success_at IS NOT NULL
        -- A probe per model in the index's order, stopping at the first of a live, unpaused integration. OFFSET 0
        -- keeps it so: as a join, a fresh (unanalyzed) table once got a plan that read the index per integration.
        AND EXISTS (SELECT 1 FROM integrations i
          WHERE i.id = s.integration_id AND i.deleted_at IS NULL AND NOT i.is_paused OFFSET 0)
      ORDER BY s.last_success_at LIMIT 1`),
  ]);
  const row = totals.rows[0] ?? {};
  const stalest = oldest.rows[0];
  const lastSuccessAt = toDate(stalest?.last_success_at);
  return {
    integrations: Number(row.total ?? 0),
    states: Object.fromEntries(
      STATUS_FILTERS.map((filter) => [filter.name, Number(row[flagKey(filter.name)] ?? 0)]),
    ) as Record<StatusFilterName, number>,
    health: Object.fromEntries(
      healthNames.map((name) => [name, Number(row[`health_${name}`] ?? 0)]),
    ) as Record<HealthState, number>,
    oldestLag:
      stalest && lastSuccessAt
        ? {
            integrationId: stalest.integration_id,
            model: stalest.model,
            lastSuccessAt,
            lagSeconds: lagSecondsOf(clock.now, lastSuccessAt) ?? 0,
          }
        : null,
  };
}
